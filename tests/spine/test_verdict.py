"""The retry verdict as a table: every status, every network failure, before and after
the request was written, GET vs POST, Retry-After in both forms, the deadline."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from asyncsemrush import RetryPolicy
from asyncsemrush._retry import Outcome, Verdict, verdict

POLICY = RetryPolicy(max_attempts=5, backoff_base=0.5, backoff_max=30, retry_after_max=60)
NOW = dt.datetime(2026, 12, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def judge(method: str, outcome: Outcome, attempt: int = 1, left: float | None = None) -> Verdict:
    return verdict(
        method, outcome, attempt=attempt, policy=POLICY, rng=random.Random(7), left=left, now=NOW
    )


RETRIED = [429, 500, 502, 503, 504, 507, 599]
FINAL = [244, 300, 301, 400, 401, 403, 404, 405, 406, 409, 418, 422]


@pytest.mark.parametrize("status", RETRIED)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_busy_answers_are_retried_when_idempotent_and_never_charged(
    method: str, status: int
) -> None:
    decided = judge(method, Outcome("answer", status))
    assert decided.retry and not decided.charged
    assert 0 <= decided.wait < POLICY.backoff_base  # first backoff: [0, base)


@pytest.mark.parametrize("status", RETRIED)
def test_a_busy_answer_to_a_post_is_final(status: int) -> None:
    assert judge("POST", Outcome("answer", status)) == Verdict(charged=False, retry=False)


@pytest.mark.parametrize("status", FINAL)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_other_error_answers_are_final_and_free(method: str, status: int) -> None:
    assert judge(method, Outcome("answer", status)) == Verdict(charged=False, retry=False)


@pytest.mark.parametrize("status", [200, 429, 503])
def test_an_answer_with_a_semrush_error_code_is_final(status: int) -> None:
    """``ERROR 50 :: NOTHING FOUND`` or ``{"code": 132, ...}``: asking again answers the
    same (and a code is never charged)."""
    assert judge("GET", Outcome("answer", status, code=132)) == Verdict(False, False)


@pytest.mark.parametrize(
    ("kind", "sent", "method", "charged", "retry"),
    [
        # never written: free, and safe to send again whatever the method
        ("connect", False, "GET", False, True),
        ("connect", False, "POST", False, True),
        ("timeout", False, "GET", False, True),
        ("timeout", False, "POST", False, True),
        ("dropped", False, "POST", False, True),
        # may have been written: may have been billed; only an idempotent one again
        ("timeout", True, "GET", True, True),
        ("timeout", True, "DELETE", True, True),
        ("timeout", True, "POST", True, False),
        ("dropped", True, "GET", True, True),
        ("dropped", True, "PUT", True, True),
        ("dropped", True, "POST", True, False),
        # a 2xx we cannot use: billed, and the same again would not help
        ("too-large", True, "GET", True, False),
        ("unreadable", True, "GET", True, False),
        ("unreadable", True, "POST", True, False),
    ],
)
def test_network_failures_and_unusable_answers(
    kind: str, sent: bool, method: str, charged: bool, retry: bool
) -> None:
    decided = judge(method, Outcome(kind, sent=sent))  # type: ignore[arg-type]
    assert (decided.charged, decided.retry) == (charged, retry)
    if not retry:
        assert decided.wait == 0


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("3600", 60.0),  # capped at retry_after_max
        ("Tue, 01 Dec 2026 12:00:09 GMT", 9.0),  # an HTTP date, from now
        ("Tue, 01 Dec 2026 11:00:00 GMT", 0.0),  # a date gone by: at once
    ],
)
def test_retry_after_in_both_forms(header: str, wait: float) -> None:
    decided = judge("GET", Outcome("answer", 429, retry_after=header))
    assert decided.retry and decided.wait == pytest.approx(wait)


@pytest.mark.parametrize("header", ["soon", "-5", "nan", "inf", ""])
def test_an_unreadable_retry_after_falls_back_to_backoff(header: str) -> None:
    decided = judge("GET", Outcome("answer", 503, retry_after=header), attempt=3)
    assert decided.retry and 0 <= decided.wait < min(POLICY.backoff_max, 0.5 * 2**2)


def test_backoff_grows_and_is_capped() -> None:
    ceilings = [min(30.0, 0.5 * 2 ** (n - 1)) for n in range(1, 5)]
    for n, ceiling in enumerate(ceilings, start=1):
        waits = {
            verdict(
                "GET", Outcome("answer", 503), attempt=n, policy=POLICY, rng=random.Random(s)
            ).wait
            for s in range(50)
        }
        assert max(waits) < ceiling and max(waits) > ceiling / 2  # full jitter over [0, c)


def test_no_retry_past_max_attempts() -> None:
    assert judge("GET", Outcome("answer", 503), attempt=4).retry
    assert judge("GET", Outcome("answer", 503), attempt=5) == Verdict(False, False)
    assert judge("GET", Outcome("timeout", sent=True), attempt=5) == Verdict(True, False)


def test_no_wait_that_ends_past_the_deadline() -> None:
    """A wait that would end after what the call's deadline leaves is not taken."""
    slow = Outcome("answer", 429, retry_after="30")
    assert judge("GET", slow, left=31).retry
    assert judge("GET", slow, left=30) == Verdict(False, False)
    assert judge("GET", slow, left=0.5) == Verdict(False, False)


def test_method_case_does_not_matter() -> None:
    assert judge("get", Outcome("answer", 503)).retry
    assert not judge("post", Outcome("timeout", sent=True)).retry
