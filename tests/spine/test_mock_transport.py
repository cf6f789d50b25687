"""The send loop on MockTransport: no socket, every path of one request."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from asyncsemrush import RetryPolicy, SemrushClient, UnitBudget, errors
from asyncsemrush.transports import MockRequest, MockTransport, RawResponse

from ..conftest import TEST_KEY
from ..test_transport import CREATE, PAGE, positions

FAST = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002)


def ok(data: object = PAGE) -> RawResponse:
    return RawResponse(200, "application/json", orjson.dumps(data))


def script(*answers: RawResponse | BaseException) -> tuple[MockTransport, list[MockRequest]]:
    queue = list(answers)
    seen: list[MockRequest] = []

    def handler(request: MockRequest) -> RawResponse:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return MockTransport(handler), seen


def dropped(sent: bool) -> errors.ConnectionFailedError:
    return errors.ConnectionFailedError("dropped", sent=sent, method="GET", url_redacted="u")


async def test_the_key_goes_in_the_query_and_the_answer_is_settled() -> None:
    transport, seen = script(ok())
    budget = UnitBudget(10_000)
    async with SemrushClient(TEST_KEY, transport=transport, budget=budget, rate_limit=None) as sr:
        response = await sr._execute(positions(10))
    assert seen[0].url.query["key"] == TEST_KEY and seen[0].method == "GET"
    assert response.units == 300 and (budget.spent, budget.reserved) == (300, 0)
    assert sr.ledger.entries[0].path.count("key=") == 0


@pytest.mark.parametrize(
    ("first", "log", "charged"),
    [
        (RawResponse(503, "text/html", b"busy"), ("503", "200"), 300),
        (RawResponse(429, "text/html", b"slow", retry_after="0"), ("429", "200"), 300),
        (dropped(sent=False), ("connect-failed", "200"), 300),
        (dropped(sent=True), ("disconnected?", "200"), 1000 + 300),  # may have been billed
    ],
)
async def test_a_get_is_retried_and_each_attempt_counted(
    first: RawResponse | BaseException, log: tuple[str, ...], charged: int
) -> None:
    transport, seen = script(first, ok())
    budget = UnitBudget(10_000)
    async with SemrushClient(
        TEST_KEY, transport=transport, budget=budget, rate_limit=None, retry=FAST
    ) as sr:
        response = await sr._execute(positions(10))
    (entry,) = sr.ledger.entries
    assert entry.attempt_log == log and len(seen) == 2 == response.attempts
    assert budget.spent == entry.actual == charged and budget.reserved == 0


async def test_a_post_that_may_have_arrived_is_not_sent_again() -> None:
    transport, seen = script(dropped(sent=True), ok({"project_id": 1}))
    async with SemrushClient(
        TEST_KEY, transport=transport, budget=UnitBudget(1_000), rate_limit=None, retry=FAST
    ) as sr:
        with pytest.raises(errors.ConnectionFailedError):
            await sr._execute(CREATE)
    assert len(seen) == 1 and sr.ledger.entries[0].outcome == "uncertain"


async def test_the_attempts_timeout_starts_after_its_rate_slot() -> None:
    """Four calls at one start a second, each answered in 0.3 s, with timeout=0.5: the
    waits for the slot (up to 3 s) are not the attempts' time."""

    async def slow(request: MockRequest) -> RawResponse:
        await asyncio.sleep(0.3)
        return ok()

    async with SemrushClient(
        TEST_KEY,
        transport=MockTransport(slow),
        rate_limit=1,
        timeout=0.5,
        retry=RetryPolicy(max_attempts=1),
    ) as sr:
        t0 = time.monotonic()
        await asyncio.gather(*(sr._execute(positions()) for _ in range(4)))
    assert time.monotonic() - t0 >= 3.0 - 0.1
    assert [e.outcome for e in sr.ledger.entries] == ["ok"] * 4


async def test_a_hung_answer_times_out_and_is_counted_uncertain() -> None:
    async def hang(request: MockRequest) -> RawResponse:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    budget = UnitBudget(10_000)
    async with SemrushClient(
        TEST_KEY,
        transport=MockTransport(hang),
        budget=budget,
        rate_limit=None,
        timeout=0.2,
        retry=RetryPolicy(max_attempts=2, backoff_base=0.001),
    ) as sr:
        with pytest.raises(errors.RequestTimeoutError):
            await sr._execute(positions(10))
    (entry,) = sr.ledger.entries
    assert entry.attempt_log == ("timeout?", "timeout?") and entry.outcome == "uncertain"
    assert budget.spent == 2000 and budget.reserved == 0


async def test_a_cancel_in_the_transport_counts_the_worst_case() -> None:
    arrived = asyncio.Event()

    async def hang(request: MockRequest) -> RawResponse:
        arrived.set()
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    budget = UnitBudget(10_000)
    async with SemrushClient(
        TEST_KEY, transport=MockTransport(hang), budget=budget, rate_limit=None
    ) as sr:
        task = asyncio.ensure_future(sr._execute(positions(10)))
        await arrived.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (budget.spent, budget.reserved) == (1000, 0)
    assert sr.ledger.entries[0].attempt_log == ("cancelled?",)


async def test_close_closes_the_transport() -> None:
    transport, _ = script()
    sr = SemrushClient(TEST_KEY, transport=transport)
    await sr.close()
    assert transport.closed
