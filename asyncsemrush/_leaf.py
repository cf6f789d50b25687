"""Leaf parsers for the wire's quirks, shared by the converter and the lazy models.

Each raises ``ValueError``/``TypeError`` with a short reason; callers add the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import orjson


def to_int(value: Any) -> int:
    """An int from a number or a numeric string (``"1300"``); never from a bool."""
    if isinstance(value, bool):
        raise TypeError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            if abs(value) > _EXACT_FLOAT:
                # the decoder turns integers beyond 64 bits into floats: the digits are
                # gone, so the value is refused rather than silently changed
                raise ValueError(f"a whole number too large to have arrived exactly: {value!r}")
            return int(value)
        raise ValueError(f"expected a whole number, got {value!r}")
    if isinstance(value, str) and len(value) < 40:
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit():
            return int(text)
        if _DECIMAL.fullmatch(text):  # "12.0": the service does not tell ints from floats
            number = float(text)
            if number.is_integer():
                return int(number)
    raise ValueError(f"expected a whole number, got {value!r}")


_EXACT_FLOAT = 2**53  # every whole number up to here is exact as a float

_DECIMAL = re.compile(r"[+-]?\d+\.\d*(?:[eE][+-]?\d+)?")


#: What the wire sends for "none" (not ranking, no data): ``""``, ``"-"`` (AdWords
#: positions), ``"n/a"`` (traffic), and ``null`` or a missing key (see :func:`is_none`).
NONE_MARKERS = frozenset({"", "-", "n/a", "N/A"})
DIGITS = frozenset("0123456789")


def is_none(value: Any) -> bool:
    """Whether ``value`` is one of the wire's spellings of "none"."""
    return value is None or (type(value) is str and value.strip() in NONE_MARKERS)


def to_opt_int(value: Any) -> int | None:
    """An int, or None for "none" (``""``, ``"-"``, ``"n/a"``, ``null``: not ranking)."""
    if type(value) is int:  # the common case first: a cell is read per domain and date
        return value
    if type(value) is str and 0 < len(value) < 19 and value.isdigit() and value.isascii():
        return int(value)  # the 2015 wire's "1300"
    if is_none(value):
        return None
    return to_int(value)


def to_float(value: Any) -> float:
    """A float from a number or a numeric string (``"0.25"``)."""
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and len(value) < 40 and value.strip().isascii():
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def plain_float(text: str) -> float | None:
    """A finite number written plainly (``"0.25"``, ``"1300"``), or None for anything
    else (which the general readers then explain): the 2015 wire's numbers, fast."""
    if 0 < len(text) < 24 and text[0] in DIGITS:
        try:
            number = float(text)
        except ValueError:
            return None
        if number - number == 0.0:  # finite
            return number
    return None


def to_opt_float(value: Any) -> float | None:
    """A float, or None for "none" (``""``, ``"-"``, ``"n/a"``, ``null``)."""
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is str:  # the 2015 wire's "0.25"
        number = plain_float(value)
        if number is not None:
            return number
    if is_none(value):
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
    """A string, or None for "none" (``""``, ``"-"``, ``"n/a"``, ``null``)."""
    if type(value) is str and value and value not in NONE_MARKERS and value[0] != " ":
        return value
    if is_none(value):
        return None
    return to_str(value)


def to_opt_text(value: Any) -> str | None:
    """Free text that may come as a string, a number or an object (an issue's ``info``):
    strings as sent, anything else as its JSON text; None for "none"."""
    if is_none(value):
        return None
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def to_opt_date(value: Any) -> dt.date | None:
    """A ``YYYYMMDD`` date, or None for "none"."""
    if is_none(value):
        return None
    return to_date(value)


def codes(value: Any) -> tuple[str, ...]:
    """Feature codes: a list (``["rev", "stl"]``), a numbered-key object, or the older
    single string (``"org"``); none as ``()``."""
    if type(value) is list and all(type(v) is str and v not in NONE_MARKERS for v in value):
        return tuple(value)  # today's common case: ["rev"]
    if is_none(value) or value == [] or value == {}:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(to_str(v) for v in ordered(value) if not is_none(v))


def tool_names(value: Any) -> tuple[str, ...]:
    """A project's tools: strings (2015) or ``{"tool": name}`` objects (today)."""
    if is_none(value):
        return ()
    names = []
    for item in ordered(value):
        if isinstance(item, Mapping):
            if "tool" not in item:
                raise ValueError(f"expected a tool object with 'tool', got {sorted(item)}")
            names.append(to_str(item["tool"]))
        else:
            names.append(to_str(item))
    return tuple(names)


def split_dates(value: Any) -> tuple[Mapping[str, Any], Any]:
    """An object keyed by date, and its ``"Diff"`` entry (first vs last date) apart."""
    items = mapping(value)
    if "Diff" not in items:
        return items, None
    return {k: v for k, v in items.items() if k != "Diff"}, items["Diff"]


_DATES: dict[str, dt.date] = {}  # "20260131" -> date: the same few keys on every row


def to_date(value: Any) -> dt.date:
    """A date from ``YYYYMMDD`` (string or number)."""
    if type(value) is str:
        known = _DATES.get(value)
        if known is not None:
            return known
        day = _parse_date(value)
        if len(_DATES) < 4096:
            _DATES[value] = day
        return day
    return _parse_date(value)


def _parse_date(value: Any) -> dt.date:
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
    if type(value) is dict and list(value) == _numbers(len(value)):
        return list(value.values())  # a page as sent: "0".."n-1", nothing to sort
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):  # (keys out of order, or not a plain dict)
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
