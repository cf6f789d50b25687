"""AsyncPaginator: order, exactly-once, unit caps, partial answers, cleanup."""

from __future__ import annotations

import asyncio
import gc

import orjson
import pytest

from asyncsemrush import PaginationError, PartialResponseError, SemrushClient, UnitBudget
from asyncsemrush.errors import ResponseFormatError
from asyncsemrush.sandbox import Faults, Sandbox

from .._server import ScriptedServer, reply
from ..conftest import TEST_KEY, make_client


def client_tasks() -> list[asyncio.Task[object]]:
    """Pending tasks running the client's code (not the sandbox server's, not this test)."""
    mine = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        path = code.co_filename if code else ""
        if (
            task is not asyncio.current_task()
            and "/asyncsemrush/" in path
            and "/sandbox/" not in path
        ):
            mine.append(task)
    return mine


def client(sb: Sandbox, budget: UnitBudget | None = None) -> SemrushClient:
    return SemrushClient(sb.api_key, base_url=sb.base_url, budget=budget, rate_limit=None)


@pytest.mark.parametrize("page_size", [97, 250])
async def test_prefetch_1_and_8_give_the_same_rows(
    sb: Sandbox, sr: SemrushClient, page_size: int
) -> None:
    t = sr.tracking(sb.campaign_id)
    url = [sb.tracked_url, *sb.competitor_urls]
    one = await t.positions(url, page_size=page_size, prefetch=1, sort="ph_asc").collect()
    eight = await t.positions(url, page_size=page_size, prefetch=8, sort="ph_asc").collect()
    whole = await t.positions(url, page_size=1200, sort="ph_asc").collect()
    assert len(one) == 1200
    assert (
        [r.keyword_id for r in one]
        == [r.keyword_id for r in eight]
        == [r.keyword_id for r in whole]
    )
    assert len({r.keyword_id for r in one}) == 1200
    assert one == eight


@pytest.mark.parametrize("prefetch", [1, 8])
async def test_max_units_is_never_exceeded(sb: Sandbox, sr: SemrushClient, prefetch: int) -> None:
    pager = sr.tracking(sb.campaign_id).positions(
        sb.tracked_url, page_size=50, max_units=12_345, prefetch=prefetch
    )
    rows = await pager.collect()
    assert len(rows) == 123  # 12,345 units pay for 123 rows at 100 a row
    assert sb.units_charged == pager.units_spent == 12_300 <= 12_345
    limits = [int(r.query["display_limit"]) for r in sb.requests]
    assert limits == [50, 50, 23]  # the last page shrank to fit
    nothing = sr.tracking(sb.campaign_id).positions(sb.tracked_url, max_units=99)
    assert await nothing.collect() == []


async def test_partial_response_names_the_resume_offset() -> None:
    async with (
        Sandbox(keywords=1000, units=25_050, rate_limit=None) as sb,
        client(sb, UnitBudget(10**9)) as sr,
    ):
        pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=100, prefetch=1)
        got = []
        with pytest.raises(PartialResponseError) as info:
            async for row in pager:
                got.append(row)
        exc = info.value
        assert (exc.received, exc.asked, exc.total) == (50, 100, 1000)
        assert exc.resume_offset == 250 == exc.rows_delivered == len(got)
        assert sr.ledger.spent == sb.units_charged == 25_000
        assert sr.budget is not None and sr.budget.reserved == 0
        # top up and resume: the rest arrives, nothing twice, nothing lost
        sb.balance = 10**7
        rest = (
            await sr.tracking(sb.campaign_id)
            .positions(sb.tracked_url, page_size=100, start_offset=exc.resume_offset)
            .collect()
        )
        full = await sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=1000).collect()
        assert [r.keyword_id for r in got + rest] == [r.keyword_id for r in full]


async def test_partial_response_with_prefetch_settles_everything() -> None:
    async with (
        Sandbox(keywords=1000, units=25_050, rate_limit=None) as sb,
        client(sb, UnitBudget(10**9)) as sr,
    ):
        pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=100, prefetch=6)
        got = []
        with pytest.raises(PartialResponseError) as info:
            async for row in pager:
                got.append(row)
        assert info.value.resume_offset == info.value.rows_delivered == len(got) < 1000
        assert sr.budget is not None and sr.budget.reserved == 0
        assert sr.ledger.spent == sb.units_charged


async def test_early_exit_and_cancel_settle_in_flight_pages(sb: Sandbox) -> None:
    budget = UnitBudget(10**9)
    async with client(sb, budget) as sr:
        pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=10, prefetch=8)
        async with pager:
            async for _ in pager:
                break
        assert budget.reserved == 0  # settled on leaving the block
        assert sr.ledger.spent == sb.units_charged  # in-flight pages settled exactly
        before = len(sb.requests)
        async for _ in sr.tracking(sb.campaign_id).positions(
            sb.tracked_url, page_size=10, prefetch=8
        ):
            break
        # without aclose() the event loop closes the pull a moment later: the 8 pages
        # in flight are let finish and settled exactly
        for _ in range(200):
            if len(sb.requests) - before == 9 and budget.reserved == 0:
                break
            await asyncio.sleep(0.01)
        assert len(sb.requests) - before == 9
        assert budget.reserved == 0
        assert sr.ledger.spent == sb.units_charged

        async def consume() -> None:
            pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=10, prefetch=8)
            async with pager:  # leaving by cancellation cancels the pages in flight
                async for _ in pager:
                    await asyncio.sleep(0.01)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert budget.reserved == 0
        # cancelled requests count at their worst case: never less than was billed
        assert budget.spent == sr.ledger.spent >= sb.units_charged
        assert not client_tasks()  # the server's keep-alive handlers are not ours


