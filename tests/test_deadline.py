"""A call's overall deadline bounds all its attempts and waits (issue 13, item 1):
hostile servers on 127.0.0.1 drip a body slowly or answer 429 forever."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from asyncsemrush import RetryPolicy, UnitBudget
from asyncsemrush.errors import InvalidParameterError, RequestTimeoutError, TooManyRequestsError

from ._server import ScriptedServer, reply
from .conftest import make_client

PATH = "/management/v1/projects"


async def drip(request: web.Request) -> web.StreamResponse:
    """A 200 that sends one byte every 0.3 s: each attempt lasts its whole timeout."""
    resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    for _ in range(100):
        await resp.write(b" ")
        await asyncio.sleep(0.3)
    return resp


async def test_a_slow_drip_server_is_bounded_by_the_deadline(server: ScriptedServer) -> None:
    server.default(PATH, drip)
    retry = RetryPolicy(max_attempts=5, backoff_base=0.05, backoff_max=0.1, deadline=2.5)
    budget = UnitBudget(10_000)
    async with make_client(server.base_url, retry=retry, timeout=2, budget=budget) as sr:
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError):
            await sr.projects.list()
        took = time.monotonic() - started
    assert took < 3.2  # was 5 attempts × 2 s + waits: 10+ s
    assert len(server.seen) == 2  # 2 s, then the 0.5 s the deadline left
    assert budget.reserved == 0  # every attempt settled (uncertain: it may have been billed)


async def test_a_429_loop_with_long_retry_after_stops_at_the_deadline(
    server: ScriptedServer,
) -> None:
    server.default(PATH, reply(429, b"", headers={"Retry-After": "1"}))
    retry = RetryPolicy(max_attempts=10, retry_after_max=60, deadline=2.5)
    async with make_client(server.base_url, retry=retry) as sr:
        started = time.monotonic()
        with pytest.raises(TooManyRequestsError):
            await sr.projects.list()
        took = time.monotonic() - started
    assert len(server.seen) == 3 and took < 2.6  # at 0, 1 and 2 s; a 4th would end at 3 s


@pytest.mark.parametrize("deadline", [0, -1, float("nan"), float("inf"), True])
def test_a_deadline_is_a_finite_number_of_seconds(deadline: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"retry\.deadline"):
        RetryPolicy(deadline=deadline)  # type: ignore[arg-type]
