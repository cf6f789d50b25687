"""What the library's spine costs a request, without a network: a raw-dicts pull of
20,000 2 x 7 rows through a transport that answers from memory, counted by callgrind
(Debian's ``valgrind``), less the same pages decoded and read from memory (the floor).

``python -m benchmarks.spine [SIZE [WITHOUT]]`` prints the instructions a request over
the floor (pages of SIZE rows, default 10, so that the part a request dominates);
``WITHOUT`` (comma-separated: ``ledger``, ``repeats``, ``url``, ``budget``) swaps that
part of the spine for a no-op, to tell what it costs (a measurement only: the pull
keeps none of those guarantees then). Hash seed 0: counts agree within ~0.5 % from run to
run (object addresses still vary).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
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
from .run import collected, masks_of

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


def without(parts: set[str]) -> None:
    """Swap the named parts of the spine for no-ops (for this process only)."""

    async def no_reservation(self: Any, call: Any, *, again: bool = False) -> None:
        return None

    if "ledger" in parts:
        _send.Sender._record = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    if "repeats" in parts:
        pagination.AsyncPaginator._check_repeats = lambda self, *args: None  # type: ignore[method-assign]
    if "url" in parts:
        url = URL("http://127.0.0.1/reports/v1/projects/1_2/tracking/")
        semrush_v3.build_url = lambda base, request: url
    if "budget" in parts:
        _send.Sender._reserve = no_reservation  # type: ignore[method-assign]


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


def main() -> int:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    parts = sys.argv[2] if len(sys.argv) > 2 else ""
    if len(sys.argv) > 3:
        return child(size, {p for p in parts.split(",") if p}, sys.argv[3])
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("needs valgrind (callgrind): apt-get install valgrind", file=sys.stderr)
        return 2
    pull, floor = counted(size, parts, "pull"), counted(size, parts, "floor")
    requests = ROWS // size
    shown = f" without {parts}" if parts else ""
    print(
        f"the spine{shown}: {(pull - floor) / requests:,.0f} instructions a request over the floor"
    )
    return 0


def child(size: int, parts: set[str], what: str) -> int:
    masks, day = masks_of("2x7")
    read = consumers.read_dict(masks.split(":")[0], day)
    encoded = [orjson.dumps(reference_row(i, 2, 7)) for i in range(ROWS)]
    bodies = [page_body(encoded[o : o + size], ROWS, size, o) for o in range(0, ROWS, size)]
    without(parts)

    async def pull() -> int:
        transport = MemoryTransport(bodies)
        async with SemrushClient(
            figures.KEY, transport=transport, rate_limit=None, max_concurrency=4
        ) as sr:
            pager = sr.tracking("1_2").positions(masks, page_size=size, prefetch=4)
            checksum = 0
            async for row in pager.raw_rows():
                checksum += read(row)
            return checksum

    expect = figures.floor(bodies, read)[1]
    assert asyncio.run(pull()) == expect  # the warm-up: imports, caches
    instrument(True)
    got = asyncio.run(pull()) if what == "pull" else figures.floor(bodies, read)[1]
    instrument(False)
    assert got == expect
    return 0


if __name__ == "__main__":
    sys.exit(main())
