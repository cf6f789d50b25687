"""When to retry, whether an attempt was charged, how long to wait: pure, no I/O.

:func:`verdict` is the one place that classifies a failed attempt; the send loop
follows it and the error classes only describe what happened.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from email.utils import parsedate_to_datetime
from typing import Literal

import attrs

from .errors import InvalidParameterError

__all__ = ["Outcome", "RetryPolicy", "Verdict", "parse_retry_after", "verdict"]

#: Methods whose retry cannot double-charge or double-create.
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})

#: HTTP statuses of an answer worth asking again (any other 5xx too): busy, not wrong.
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


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


def retried_status(status: int | None) -> bool:
    """Whether an error answer with this HTTP status (and no Semrush error code) may
    succeed when sent again: 429 and every 5xx."""
    return status is not None and (status in RETRIED_STATUSES or 500 <= status < 600)


#: What an attempt came to: the server answered with an error (``"answer"``), an answer
#: that cannot be used (``"too-large"``, ``"unreadable"``: a 2xx the server may have
#: billed), or the network failed (``"connect"``, ``"timeout"``, ``"dropped"``).
OutcomeKind = Literal["answer", "too-large", "unreadable", "connect", "timeout", "dropped"]


@attrs.frozen
class Outcome:
    """A failed attempt, as :func:`verdict` needs to know it.

    ``status`` and ``code`` of an error answer (``code`` the Semrush error code, None for
    a bare HTTP failure); ``sent`` whether the request may have reached the server (a
    network failure before it was written is ``sent=False``); ``retry_after`` the
    header as sent.
    """

    kind: OutcomeKind
    status: int | None = None
    code: int | None = None
    sent: bool = True
    retry_after: str | None = None


@attrs.frozen
class Verdict:
    """What to do after a failed attempt: whether it ``charged`` (may have been billed:
    settled at its reserved worst case, marked uncertain), whether to ``retry``, and
    how many seconds to ``wait`` first (0 when not retried)."""

    charged: bool
    retry: bool
    wait: float = 0.0


def verdict(
    method: str,
    outcome: Outcome,
    *,
    attempt: int,
    policy: RetryPolicy,
    rng: random.Random,
    left: float | None = None,
    now: dt.datetime | None = None,
) -> Verdict:
    """The verdict on failed attempt number ``attempt`` (1-based) of a ``method`` request.

    - An error answer was not charged (failed requests are free, SUPPLEMENT.md); it is
      retried when idempotent and busy (429, 5xx) and carries no Semrush error code.
    - A network failure before the request was written was not charged and is retried
      for every method; after it may have been written (timeout, dropped connection) it
      may have been charged, and only an idempotent request is retried (a POST could
      create twice).
    - A 2xx too big or unreadable may have been charged; sending it again would not
      make it readable.
    - No retry past ``policy.max_attempts``, nor one whose wait would end after ``left``
      seconds (what the call's deadline leaves). The wait is ``Retry-After`` (seconds or
      an HTTP date, capped) when the server sent one, else jittered backoff.
    """
    idempotent = method.upper() in IDEMPOTENT
    kind = outcome.kind
    if kind == "answer":
        charged = False
        retryable = idempotent and outcome.code is None and retried_status(outcome.status)
    elif kind in ("too-large", "unreadable"):
        charged, retryable = True, False
    else:  # a network failure
        charged = outcome.sent
        retryable = idempotent or not outcome.sent
    if not retryable or attempt >= policy.max_attempts:
        return Verdict(charged, False)
    wait = policy.delay(attempt, parse_retry_after(outcome.retry_after, now), rng)
    if left is not None and wait >= left:
        return Verdict(charged, False)
    return Verdict(charged, True, wait)