@pytest.mark.parametrize("pause", [False, True])
async def test_aclose_after_a_break_races_nothing(sb: Sandbox, pause: bool) -> None:
    """``break`` then ``await pager.aclose()`` (the README's way), at once or after the
    event loop began closing the dropped row iterator itself: one of the two closes the
    pull, the other waits for it; no error escapes to either, nor to the loop's handler
    (it used to log "aclose(): asynchronous generator is already running", or raise it
    from ``aclose()``)."""
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        budget = UnitBudget(10**9)
        async with client(sb, budget) as sr:
            pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=10, prefetch=8)
            async for _ in pager:
                break
            if pause:
                await asyncio.sleep(0)  # the loop's finalizer starts closing the rows
            await pager.aclose()
            assert budget.reserved == 0
            assert sr.ledger.spent == sb.units_charged
        for _ in range(5):
            gc.collect()
            await asyncio.sleep(0.01)
    finally:
        loop.set_exception_handler(None)
    assert [context.get("message") for context in reported] == []


async def test_pages_in_flight_are_decoded_only_when_consumed(
    sb: Sandbox, sr: SemrushClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    dialect = sr._sender.dialect
    real = dialect.decode

    def spy(raw, request, url):  # type: ignore[no-untyped-def]
        decoded.append(int(request.params.get("display_offset", -1)))
        return real(raw, request, url)

    monkeypatch.setattr(dialect, "decode", spy)
    pages = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=100, prefetch=4).pages()
    first = await anext(pages)
    await asyncio.sleep(0.2)  # let the prefetched pages arrive
    assert len(sb.requests) == 5 and first.offset == 0
    assert decoded == [0]  # four pages wait as bytes
    second = await anext(pages)
    assert second.offset == 100 and decoded == [0, 100]
    await pages.aclose()


async def test_iterating_twice_fetches_twice(sb: Sandbox, sr: SemrushClient) -> None:
    pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=600, speculate=True)
    assert len(await pager.collect()) == len(await pager.collect()) == 1200
    assert sb.units_charged == sr.ledger.spent == 240_000  # paid twice
    rows_per_request = [r.units // 100 for r in sb.requests]
    assert sorted(rows_per_request, reverse=True)[:4] == [600] * 4
    assert all(n in (600, 0) for n in rows_per_request)  # speculation past the end: free


async def test_speculation_overlaps_the_first_request() -> None:
    async with (
        Sandbox(keywords=400, rate_limit=None, faults=Faults(latency=0.2)) as sb,
        client(sb, UnitBudget(10**9)) as sr,
    ):
        rows = (
            await sr.tracking(sb.campaign_id)
            .positions(sb.tracked_url, page_size=100, prefetch=4, speculate=True)
            .collect()
        )
        assert len(rows) == 400
        first, *others = sorted(r.time for r in sb.requests)
        assert len(others) == 3 and others[-1] - first < 0.15  # all out before the first answered
        slow = (
            await sr.tracking(sb.campaign_id)
            .positions(sb.tracked_url, page_size=100, prefetch=4, speculate=False)
            .collect()
        )
        assert [r.keyword_id for r in slow] == [r.keyword_id for r in rows]


async def test_speculation_never_breaks_a_tight_budget() -> None:
    async with Sandbox(keywords=1200, rate_limit=None) as sb:
        budget = UnitBudget(130_000)  # the first 1,000-row page plus the 200-row tail
        async with client(sb, budget) as sr:
            rows = (
                await sr.tracking(sb.campaign_id)
                .positions(sb.tracked_url, page_size=1000, prefetch=4, speculate=True)
                .collect()
            )
        assert len(rows) == 1200
        assert budget.spent == sb.units_charged == 120_000 and budget.reserved == 0


async def test_page_mode_and_snapshot_pricing(sb: Sandbox, sr: SemrushClient) -> None:
    audit = sr.site_audit(sb.audit_project_id)
    latest = await audit.snapshot()
    worst = max(latest.errors, key=lambda e: e.count)
    rows = await audit.issue(latest.snapshot_id, worst.id, page_size=7, max_rows=10).collect()
    assert len(rows) == 10
    history = audit.history(page_size=2, max_units=25_000)
    assert len(await history.collect()) == 2 and history.units_spent == 20_000


def _page(total: int, offset: int, rows: int, start: int = 0) -> bytes:
    data = {
        str(n): {"Pi": str(start + n), "Ph": f"kw {start + n}", "Tg": {}, "Cp": "1", "Nq": "10"}
        for n in range(rows)
    }
    return orjson.dumps(
        {"total": str(total), "limit": str(rows), "offset": str(offset), "data": data}
    )


PATH = "/reports/v1/projects/1_2/tracking/"


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (_page(25, 10, 10, 10), "report changed"),  # total 20 became 25
        (_page(20, 0, 10, 0), "cursor did not advance"),  # offset 0 echoed again
    ],
)
async def test_cursor_and_total_checks(server: ScriptedServer, second: bytes, message: str) -> None:
    server.queue(PATH, reply(body=_page(20, 0, 10)), reply(body=second))
    async with make_client(server.base_url) as sr:
        got = []
        with pytest.raises(PaginationError, match=message) as info:
            async for row in sr.tracking("1_2").positions("*.a.com/*", page_size=10, prefetch=1):
                got.append(row)
    assert len(got) == 10 and info.value.resume_offset == 10


