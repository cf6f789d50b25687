"""A pull under faults, over real HTTP: no wait on its own units, no paid page lost."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable

import orjson
import pytest
from aiohttp import web

from asyncsemrush import RetryPolicy, UnitBudget, errors

from .._server import ScriptedServer
from ..conftest import make_client

POSITIONS = "/reports/v1/projects/1_2/tracking/"
Script = Callable[[web.Request, int, int], Awaitable[web.StreamResponse | None]]


def page(offset: int, limit: int, total: int) -> web.Response:
    rows = {str(n): {"Pi": offset + n, "Ph": f"kw {offset + n}"} for n in range(limit)}
    body = {"total": total, "limit": limit, "offset": offset, "data": rows}
    return web.Response(body=orjson.dumps(body), content_type="application/json")


def serve(server: ScriptedServer, total: int, script: Script) -> dict[int, int]:
    """Pages of a ``total``-row report; ``script(request, offset, n)`` may answer the
    n-th request for an offset instead (None: the page). Returns requests per offset."""
    asked: dict[int, int] = defaultdict(int)

    async def handler(request: web.Request) -> web.StreamResponse:
        offset = int(request.query.get("display_offset", "0"))
        limit = int(request.query["display_limit"])
        asked[offset] += 1
        scripted = await script(request, offset, asked[offset])
        if scripted is not None:
            return scripted
        return page(offset, max(min(limit, total - offset), 0), total)

    server.default(POSITIONS, handler)
    return asked


async def test_a_retried_head_page_never_waits_for_its_own_pulls_units(
    server: ScriptedServer,
) -> None:
    """Issue 13: with on_exhausted="wait" and prefetch, the head page timed out (maybe
    charged), and its retry waited for good for units held by the pages behind it."""

    async def script(request: web.Request, offset: int, n: int) -> web.StreamResponse | None:
        if offset == 100 and n == 1:
            await asyncio.sleep(3600)  # hangs: a timeout after the request was written
        return None

    serve(server, 400, script)
    budget = UnitBudget(40_000, on_exhausted="wait")  # page 0 (10,000) + 3 pages in flight
    retry = RetryPolicy(max_attempts=3, backoff_base=0.01)
    async with make_client(server.base_url, budget=budget, timeout=0.5, retry=retry) as sr:
        pager = sr.tracking("1_2").positions(page_size=100, prefetch=3)
        rows = []

        async def consume() -> None:
            async for row in pager:
                rows.append(row)

        with pytest.raises(errors.BudgetExceededError) as caught:
            await asyncio.wait_for(consume(), 10)  # it used to hang here for good
    assert len(rows) == 100
    err = caught.value
    assert (err.resume_offset, err.rows_delivered) == (100, 100)
    assert [(p.offset, len(p.rows)) for p in err.pages_after] == [(200, 100), (300, 100)]
    assert budget.reserved == 0
    # page 0, the timed-out attempt (uncertain), and the two paid pages behind it
    assert budget.spent == sr.ledger.spent == 40_000


async def test_paid_pages_behind_a_failed_page_stay_reachable(server: ScriptedServer) -> None:
    """Issue 13: a page retried after a 503 landed after a later page had used the
    balance; the pull ended with UnitsExhaustedError, no resume offset, and the later,
    paid page was discarded."""
    later_paid = asyncio.Event()

    async def script(request: web.Request, offset: int, n: int) -> web.StreamResponse | None:
        if offset == 100 and n == 1:
            await later_paid.wait()  # the page behind it is answered (and paid) first
            return web.Response(status=503, text="busy")
        if offset == 100:
            return web.Response(text="ERROR 132 :: API UNITS BALANCE IS ZERO")
        if offset == 200:
            later_paid.set()
        return None

    serve(server, 300, script)
    retry = RetryPolicy(max_attempts=3, backoff_base=0.01)
    async with make_client(server.base_url, budget=UnitBudget(100_000), retry=retry) as sr:
        pager = sr.tracking("1_2").positions(page_size=100, prefetch=2)
        rows = []
        with pytest.raises(errors.UnitsExhaustedError) as caught:
            async for row in pager:
                rows.append(row)
    err = caught.value
    assert len(rows) == 100
    assert (err.resume_offset, err.rows_delivered) == (100, 100)
    (after,) = err.pages_after
    assert after.offset == 200 and [r.keyword for r in after.rows][:2] == ["kw 200", "kw 201"]
    assert sr.ledger.spent == 20_000  # pages 0 and 200; the failed page cost nothing


async def test_a_page_with_more_rows_than_asked_is_charged_flagged_and_stops_the_pull(
    server: ScriptedServer, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 13: a page with more rows than asked settled at 2,000 against a 1,000
    limit, silently. The overrun is charged (the server billed it), flagged in the
    ledger and a warning, and the pull stops with an error before the next page."""
    from pathlib import Path

    from asyncsemrush.stores.sqlite import SqliteLedger

    async def script(request: web.Request, offset: int, n: int) -> web.StreamResponse | None:
        if offset == 100:
            return page(offset, 200, 1000)  # 200 rows for 100 asked
        return None

    serve(server, 1000, script)
    budget = UnitBudget(1_000_000)
    async with make_client(server.base_url, budget=budget) as sr:
        stored = SqliteLedger(Path(str(tmp_path)) / "ledger.db")
        stored.attach(sr.ledger)
        pager = sr.tracking("1_2").positions(page_size=100, prefetch=1)
        with pytest.raises(errors.PaginationError, match="200 rows for 100 asked") as caught:
            await pager.collect()
    assert caught.value.resume_offset == 100
    # the next page left before this one was decoded (pipelined, as a bare client
    # does): it is paid, and kept reachable; nothing after it is asked
    assert [p.offset for p in caught.value.pages_after] == [200]
    flagged = [e for e in sr.ledger.entries if e.overrun]
    assert [(e.estimated, e.actual, e.overrun) for e in flagged] == [(10_000, 20_000, 10_000)]
    assert sr.ledger.totals.overrun == 10_000
    assert budget.spent == sr.ledger.spent == 40_000 and budget.reserved == 0
    assert len(server.seen) == 3
    assert any("10000 more than the 10000 reserved" in r.getMessage() for r in caplog.records)
    rows = stored.db.transact(lambda c: c.execute("SELECT overrun FROM ledger").fetchall())
    assert sorted(r[0] for r in rows) == [0, 0, 10_000]
    stored.close()


