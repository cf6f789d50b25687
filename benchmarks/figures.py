"""The pulls a benchmark compares: the best bare clients, the library, and the floor.

Every figure pulls the same report from the same server and hands each row to the same
consumer (``benchmarks.consumers``); each returns ``(rows, checksum)``.

The bare clients are what a competent engineer writes for this API: ``conc`` pages in
flight at once (pipelined, requested in order), each held as bytes until its turn,
decoded in order with the cyclic GC paused and the page then frozen out of the young
generations (decoded JSON holds no cycle), each page dropped before the next one is
decoded. The floor does the same decode and consume
from bodies already in memory: the CPU work alone, no network.
"""

from __future__ import annotations

import asyncio
import gc
import operator
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import orjson

from asyncsemrush import SemrushClient

from . import consumers

KEY = "0123456789abcdef" * 2  # a made-up key: the wire server does not check it
PATH = "/reports/v1/projects/1_2/tracking/"

Consume = Callable[[Any], int]
_PI = operator.itemgetter("Pi")


def page_query(masks: str, offset: int, size: int) -> dict[str, str]:
    """The query of one positions page, as the bare clients send it."""
    return {"key": KEY, "action": "report", "type": "tracking_position_organic",
            "url": masks, "display_offset": str(offset), "display_limit": str(size)}  # fmt: skip


def _decoded(body: bytes) -> Any:
    """Decoded with the GC paused, and the page moved to the oldest generation before
    the collector is back (freeze + unfreeze: two list splices), so that no young
    collection traverses it later: what the library does, and what the best bare
    client does too."""
    gc.disable()
    try:
        return orjson.loads(body)
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


class RepeatWindow:
    """The library's repeat check written flat: a page's keyword IDs (``Pi``) must be
    unique and not among the last ``REPEAT_WINDOW`` rows' (the library's own window)."""

    def __init__(self) -> None:
        from asyncsemrush.pagination import REPEAT_WINDOW
        from asyncsemrush.pagination import RepeatWindow as Window

        self.rows = REPEAT_WINDOW
        self.window = Window()

    def check(self, page: Any) -> None:
        if not self.window.admit(list(map(_PI, page)), self.rows):
            raise RuntimeError("a repeated row")


async def _pipelined(
    fetch: Callable[[int], Awaitable[bytes]],
    rows: int,
    size: int,
    conc: int,
    consume: Consume,
    window: RepeatWindow | None = None,
) -> tuple[int, int]:
    offsets: Iterator[int] = iter(range(0, rows, size))
    inflight: deque[asyncio.Task[bytes]] = deque()
    for _, offset in zip(range(conc), offsets, strict=False):
        inflight.append(asyncio.ensure_future(fetch(offset)))
    n = checksum = 0
    while inflight:
        body = await inflight.popleft()
        following = next(offsets, None)
        if following is not None:
            inflight.append(asyncio.ensure_future(fetch(following)))
        data = _decoded(body)
        del body
        page = data["data"].values()
        if window is not None:
            window.check(page)
        for row in page:
            checksum += consume(row)
            n += 1
        del data, page
    return n, checksum


async def bare_aiohttp(
    base: str,
    masks: str,
    rows: int,
    size: int,
    conc: int,
    consume: Consume,
    window: RepeatWindow | None = None,
) -> tuple[int, int]:
    """aiohttp + orjson, pipelined, GC paused while decoding (with ``window``, each page
    checked for repeated rows before its rows are read)."""
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conc)) as session:

        async def fetch(offset: int) -> bytes:
            async with session.get(base + PATH, params=page_query(masks, offset, size)) as resp:
                return await resp.read()

        return await _pipelined(fetch, rows, size, conc, consume, window)


async def bare_checked(
    base: str, masks: str, rows: int, size: int, conc: int, consume: Consume
) -> tuple[int, int]:
    """The bare aiohttp client plus one guarantee only: no row twice (the library's
    repeat window, :class:`RepeatWindow`). What that check costs on its own, in the same
    run: the one guarantee that reads every row before the consumer does."""
    return await bare_aiohttp(base, masks, rows, size, conc, consume, RepeatWindow())


async def bare_paced(
    base: str, masks: str, size: int, rate: float, conc: int, consume: Consume
) -> tuple[int, int]:
    """aiohttp + orjson at ``rate`` starts a second, as a competent engineer paces it:
    the first page, decoded for its ``total``, then the rest pipelined (``conc`` in
    flight), each start exactly ``1 / rate`` after the one before (no margin), decoded
    in order. The reference for the time-to-pull target: what a bare client scores
    against the same realized floor."""
    import aiohttp

    loop = asyncio.get_running_loop()
    interval, last = 1.0 / rate, -float("inf")

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conc)) as session:

        async def fetch(offset: int) -> bytes:
            nonlocal last
            now = loop.time()
            start = last = max(now, last + interval)
            if start > now:
                await asyncio.sleep(start - now)
            async with session.get(base + PATH, params=page_query(masks, offset, size)) as resp:
                return await resp.read()

        first = _decoded(await fetch(0))
        n = checksum = 0
        for row in first["data"].values():
            checksum += consume(row)
            n += 1
        total = int(first["total"])
        del first
        rest, more = await _pipelined(lambda o: fetch(o + size), total - size, size, conc, consume)
        return n + rest, checksum + more