async def test_too_many_rows_and_bad_keys(server: ScriptedServer) -> None:
    server.queue(PATH, reply(body=_page(50, 0, 12)))
    async with make_client(server.base_url) as sr:
        with pytest.raises(PaginationError, match="12 rows for 10"):
            await sr.tracking("1_2").positions("*.a.com/*", page_size=10).collect()
    server.queue(PATH, reply(body=b'{"total": "1", "offset": "0", "data": {"x": {}}}'))
    async with make_client(server.base_url) as sr:
        with pytest.raises(ResponseFormatError, match=r"\$\.data"):
            await sr.tracking("1_2").positions("*.a.com/*", page_size=10).collect()


async def test_empty_report(server: ScriptedServer) -> None:
    server.default(PATH, reply(body=b'{"total": "0", "limit": "10", "offset": "0", "data": {}}'))
    async with make_client(server.base_url) as sr:
        assert (
            await sr.tracking("1_2").positions("*.a.com/*", page_size=10, speculate=False).collect()
            == []
        )
        assert len(server.seen) == 1
        assert await sr.tracking("1_2").positions("*.a.com/*", page_size=10).collect() == []
        assert sr.ledger.spent == 0


async def test_max_rows_zero_sends_nothing(sb: Sandbox, sr: SemrushClient) -> None:
    audit = sr.site_audit(sb.audit_project_id)
    assert await audit.issue("abc123", 1, max_rows=0).collect() == []
    assert await sr.tracking(sb.campaign_id).positions(sb.tracked_url, max_rows=0).collect() == []
    assert sb.requests == []


async def test_raw_rows_match_the_typed_rows(sb: Sandbox, sr: SemrushClient) -> None:
    t = sr.tracking(sb.campaign_id)
    raw = [row async for row in t.positions(sb.tracked_url, page_size=70, prefetch=3).raw_rows()]
    typed = await t.positions(sb.tracked_url, page_size=70, prefetch=3).collect()
    assert [r["Pi"] for r in raw] == [r.keyword_id for r in typed]
    assert len(raw) == 1200 and isinstance(raw[0]["Dt"], dict)
    assert raw[0] == typed[0].wire


async def _in_flight_at_most(rate_limit: float | None, prefetch: int | None) -> int:
    """Pages a 24-page positions pull had in flight at once, answers 0.3 s late."""
    from asyncsemrush.transports import MockRequest, MockTransport, RawResponse

    now = top = 0

    async def answer(request: MockRequest) -> RawResponse:
        nonlocal now, top
        now += 1
        top = max(top, now)
        try:
            await asyncio.sleep(0.3)
        finally:
            now -= 1
        offset = int(request.url.query["display_offset"])
        row = {"Pi": str(offset), "Ph": f"k{offset}", "Dt": {"20260101": {"*.a.com/*": 1}}}
        body = {"total": 24, "offset": offset, "data": {"0": row}}
        return RawResponse(200, "application/json", orjson.dumps(body))

    async with SemrushClient(
        TEST_KEY,
        transport=MockTransport(answer),
        rate_limit=rate_limit,
        max_concurrency=16,
    ) as sr:
        given = {} if prefetch is None else {"prefetch": prefetch}  # None: the default
        pager = sr.tracking("1_2").positions("*.a.com/*", page_size=1, **given)
        assert [row.keyword for row in await pager.collect()] == [f"k{n}" for n in range(24)]
    return top


async def test_the_default_prefetch_keeps_the_rate_limit_busy_through_slow_answers() -> None:
    """Issue 15: a fixed 4 pages in flight is the rate x latency product at 10/s and
    300 ms, so one slow answer at the head held the pages behind it. By default the pull
    keeps rate x slowest answer + 2 in flight (at 20/s and 0.3 s: 8, the most), of which
    the rate lets about 6 be at the server at once (20/s x 0.3 s; 4 before); a given
    prefetch is kept as given; with no rate limit to follow, the default is 4."""
    assert await _in_flight_at_most(20.0, None) >= 5
    assert await _in_flight_at_most(20.0, 4) <= 4
    assert await _in_flight_at_most(None, None) <= 4