@pytest.mark.parametrize("after", [0.0, 0.02, 0.05, 0.08, 0.12, 0.17, 0.23, 0.3])
async def test_a_cancelled_pull_always_raises_and_stops_sending(
    server: ScriptedServer, after: float
) -> None:
    """Cancellation always propagates, after settling, wherever it lands: waiting for the
    first page, for a page in flight, inside the consumer, between pages."""

    async def script(request: web.Request, offset: int, n: int) -> web.StreamResponse | None:
        await asyncio.sleep(0.03)
        return None

    serve(server, 2000, script)
    budget = UnitBudget(10_000_000)
    async with make_client(server.base_url, budget=budget, rate_limit=None) as sr:
        consumed = 0

        async def pull() -> None:
            nonlocal consumed
            async for _row in sr.tracking("1_2").positions(page_size=100, prefetch=3):
                consumed += 1
                if consumed % 100 == 0:
                    await asyncio.sleep(0.01)  # the consumer awaits too

        task = asyncio.ensure_future(pull())
        await asyncio.sleep(after)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        await asyncio.sleep(0.1)  # what was written before the cancel arrives
        sent = len(server.seen)
        await asyncio.sleep(0.3)
        assert len(server.seen) == sent  # nothing more goes out
    # every request that reached the server is in the ledger, counted
    assert sent <= sum(e.attempts for e in sr.ledger.entries)
    assert budget.reserved == 0 and budget.spent == sr.ledger.spent
    assert consumed < 2000
