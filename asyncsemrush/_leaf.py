"""Leaf parsers for the wire's quirks, shared by the converter and the lazy models.

Each raises ``ValueError``/``TypeError`` with a short reason; callers add the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any


def to_int(value: Any) -> int:
    """An int from a number or a numeric string (``"1300"``); never from a bool."""
    if isinstance(value, bool):
        raise TypeError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ValueError(f"expected a whole number, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit() and len(text) < 40:
            return int(text)
    raise ValueError(f"expected a whole number, got {value!r}")


def to_opt_int(value: Any) -> int | None:
    """An int, or None for ``""``/``null`` (the wire's "not ranking")."""
    if value is None or value == "":
        return None
    return to_int(value)


def to_float(value: Any) -> float:
    """A float from a number or a numeric string (``"0.25"``)."""
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and len(value) < 40:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def to_opt_float(value: Any) -> float | None:
    """A float, or None for ``""``/``null``."""
    if value is None or value == "":
        return None
    return to_float(value)


def to_str(value: Any) -> str:
    """A string (numbers the wire sends for IDs become their text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected text, got {type(value).__name__}")


def to_opt_str(value: Any) -> str | None:
    """A string, or None for ``""``/``null``."""
    if value is None or value == "":
        return None
    return to_str(value)


def to_date(value: Any) -> dt.date:
    """A date from ``YYYYMMDD`` (string or number)."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if len(text) == 8 and text.isdigit():
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise ValueError(f"expected a YYYYMMDD date, got {value!r}")


def _epoch(value: Any, scale: float) -> dt.datetime | None:
    number = to_float(value)
    if number <= 0:
        return None  # 0 and -1 mean "never" / "not scheduled"
    try:
        return dt.datetime.fromtimestamp(number / scale, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"timestamp out of range: {value!r}") from None


def epoch_ms(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from epoch milliseconds (Site Audit); None for 0 or -1."""
    return _epoch(value, 1000.0)


def epoch_s(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from epoch seconds; None for 0 or -1."""
    return _epoch(value, 1.0)


_NUMBERS: list[str] = []  # "0", "1", ... as far as any answer needed them


def _numbers(n: int) -> list[str]:
    """``["0", ..., str(n - 1)]``; the cache is replaced whole, never grown in place."""
    global _NUMBERS
    known = _NUMBERS
    if len(known) < n:
        known = _NUMBERS = [str(i) for i in range(max(n, 2 * len(known)))]
    return known[:n]


def ordered(value: Any) -> list[Any]:
    """The items of a numbered-key object (``{"0": a, "2": b}``) in key order, or a list."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        if isinstance(value, dict) and list(value) == _numbers(len(value)):
            return list(value.values())  # "0".."n-1" as sent: nothing to sort
        try:
            return [value[k] for k in sorted(value, key=int)]
        except (TypeError, ValueError):
            raise ValueError("expected an object with numbered keys") from None
    raise TypeError(f"expected a list or a numbered-key object, got {type(value).__name__}")


def mapping(value: Any) -> Mapping[str, Any]:
    """An object (``[]`` counts as an empty one: PHP encodes empty maps so)."""
    if isinstance(value, Mapping):
        return value
    if value == []:
        return {}
    raise TypeError(f"expected an object, got {type(value).__name__}")
