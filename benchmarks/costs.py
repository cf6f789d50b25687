"""Parts of the library's cost, in CPU time (``time.process_time``, median of 9 rounds
in a new order each, 7 for ``pull``): what the gap to the bare client is made of.

``python -m benchmarks.costs pull [SIZE [CONC]]``: CPU a row of a raw-dicts pull of
20,000 2 x 7 rows over HTTP (the wire server in its own process, pages of SIZE,
default 100, CONC in flight, default 1): the bare client, the guarantees written flat
(``figures.bare_guarded``), the library, and the library with parts swapped for no-ops
(``benchmarks.spine.without``: the repeat check, the ledger entry, the budget; and the
attempt clock): what is left with all of them gone is the cost of its layers.

``python -m benchmarks.costs transport``: one request through the library's aiohttp
transport against a bare ``session.get`` + ``read()`` of the same URL (the wire
server in its own process, the first page of 100 rows, one request at a time), and the
transport with its attempt clock (``asyncio.timeout``, moved twice an attempt: off while the rate slot
is waited for, on once it is taken) swapped for a no-op. CPU of this process only.

``python -m benchmarks.costs repeats [SIZE]``: the repeat check a row, step by step, on
pages of SIZE 2 x 7 rows (default 1000) decoded afresh for every step, so each identity
is a string not yet hashed and each row is where the decoder left it (as in a pull):
reaching each row's ``Pi``, hashing it, the window's set operations.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import operator
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import orjson
from yarl import URL

from asyncsemrush import _leaf
from asyncsemrush.pagination import REPEAT_WINDOW, RepeatWindow
from asyncsemrush.transports import AiohttpTransport, Outgoing
from asyncsemrush.transports import _aiohttp as aiohttp_transport

from ._wire_server import page_body
from .decode import reference_row
from .figures import KEY, PATH, page_query
from .run import interleaved, masks_of, wire_server

ROUNDS = 9


def medians(variants: dict[str, Callable[[], float]], rounds: int = ROUNDS) -> dict[str, float]:
    """Each variant's median over ``rounds`` (each returns its own figure), interleaved
    (:func:`benchmarks.run.interleaved`), after a collection before each."""

    def collected_first(run: Callable[[], float]) -> Callable[[], float]:
        def once() -> float:
            gc.collect()
            return run()

        return once

    runs = {name: collected_first(run) for name, run in variants.items()}
    got = interleaved(runs, rounds, random.Random(1))
    return {name: statistics.median(values) for name, values in got.items()}


class _NoClock:
    """An attempt clock that never fires (the measurement only)."""

    def __init__(self, when: float | None) -> None:
        pass

    async def __aenter__(self) -> _NoClock:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def reschedule(self, when: float | None) -> None:
        pass


@contextlib.contextmanager
def clock_swapped(off: bool) -> Iterator[None]:
    """With ``off``, the transport's attempt clock is a no-op for the block."""
    names = vars(aiohttp_transport)  # the module's globals
    saved = names["_clock"]
    if off:
        names["_clock"] = _NoClock
    try:
        yield
    finally:
        names["_clock"] = saved


def transport(requests: int = 1_000) -> None:
    import aiohttp

    masks, _ = masks_of("2x7")
    with wire_server(1_000, "2x7") as base:
        query = page_query(masks, 0, 100)
        plain, accept = base + PATH, {"Accept": "application/json"}
        unkeyed = URL(plain).with_query({k: v for k, v in query.items() if k != "key"})
        outgoing = Outgoing(
            "GET",
            unkeyed,
            accept,
            authorize=lambda url, headers: (url.extend_query(key=KEY), headers),
        )

        async def ready() -> None:
            pass

        def timed(send: Callable[[], Awaitable[Any]]) -> float:
            async def loop() -> float:
                await send()  # the connection opened outside the measurement
                start = time.process_time()
                for _ in range(requests):
                    await send()
                return (time.process_time() - start) / requests * 1e6

            return asyncio.run(loop())

        def bare() -> float:
            session: aiohttp.ClientSession | None = None

            async def send() -> bytes:
                nonlocal session
                session = session or aiohttp.ClientSession()
                # the URL built from its query each time, as the bare figures do
                async with session.get(plain, params=query, headers=accept) as r:
                    assert r.status == 200
                    return await r.read()

            try:
                return timed(send)
            finally:
                if session is not None:
                    asyncio.run(session.close())

        def library(without_clock: bool = False) -> float:
            own = AiohttpTransport(max_response_bytes=64 << 20)

            async def send() -> Any:
                answer = await own.send(outgoing, on_ready=ready, timeout=60.0)
                assert answer.status == 200
                return answer

            try:
                with clock_swapped(without_clock):
                    return timed(send)
            finally:
                asyncio.run(own.close())

        got = medians({"bare": bare, "transport": library, "no clock": lambda: library(True)})
    over = got["transport"] - got["bare"]
    clock = got["transport"] - got["no clock"]
    print(
        f"CPU a request: bare session.get {got['bare']:.1f} us, the library's transport "
        f"{got['transport']:.1f} us ({over:+.1f} us); its attempt clock {clock:.1f} us of that"
    )


