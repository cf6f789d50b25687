"""Inputs and lifecycle misuse of the spine get typed errors before anything is reserved
or sent (issue 13, item 4; the unserialisable body of item 2)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from asyncsemrush import SemrushClient, UnitBudget
from asyncsemrush.errors import ClientClosedError, ClientLoopError, InvalidParameterError
from asyncsemrush.sandbox import Sandbox


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 0, -1, True, "5"])
def test_a_timeout_that_never_fires_or_overflows_is_refused(timeout: object) -> None:
    with pytest.raises(InvalidParameterError, match="timeout"):
        SemrushClient("k" * 32, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("poll", [0, -0.5, float("nan"), float("inf")])
def test_a_busy_polling_budget_is_refused(poll: float) -> None:
    with pytest.raises(InvalidParameterError, match="poll_interval"):
        UnitBudget(100, poll_interval=poll)


def test_one_client_in_a_second_event_loop_is_a_typed_error(served: Sandbox) -> None:
    sr = SemrushClient(served.api_key, base_url=served.base_url, budget=UnitBudget(10_000))

    async def first() -> int:
        count = len(await sr.projects.list())
        await sr._transport.close()  # the session goes with the loop that made it
        return count

    async def again() -> int:
        return len(await sr.projects.list())

    assert asyncio.run(first()) == 2
    with pytest.raises(ClientLoopError, match="another event loop"):
        asyncio.run(again())  # was: RuntimeError('Event loop is closed')
    assert sr.budget is not None and sr.budget.reserved == 0 and sr.budget.spent == 100
    assert len(served.requests) == 1


async def test_a_closed_borrowed_session_is_a_typed_error(served: Sandbox) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    budget = UnitBudget(1000)
    sr = SemrushClient(served.api_key, base_url=served.base_url, session=session, budget=budget)
    with pytest.raises(ClientClosedError, match="session= is closed"):
        await sr.projects.list()  # was: RuntimeError('Session is closed')
    with pytest.raises(ClientClosedError):
        async with sr:
            pass
    assert budget.spent == budget.reserved == 0 and served.requests == []


@pytest.mark.parametrize("body", [{"ids": {1, 2}}, {"id": 2**64 + 1}, {1: "int key"}])
async def test_a_body_that_cannot_be_serialised_is_refused_before_reserving(
    served: Sandbox, body: object
) -> None:
    budget = UnitBudget(1000)
    async with SemrushClient(served.api_key, base_url=served.base_url, budget=budget) as sr:
        with pytest.raises(InvalidParameterError, match="json"):
            await sr.request(
                "PUT", "/management/v1/projects/1/keywords", report_type="project_add_keywords",
                json=body, keywords=1,
            )  # fmt: skip
        assert budget.spent == budget.reserved == 0 and sr.ledger.requests == 0
    assert served.requests == []  # was: TypeError, with 100 units counted as spent


async def test_a_borrowed_session_cannot_resend_behind_the_ledger() -> None:
    """aiohttp resends an idempotent request once when a kept-alive connection drops; on
    a borrowed session that attempt was billed and invisible (240,000 charged, 200,000 in
    the ledger, with 20 % of answers dropped after they were charged)."""
    from asyncsemrush import RetryPolicy
    from asyncsemrush.sandbox import Faults

    retry = RetryPolicy(max_attempts=10, backoff_base=0.01, backoff_max=0.02)
    async with (
        Sandbox(keywords=2000, rate_limit=None, faults=Faults(drop=0.2, seed=3)) as sb,
        aiohttp.ClientSession() as session,
    ):
        async with SemrushClient(
            sb.api_key, base_url=sb.base_url, rate_limit=None, session=session, retry=retry
        ) as sr:
            rows = await sr.tracking(sb.campaign_id).positions(page_size=100).collect()
            assert len(rows) == 2000
            assert sr.ledger.spent == sb.units_charged  # every attempt the ledger's
        assert not session.closed  # still the caller's