async def bare_guarded(
    base: str, masks: str, rows: int, size: int, conc: int, consume: Consume
) -> tuple[int, int]:
    """The bare aiohttp client plus the work the library's guarantees need at the least,
    written flat (no spine): each page priced and reserved before it leaves, settled at
    the rows it carries and recorded in a ledger; its ``total`` and row count checked;
    the keyword IDs checked against the pull's repeat window (the library's
    ``REPEAT_WINDOW``); the rows handed over one at a time by an async generator, as
    ``async for row in pager`` reads them. Not a client: the cost of those guarantees
    on top of the best bare client, which tells what part of a gap the spine adds."""
    import datetime as dt
    import urllib.parse

    import aiohttp

    from asyncsemrush import UnitBudget
    from asyncsemrush._ledger import LedgerEntry, UnitLedger
    from asyncsemrush._wire import loads
    from asyncsemrush.pricing import PriceTable, Usage

    kind, prices, budget, ledger = (
        "tracking_position_organic",
        PriceTable(),
        UnitBudget(10**12),
        UnitLedger(),
    )

    async def guarded_rows(session: aiohttp.ClientSession) -> Any:
        async def fetch(offset: int) -> tuple[int, bytes, Any, int]:
            url = base + PATH + "?" + urllib.parse.urlencode(page_query(masks, offset, size))
            estimate = prices.cost(kind, Usage(lines=size))
            held = await budget.reserve(estimate, report_type=kind)
            async with session.get(url) as resp:
                return offset, await resp.read(), held, estimate

        offsets: Iterator[int] = iter(range(0, rows, size))
        inflight: deque[asyncio.Task[tuple[int, bytes, Any, int]]] = deque()
        for _, offset in zip(range(conc), offsets, strict=False):
            inflight.append(asyncio.ensure_future(fetch(offset)))
        window = RepeatWindow()
        while inflight:
            offset, body, held, estimate = await inflight.popleft()
            following = next(offsets, None)
            if following is not None:
                inflight.append(asyncio.ensure_future(fetch(following)))
            data = loads(body)
            del body
            total, page = int(data["total"]), list(data["data"].values())
            if len(page) > size or offset + len(page) > total:
                raise RuntimeError("the server answered more rows than asked")
            cost, usage = prices.actual(kind, data, sent=Usage(lines=size))
            await held.settle(cost)
            ledger.record(
                LedgerEntry(
                    time=dt.datetime.now(dt.timezone.utc), report_type=kind, method="GET",
                    path=PATH, estimated=estimate, actual=cost, lines=usage.lines,
                    attempts=1, outcome="ok", status=200, attempt_log=("200",),
                )
            )  # fmt: skip
            window.check(page)
            del data
            for row in page:
                yield row
            del page

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conc)) as session:
        n = checksum = 0
        async for row in guarded_rows(session):
            checksum += consume(row)
            n += 1
        return n, checksum


async def bare_httpx(
    base: str, masks: str, rows: int, size: int, conc: int, consume: Consume
) -> tuple[int, int]:
    """httpx + orjson, the same pipeline: a second reference for the bare client."""
    import httpx

    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def fetch(offset: int) -> bytes:
            resp = await client.get(base + PATH, params=page_query(masks, offset, size))
            return resp.content

        return await _pipelined(fetch, rows, size, conc, consume)


async def library(
    base: str, masks: str, rows: int, size: int, conc: int, consume: Consume, *, raw: bool
) -> tuple[int, int]:
    """asyncsemrush: typed rows (``async for row in pager``, as the README reads them)
    or the wire's dicts (``pager.raw_rows()``)."""
    async with SemrushClient(KEY, base_url=base, rate_limit=None, max_concurrency=conc) as sr:
        pager = sr.tracking("1_2").positions(masks, page_size=size, prefetch=conc)
        n = checksum = 0
        async for row in pager.raw_rows() if raw else pager:
            checksum += consume(row)
            n += 1
    return n, checksum


def by_name(
    figure: str, base: str, masks: str, day: str, rows: int, size: int, conc: int
) -> Coroutine[Any, Any, tuple[int, int]]:
    """The pull of one figure (``bare``, ``guarded``, ``raw`` or ``typed``) with the
    reading consumer, for the harness's children (``_child``, ``_instructions``)."""
    mask = masks.split(":")[0]
    read_w, read_t = consumers.read_dict(mask, day), consumers.read_typed(mask, day)
    if figure == "bare":
        return bare_aiohttp(base, masks, rows, size, conc, read_w)
    if figure == "guarded":
        return bare_guarded(base, masks, rows, size, conc, read_w)
    if figure in ("raw", "typed"):
        raw = figure == "raw"
        return library(base, masks, rows, size, conc, read_w if raw else read_t, raw=raw)
    raise ValueError(f"no figure {figure!r}")


def floor(bodies: list[bytes], consume: Consume) -> tuple[int, int]:
    """Decode and consume bodies already in memory, GC off: no network at all."""
    n = checksum = 0
    for body in bodies:
        data = _decoded(body)
        for row in data["data"].values():
            checksum += consume(row)
            n += 1
        del data
    return n, checksum


async def fetch_all(base: str, masks: str, rows: int, size: int) -> list[bytes]:
    """Every page's body, for the floor."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        out = []
        for offset in range(0, rows, size):
            async with session.get(base + PATH, params=page_query(masks, offset, size)) as resp:
                out.append(await resp.read())
        return out
