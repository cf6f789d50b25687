"""When to retry and how long to wait: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import math
import random
from email.utils import parsedate_to_datetime

import attrs

from .errors import InvalidParameterError

__all__ = ["RetryPolicy", "parse_retry_after"]

#: Methods whose retry cannot double-charge or double-create.
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise InvalidParameterError(f"retry.{attribute.name}", value, "a finite number >= 0")


@attrs.frozen
class RetryPolicy:
    """How failed attempts are retried.

    Retried: HTTP 429, 500, 502, 503, 504, timeouts and dropped connections, up to
    ``max_attempts`` attempts in all. Waits follow ``Retry-After`` when the server sends
    one (capped at ``retry_after_max``), else exponential backoff with full jitter:
    a random wait in ``[0, min(backoff_max, backoff_base * 2**n))``. A POST is retried
    only when the connection failed before the request was sent.

    ``deadline`` (seconds, default 120) bounds one call from its first attempt on, all
    attempts and waits between them included (waiting for a concurrency slot before the
    first attempt is not counted): no wait is taken that would end past it, and an
    attempt's own timeout is cut to what is left. (A slow-drip server at ``timeout=2``
    used to take 14.5 s over five attempts; a 429 loop with long Retry-After up to
    240 s.) ``None`` leaves only ``max_attempts``.
    """

    max_attempts: int = attrs.field(default=5)
    backoff_base: float = attrs.field(default=0.5, validator=_positive)
    backoff_max: float = attrs.field(default=30.0, validator=_positive)
    retry_after_max: float = attrs.field(default=60.0, validator=_positive)
    deadline: float | None = attrs.field(default=120.0)

    @deadline.validator
    def _check_deadline(self, attribute: attrs.Attribute[float | None], value: object) -> None:
        ok = value is None or (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value > 0
        )
        if not ok:
            raise InvalidParameterError(
                "retry.deadline", value, "seconds, a finite number > 0, or None"
            )

    @max_attempts.validator
    def _check_attempts(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidParameterError("retry.max_attempts", value, "a whole number >= 1")

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_max)
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return rng.uniform(0, ceiling)


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``.

    Negative, non-finite or unparsable values give ``None``; a date in the past gives 0.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        now = now or dt.datetime.now(dt.timezone.utc)
        return max((when - now).total_seconds(), 0.0)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds
