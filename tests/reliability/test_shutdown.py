"""Closing a client with requests in flight: every reservation settled, every
response closed, no task left pending, no unclosed-session warning."""

from __future__ import annotations

import asyncio
import gc

import pytest

from asyncsemrush import SemrushClient, UnitBudget, errors
from asyncsemrush.sandbox import Faults, Sandbox

from ..api.test_pagination import client_tasks


async def test_close_with_requests_in_flight() -> None:
    async with Sandbox(keywords=500, rate_limit=None, faults=Faults(latency=1.0)) as sb:
        budget = UnitBudget(10**9)
        sr = SemrushClient(sb.api_key, base_url=sb.base_url, budget=budget, rate_limit=None)
        t = sr.tracking(sb.campaign_id)
        calls = [asyncio.create_task(sr.projects.list()) for _ in range(5)]
        pull = asyncio.create_task(t.positions(sb.tracked_url, page_size=50, prefetch=6).collect())
        await asyncio.sleep(0.2)  # all of them are now waiting for answers
        await sr.close()
        results = await asyncio.gather(*calls, pull, return_exceptions=True)
        assert all(isinstance(r, errors.SemrushError) for r in results), results
        assert budget.reserved == 0  # settled: the ones that may have arrived as uncertain
        assert all(e.outcome in ("uncertain", "error") for e in sr.ledger.entries)
        assert budget.spent == sr.ledger.spent
        await asyncio.sleep(0)
        assert not client_tasks()
    gc.collect()  # an unclosed session would warn here (ResourceWarning is an error in tests)


async def test_client_used_after_close_is_refused_locally() -> None:
    async with Sandbox() as sb:
        sr = SemrushClient(sb.api_key, base_url=sb.base_url)
        await sr.close()
        with pytest.raises(errors.ClientClosedError):
            await sr.projects.list()
    assert sb.requests == []
