"""Every row exactly once, or an error: hostile servers on 127.0.0.1 lie about `total`,
repeat rows, answer past the end; a pull cut by max_units says so."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Hashable, Iterator
from typing import Any

import orjson
import pytest

from asyncsemrush import UnitBudget, _convert
from asyncsemrush.errors import MaxUnitsReachedError, PaginationError, ResponseFormatError
from asyncsemrush.pagination import RepeatWindow
from asyncsemrush.sandbox import Sandbox

from .._server import ScriptedServer, reply
from ..conftest import make_client

REPORT = "/reports/v1/projects/1_2/tracking/"


def kw(n: int) -> dict[str, Any]:
    return {"Pi": str(1000 + n), "Ph": f"k{n}", "Dt": {"20260101": {"*.a.com/*": 1}}}


def page(rows: range, total: Any, offset: int) -> bytes:
    return orjson.dumps(
        {"total": total, "offset": offset, "data": {str(k): kw(n) for k, n in enumerate(rows)}}
    )


@pytest.fixture(autouse=True)
def loose() -> Iterator[None]:
    _convert.set_strict(False)
    yield
    _convert.set_strict(True)


@pytest.mark.parametrize("total", [True, 49.9, -1, "49.9", "lots"])
async def test_a_malformed_total_is_refused_not_coerced(server: ScriptedServer, total: Any) -> None:
    server.default(REPORT, reply(body=page(range(10), total, 0)))
    async with make_client(server.base_url) as sr:
        with pytest.raises(ResponseFormatError, match=r"\$\.total"):
            await sr.tracking("1_2").positions(page_size=10).collect()


@pytest.mark.parametrize("prefetch", [1, 4])
async def test_rows_past_total_are_an_error(server: ScriptedServer, prefetch: int) -> None:
    # the first page (asked before `total` is known) answers 20 rows of a "15-row" report
    server.default(REPORT, reply(body=page(range(20), 15, 0)))
    got: list[str] = []
    async with make_client(server.base_url) as sr:
        pager = sr.tracking("1_2").positions(page_size=20, prefetch=prefetch)
        with pytest.raises(PaginationError, match="of a report of 15 rows") as info:
            async for row in pager:
                got.append(row.keyword)
        assert sr.ledger.spent == 2000  # what the answer carried was paid, and counted
    assert got == [] and info.value.resume_offset == 0


async def test_a_page_beyond_what_was_asked_is_an_error(server: ScriptedServer) -> None:
    server.queue(REPORT, reply(body=page(range(10), 25, 0)))
    server.queue(REPORT, reply(body=page(range(10, 20), 25, 10)))
    server.queue(REPORT, reply(body=page(range(20, 30), 25, 20)))  # 10 rows for the 5 left
    got: list[str] = []
    async with make_client(server.base_url) as sr:
        with pytest.raises(PaginationError, match="10 rows for 5 asked") as info:
            async for row in sr.tracking("1_2").positions(page_size=10, prefetch=1):
                got.append(row.keyword)
    assert len(got) == 20 and info.value.resume_offset == 20


async def test_a_repeated_row_is_an_error(server: ScriptedServer) -> None:
    server.queue(REPORT, reply(body=page(range(10), 20, 0)))
    server.queue(REPORT, reply(body=page(range(5, 15), 20, 10)))  # a retry answered rows 5..14
    got: list[str] = []
    async with make_client(server.base_url) as sr:
        with pytest.raises(PaginationError, match="repeats Pi='1005'") as info:
            async for row in sr.tracking("1_2").positions(page_size=10):
                got.append(row.keyword_id)
    assert got == [str(1000 + n) for n in range(10)]  # each once, nothing of the bad page
    assert (info.value.resume_offset, info.value.rows_delivered) == (10, 10)


@pytest.mark.parametrize("raw", [False, True])
async def test_an_identity_that_is_not_text_is_checked_not_a_type_error(
    server: ScriptedServer, raw: bool
) -> None:
    # a server that sends each keyword ID as an object, then repeats one: the repeat is
    # found by the ID's text, and nothing escapes as a TypeError
    def odd(n: int) -> dict[str, Any]:
        return {**kw(n), "Pi": {"id": 1000 + n}}

    def odd_page(rows: range, offset: int) -> bytes:
        data = {str(k): odd(n) for k, n in enumerate(rows)}
        return orjson.dumps({"total": 20, "offset": offset, "data": data})

    server.queue(REPORT, reply(body=odd_page(range(10), 0)))
    server.queue(REPORT, reply(body=odd_page(range(9, 19), 10)))
    got: list[Any] = []
    async with make_client(server.base_url) as sr:
        pager = sr.tracking("1_2").positions(page_size=10, prefetch=1)
        with pytest.raises(PaginationError, match="repeats Pi=") as info:
            async for row in pager.raw_rows() if raw else pager:
                got.append(row)
    assert len(got) == 10 and info.value.resume_offset == 10


async def test_a_repeat_among_rows_without_an_identity_is_named(server: ScriptedServer) -> None:
    # rows without a keyword ID are not compared; the repeat after them is found and named
    bare = {"Ph": "no id", "Dt": {"20260101": {"*.a.com/*": 1}}}
    data = {"0": kw(0), "1": bare, "2": kw(1), "3": bare, "4": kw(0)}
    server.queue(REPORT, reply(body=orjson.dumps({"total": 5, "offset": 0, "data": data})))
    async with make_client(server.base_url) as sr:
        with pytest.raises(PaginationError, match="row 4 repeats Pi='1000'") as info:
            await sr.tracking("1_2").positions(page_size=10).collect()
    assert (info.value.resume_offset, info.value.rows_delivered) == (0, 0)


def test_the_repeat_window_keeps_no_rows_object_alive() -> None:
    """The window keeps each identity as its hash: a row's identity goes with its page.
    (Kept as the rows' own strings, 5,000 of them outlived their pages and were freed
    late, from cold memory: 5-14 % of a pull at 1,000 rows a page.)"""

    class Identity:  # hashable, and weakly referenceable where a str is not
        def __init__(self, n: int) -> None:
            self.n = n

        def __hash__(self) -> int:
            return hash(self.n)

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Identity) and other.n == self.n

    ids: list[Hashable] = [Identity(n) for n in range(10)]
    refs = [weakref.ref(i) for i in ids]
    window = RepeatWindow()
    assert window.admit(ids, 5_000)
    del ids
    gc.collect()
    assert [r() for r in refs] == [None] * 10
    assert not window.admit([Identity(3)], 5_000)  # still known, by its hash
    assert window.first_repeat([Identity(11), None, Identity(3)]) == 2


async def test_no_speculation_by_default() -> None:
    async with Sandbox(keywords=2345, rate_limit=None) as sb:
        from asyncsemrush import SemrushClient

        async with SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None) as sr:
            rows = await sr.tracking(sb.campaign_id).positions(page_size=1000).collect()
        assert len(rows) == 2345 and len(sb.requests) == 3  # not 4: no page past the end


async def test_a_pull_cut_by_max_units_says_so() -> None:
    from asyncsemrush import SemrushClient

    async with (
        Sandbox(keywords=500, rate_limit=None) as sb,
        SemrushClient(
            sb.api_key, base_url=sb.base_url, rate_limit=None, budget=UnitBudget(10**7)
        ) as sr,
    ):
        pager = sr.tracking(sb.campaign_id).positions(page_size=100, max_units=25_000)
        rows = await pager.collect()
        assert len(rows) == 250 and pager.stopped_by == "max_units"
        assert pager.resume_offset == 250 and sr.ledger.spent <= 25_000
        rest = (
            await sr.tracking(sb.campaign_id)
            .positions(page_size=100, start_offset=pager.resume_offset)
            .collect()
        )
        assert len(rest) == 250 and {r.keyword_id for r in rows}.isdisjoint(
            r.keyword_id for r in rest
        )
        strict = sr.tracking(sb.campaign_id).positions(
            page_size=100, max_units=25_000, on_max_units="raise"
        )
        got = []
        with pytest.raises(MaxUnitsReachedError) as info:
            async for row in strict:
                got.append(row)
        assert len(got) == 250 and info.value.resume_offset == 250
        whole = sr.tracking(sb.campaign_id).positions(page_size=100, max_rows=120)
        assert len(await whole.collect()) == 120
        assert (whole.stopped_by, whole.resume_offset) == ("max_rows", 120)
        done = sr.tracking(sb.campaign_id).positions(page_size=1000)
        await done.collect()
        assert (done.stopped_by, done.resume_offset) == (None, None)


async def test_retries_after_dropped_answers_count_against_the_pulls_cap() -> None:
    """Every answer is processed, charged, then dropped: each retry costs again. The
    pull's max_units must hold (it was exceeded 5 times over: cap 1,000, charged 5,000)."""
    from asyncsemrush import RetryPolicy, SemrushClient
    from asyncsemrush.errors import BudgetExceededError
    from asyncsemrush.sandbox import Faults

    async with Sandbox(keywords=100, rate_limit=None, faults=Faults(drop=1.0)) as sb:
        retry = RetryPolicy(max_attempts=5, backoff_base=0.01, backoff_max=0.02)
        async with SemrushClient(
            sb.api_key, base_url=sb.base_url, rate_limit=None, retry=retry
        ) as sr:
            pager = sr.tracking(sb.campaign_id).positions(page_size=10, max_units=1000)
            with pytest.raises(BudgetExceededError):
                await pager.collect()
            assert sr.ledger.spent == 1000  # the one attempt that may have been billed
        assert sb.units_charged == 1000  # the server billed no more than the cap