def repeats(size: int = 1_000, rows: int = 40_000) -> None:
    encoded = [orjson.dumps(reference_row(i)) for i in range(rows)]
    bodies = [page_body(encoded[o : o + size], rows, size, o) for o in range(0, rows, size)]
    window_rows = max(REPEAT_WINDOW, 5 * size)  # the library's at prefetch 4
    pi = operator.itemgetter("Pi")

    def per_row(step: Callable[[list[Any], RepeatWindow], object]) -> Callable[[], float]:
        def run() -> float:
            window, spent = RepeatWindow(), 0.0
            for body in bodies:
                items = _leaf.ordered(orjson.loads(body)["data"])
                start = time.process_time()
                step(items, window)
                spent += time.process_time() - start
            return spent / rows * 1e9

        return run

    def whole(items: list[Any], window: RepeatWindow) -> None:
        assert window.admit(list(map(pi, items)), window_rows)

    got = medians(
        {
            "reach": per_row(lambda items, _: list(map(pi, items))),
            "hash": per_row(lambda items, _: list(map(hash, map(pi, items)))),
            "whole": per_row(whole),
        }
    )
    print(
        f"the repeat check a row (2 x 7, pages of {size:,}, a window of {window_rows:,}): "
        f"{got['whole']:.0f} ns: reaching each Pi {got['reach']:.0f}, hashing it "
        f"{got['hash'] - got['reach']:.0f}, the window's sets {got['whole'] - got['hash']:.0f}"
    )


def pull(size: int = 100, conc: int = 1, rows: int = 20_000) -> None:
    from . import consumers, figures, spine

    masks, day = masks_of("2x7")
    read = consumers.read_dict(masks.split(":")[0], day)

    def library(parts: set[str], clock: bool = False) -> Callable[[str], object]:
        def run(base: str) -> object:
            restore = spine.without(parts)
            try:
                with clock_swapped(clock):
                    return asyncio.run(
                        figures.library(base, masks, rows, size, conc, read, raw=True)
                    )
            finally:
                restore()

        return run

    three = {"repeats", "ledger", "budget"}
    figures_of: dict[str, Callable[[str], object]] = {
        "bare": lambda base: asyncio.run(figures.bare_aiohttp(base, masks, rows, size, conc, read)),
        "flat": lambda base: asyncio.run(figures.bare_guarded(base, masks, rows, size, conc, read)),
        "library": library(set()),
        "without the repeat check": library({"repeats"}),
        "without the ledger entry": library({"ledger"}),
        "without the attempt clock": library(set(), clock=True),
        "without all four (the budget too)": library(three, clock=True),
    }
    with wire_server(rows, "2x7") as base:

        def timed(run: Callable[[str], object]) -> Callable[[], float]:
            def once() -> float:
                start = time.process_time()
                run(base)
                return (time.process_time() - start) / rows * 1e6

            return once

        got = medians({name: timed(run) for name, run in figures_of.items()}, rounds=7)
    bare = got["bare"]
    print(f"raw dicts, 2 x 7, pages of {size:,}, {conc} in flight: CPU a row")
    for name, value in got.items():
        over = (value - bare) * size
        print(
            f"  {name}: {value:.2f} us, {value / bare:.3f}x the bare client's ({over:+.0f} us a page)"
        )


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["pull"]:
        pull(*(int(a) for a in args[1:3]))
    elif args[:1] == ["transport"]:
        transport()
    elif args[:1] == ["repeats"]:
        repeats(int(args[1]) if len(args) > 1 else 1_000)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
