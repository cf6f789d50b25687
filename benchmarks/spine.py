"""What the library's spine costs a request, without a network: a raw-dicts pull of
20,000 2 x 7 rows through a transport that answers from memory, counted by callgrind
(Debian's ``valgrind``), less the same pages decoded and read from memory (the floor).

``python -m benchmarks.spine [SIZE [WITHOUT]]`` prints the instructions a request over
the floor (pages of SIZE rows, default 10, so that the part a request dominates);
``WITHOUT`` (comma-separated: ``ledger``, ``repeats``, ``url``, ``budget``) swaps that
part of the spine for a no-op, to tell what it costs (a measurement only: the pull
keeps none of those guarantees then). Hash seed 0: counts agree within ~0.5 % from run to
run (object addresses still vary). ``python -m benchmarks.spine --time [SIZE]`` times
the same (CPU seconds, median of 7 rounds in a new order each, no valgrind): C code
such as an attrs class's ``__init__`` runs several instructions a nanosecond, the
interpreter's fewer, so a part's share of the instructions is not its share of the time.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from yarl import URL

from asyncsemrush import SemrushClient, _send, pagination
from asyncsemrush.dialects import semrush_v3
from asyncsemrush.transports import Outgoing, RawResponse

from . import consumers, figures
from ._instructions import CALLGRIND, instrument
from ._wire_server import page_body
from .decode import reference_row
from .run import collected, interleaved, masks_of

ROWS = 20_000


class MemoryTransport:
    """Answers each request with the next page, in order (a pull asks in order)."""

    def __init__(self, bodies: list[bytes]) -> None:
        self._bodies: Iterator[bytes] = iter(bodies)

    async def send(self, request: Outgoing, *, on_ready: Any, timeout: float) -> RawResponse:
        if on_ready is not None:
            await on_ready()
        return RawResponse(200, "application/json", next(self._bodies))

    async def close(self) -> None:
        pass


PARTS = ("ledger", "repeats", "url", "budget")


def without(parts: set[str]) -> Callable[[], None]:
    """Swap the named parts of the spine for no-ops (in this process); the function
    that puts them back."""

    async def no_reservation(self: Any, call: Any, *, again: bool = False) -> None:
        return None

    saved = [
        (_send.Sender, "_record", _send.Sender._record),
        (pagination.AsyncPaginator, "_check_repeats", pagination.AsyncPaginator._check_repeats),
        (semrush_v3, "build_url", semrush_v3.build_url),
        (_send.Sender, "_reserve", _send.Sender._reserve),
    ]
    if "ledger" in parts:
        _send.Sender._record = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    if "repeats" in parts:
        pagination.AsyncPaginator._check_repeats = lambda self, *args: None  # type: ignore[method-assign]
    if "url" in parts:
        url = URL("http://127.0.0.1/reports/v1/projects/1_2/tracking/")
        semrush_v3.build_url = lambda base, request: url
    if "budget" in parts:
        _send.Sender._reserve = no_reservation  # type: ignore[method-assign]

    def restore() -> None:
        for owner, name, value in saved:
            setattr(owner, name, value)

    return restore


def counted(size: int, parts: str, what: str) -> int:
    """Instructions of one pull (``what``: ``pull`` or ``floor``) in a fresh interpreter."""
    child = [sys.executable, "-m", "benchmarks.spine", str(size), parts, what]
    out = subprocess.run(
        [*CALLGRIND, *child],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return collected(out.stderr)


class Pull:
    """A raw-dicts pull of ``ROWS`` rows in pages of ``size``, and its floor."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.masks, day = masks_of("2x7")
        self.read = consumers.read_dict(self.masks.split(":")[0], day)
        encoded = [orjson.dumps(reference_row(i, 2, 7)) for i in range(ROWS)]
        self.bodies = [
            page_body(encoded[o : o + size], ROWS, size, o) for o in range(0, ROWS, size)
        ]
        self.expect = figures.floor(self.bodies, self.read)[1]

    async def _pull(self) -> int:
        transport = MemoryTransport(self.bodies)
        async with SemrushClient(
            figures.KEY, transport=transport, rate_limit=None, max_concurrency=4
        ) as sr:
            pager = sr.tracking("1_2").positions(self.masks, page_size=self.size, prefetch=4)
            checksum = 0
            async for row in pager.raw_rows():
                checksum += self.read(row)
            return checksum

    def run(self, what: str) -> None:
        """One pull through the spine (``pull``) or from memory (``floor``)."""
        got = (
            asyncio.run(self._pull())
            if what == "pull"
            else figures.floor(self.bodies, self.read)[1]
        )
        assert got == self.expect


def child(size: int, parts: set[str], what: str) -> int:
    pull = Pull(size)
    without(parts)
    pull.run("pull")  # the warm-up: imports, caches
    instrument(True)
    pull.run(what)
    instrument(False)
    return 0


def timed(size: int, rounds: int = 7) -> None:
    """CPU a request over the floor, the spine whole and without each part."""
    pull = Pull(size)
    variants = ["", *PARTS, ",".join(PARTS)]

    def cpu_of(name: str) -> Callable[[], float]:
        def once() -> float:
            restore = without(set(name.split(",")) - {"", "floor"})
            gc.collect()
            start = time.process_time()
            pull.run("floor" if name == "floor" else "pull")
            spent = time.process_time() - start
            restore()
            return spent

        return once

    cpu = interleaved(
        {name: cpu_of(name) for name in [*variants, "floor"]}, rounds, random.Random(1)
    )
    requests = ROWS // size
    floor, whole = statistics.median(cpu["floor"]), statistics.median(cpu[""])
    print(f"the spine: {(whole - floor) / requests * 1e6:.1f} us a request over the floor")
    for name in variants[1:]:
        part = (whole - statistics.median(cpu[name])) / requests * 1e6
        print(f"  without {name}: {part:.1f} us a request less")


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--time"]:
        timed(int(args[1]) if len(args) > 1 else 10)
        return 0
    size = int(args[0]) if args else 10
    parts = args[1] if len(args) > 1 else ""
    if len(args) > 2:
        return child(size, {p for p in parts.split(",") if p}, args[2])
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("needs valgrind (callgrind): apt-get install valgrind", file=sys.stderr)
        return 2
    pull, floor = counted(size, parts, "pull"), counted(size, parts, "floor")
    shown = f" without {parts}" if parts else ""
    print(
        f"the spine{shown}: {(pull - floor) / (ROWS // size):,.0f} instructions a request "
        "over the floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