async def test_the_repeat_window_covers_every_page_in_flight(server: ScriptedServer) -> None:
    """A repeat from further back than REPEAT_WINDOW rows is still found when the pull's
    pages in flight reach that far: the window is (prefetch + 1) pages at least."""
    from asyncsemrush.pagination import REPEAT_WINDOW

    size = 1000  # 7 pages in flight + 1: a window of 8,000 rows > REPEAT_WINDOW
    pages = 9  # the last repeats the first, 8,000 rows back: beyond REPEAT_WINDOW alone
    assert (pages - 2) * size > REPEAT_WINDOW
    for k in range(pages - 1):
        server.queue(
            REPORT, reply(body=page(range(k * size, (k + 1) * size), pages * size, k * size))
        )
    # the last page repeats the first page's first row (a retry answered it)
    last = [*list(range((pages - 1) * size, pages * size - 1)), 0]
    body = orjson.dumps({"total": pages * size, "offset": (pages - 1) * size,
                         "data": {str(i): kw(n) for i, n in enumerate(last)}})  # fmt: skip
    server.queue(REPORT, reply(body=body))
    async with make_client(server.base_url) as sr:
        pager = sr.tracking("1_2").positions(page_size=size, prefetch=7)
        assert pager.repeat_window == 8 * size
        with pytest.raises(PaginationError, match="repeats Pi='1000'") as info:
            await pager.collect()
    assert info.value.resume_offset == (pages - 1) * size
