"""The benchmark harness: ``nox -s bench`` (full) or ``nox -s bench -- --quick``.

Every target is a ratio measured in this run against a baseline in this run (the
median of per-round ratios, rounds interleaved and each in another order), never a
time compared with another machine. One line per target: measured, target,
PASS/FAIL; the exit code is non-zero on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import orjson

from asyncsemrush import SemrushClient, UnitBudget, _convert, models
from asyncsemrush.sandbox import Faults, Sandbox

from .decode import page

KEY = "0123456789abcdef" * 2  # a made-up key: the wire server does not check it
PATH = "/reports/v1/projects/1_2/tracking/"
MASKS = "*.alibaba.com/*:*.aliexpress.com/*"


class Results:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = False

    def target(self, name: str, measured: float, op: str, target: float, unit: str = "x") -> None:
        ok = measured >= target if op == ">=" else measured <= target
        self.failed |= not ok
        line = (
            f"{name}: {measured:.3f}{unit} (target {op} {target}{unit}) {'PASS' if ok else 'FAIL'}"
        )
        self.report(line)

    def report(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)


@contextmanager
def wire_server(rows: int, mode: str = "prerender") -> Iterator[str]:
    """The pre-rendered page server in its own process; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._wire_server", "--rows", str(rows), "--mode", mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = json.loads(proc.stdout.readline())["port"]
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()


def page_query(offset: int, size: int) -> dict[str, str]:
    """The query of one positions page, as the bare clients send it."""
    return {"key": KEY, "action": "report", "type": "tracking_position_organic",
            "url": MASKS, "display_offset": str(offset), "display_limit": str(size)}  # fmt: skip


def interleaved(figures: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each figure once a round, the order rotated every round, so that the machine's
    drift falls on every figure alike."""
    runs: dict[str, list[float]] = {name: [] for name in figures}
    order = list(figures)
    for _ in range(rounds):
        for name in order:
            runs[name].append(figures[name]())
        order = order[1:] + order[:1]
    return runs


# ------------------------------------------------------------------ throughput


async def baseline(base: str, rows: int, size: int, conc: int) -> int:
    """Raw aiohttp + orjson.loads of each page into dicts: the wire's speed."""
    offsets = list(range(0, rows, size))
    got = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conc)) as session:

        async def worker() -> None:
            nonlocal got
            while offsets:
                offset = offsets.pop(0)
                async with session.get(base + PATH, params=page_query(offset, size)) as resp:
                    data = orjson.loads(await resp.read())
                for _row in data["data"].values():
                    got += 1

        await asyncio.gather(*(worker() for _ in range(conc)))
    return got


async def client_pull(base: str, rows: int, size: int, conc: int, raw: bool) -> int:
    async with SemrushClient(KEY, base_url=base, rate_limit=None, max_concurrency=conc) as sr:
        pager = sr.tracking("1_2").positions(MASKS, page_size=size, prefetch=conc)
        got = 0
        if raw:
            async for _row in pager.raw_rows():
                got += 1
        else:
            async for _row in pager:
                got += 1
    return got


def timed(fn: Callable[[], Awaitable[int]], rows: int) -> float:
    t0 = time.perf_counter()
    got = asyncio.run(fn())  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    assert got == rows, (got, rows)
    return rows / elapsed


def paired(runs: dict[str, list[float]], name: str, base: str) -> float:
    """The median over rounds of ``name``'s figure over ``base``'s in the same round:
    drift between rounds (this machine's speed wanders by +-20 %) cancels out."""
    return statistics.median(x / b for x, b in zip(runs[name], runs[base], strict=True))


def throughput(res: Results, rows: int, rounds: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with wire_server(rows) as base:
        for size in (100, 1000):
            for conc in (1, 4, 16):
                pulls: dict[str, Callable[[], Awaitable[int]]] = {
                    "baseline": lambda s=size, c=conc: baseline(base, rows, s, c),
                    "typed": lambda s=size, c=conc: client_pull(base, rows, s, c, False),
                    "raw": lambda s=size, c=conc: client_pull(base, rows, s, c, True),
                }
                runs = interleaved(
                    {name: lambda p=pull: timed(p, rows) for name, pull in pulls.items()}, rounds
                )
                med = {k: statistics.median(v) for k, v in runs.items()}
                tag = f"page {size}, concurrency {conc}"
                res.report(
                    f"  throughput {tag}: baseline {med['baseline']:,.0f} rows/s, "
                    f"typed {med['typed']:,.0f}, raw dicts {med['raw']:,.0f}"
                )
                res.target(
                    f"typed rows / raw aiohttp+orjson ({tag})",
                    paired(runs, "typed", "baseline"),
                    ">=",
                    0.7,
                )
                res.target(
                    f"raw-dict mode / raw aiohttp+orjson ({tag})",
                    paired(runs, "raw", "baseline"),
                    ">=",
                    0.95,
                )
                figures[f"{size}/{conc}"] = med["typed"]
    return figures


# ------------------------------------------------------------------ structuring cost


def eager_row(raw: dict[str, Any]) -> dict[str, Any]:
    """A hand-written eager constructor: every map converted at once."""

    def pos(v: Any) -> int | None:
        return None if v == "" else int(v)

    def day(k: str) -> dt.date:
        return dt.date(int(k[:4]), int(k[4:6]), int(k[6:]))

    return {
        "keyword_id": str(raw["Pi"]),
        "keyword": raw["Ph"],
        "tags": tuple(raw["Tg"].values()) if raw["Tg"] else (),
        "cpc": float(raw["Cp"]) if raw["Cp"] != "" else None,
        "volume": int(raw["Nq"]) if raw["Nq"] != "" else None,
        "positions": {day(k): {m: pos(v) for m, v in c.items()} for k, c in raw["Dt"].items()},
        "types": {day(k): dict(c) for k, c in raw["Lt"].items()},
        "urls": {day(k): {m: v or None for m, v in c.items()} for k, c in raw["Lu"].items()},
        **{n: {m: pos(v) for m, v in raw[n].items()} for n in ("Be", "Fi")},
        **{n: dict(raw[n]) for n in ("Diff", "Diff1", "Diff7", "Diff30")},
    }


def structuring(res: Results, rounds: int) -> None:
    body = page(1000)
    data = orjson.loads(body)["data"]

    def us(fn: Callable[[], Any]) -> float:
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times) / 1000 * 1e6

    decode = us(lambda: orjson.loads(body))
    built = us(lambda: _convert.rows(data, models.PositionRow))
    eager = us(lambda: [eager_row(r) for r in data.values()])
    full = us(lambda: [r.validate() for r in _convert.rows(data, models.PositionRow)])
    res.report(
        f"structuring per row: orjson decode {decode:.2f} us, as built (lazy maps) {built:.2f} us, "
        f"hand-written eager {eager:.2f} us, as built + every map read {full:.2f} us"
    )


# ------------------------------------------------------------------ memory


MEMORY_CHILD = """
import asyncio, resource, sys
from asyncsemrush import SemrushClient
async def main(base, rows):
    async with SemrushClient("0123456789abcdef" * 2, base_url=base, rate_limit=None, max_concurrency=8) as sr:
        n = 0
        async for row in sr.tracking("1_2").positions("*.alibaba.com/*:*.aliexpress.com/*", page_size=1000, prefetch=4):
            n += 1
        assert n == rows, n
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory(res: Results, big: int) -> None:
    peaks = {}
    for rows in (10_000, big):
        with wire_server(rows, mode="repeat") as base:
            out = subprocess.run(
                [sys.executable, "-c", MEMORY_CHILD, base, str(rows)],
                capture_output=True,
                text=True,
                check=True,
            )
        peaks[rows] = int(out.stdout.strip().splitlines()[-1]) / 1024
    res.report(
        f"  peak RSS streaming 10,000 rows {peaks[10_000]:.0f} MiB, {big:,} rows {peaks[big]:.0f} MiB"
    )
    res.target(f"peak RSS {big:,} rows / 10,000 rows", peaks[big] / peaks[10_000], "<=", 1.3)


# ------------------------------------------------------------------ budget and limiter


async def budget_overhead(res: Results, n: int) -> None:
    budget = UnitBudget(10**12)
    t0 = time.perf_counter()
    for _ in range(n):
        r = await budget.reserve(100)
        await r.settle(50)
    single = (time.perf_counter() - t0) / n * 1e6

    async def task() -> None:
        for _ in range(10):
            r = await budget.reserve(100)
            await asyncio.sleep(0)
            await r.settle(50)

    t0 = time.perf_counter()
    await asyncio.gather(*(task() for _ in range(1000)))
    many = (time.perf_counter() - t0) / 10_000 * 1e6
    res.report(f"  reserve+settle: {single:.2f} us single task, {many:.2f} us with 1,000 tasks")
    res.target("reserve+settle with 1,000 concurrent tasks", many, "<=", 20.0, " us")


async def rate_adherence(res: Results, n: int) -> None:
    async with Sandbox(rate_limit=None) as sb:
        async with SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=10) as sr:
            await asyncio.gather(*(sr.balance() for _ in range(n)))
        times = sorted(r.time for r in sb.requests)
    rate = (n - 1) / (times[-1] - times[0])
    res.target(f"achieved rate at rate_limit=10 ({n} requests)", rate, ">=", 9.5, " req/s")
    res.target(
        "most requests in any 1-s window (server-side)",
        sb.max_requests_in_window(1.0),
        "<=",
        10,
        "",
    )


# ------------------------------------------------------------------ time at the limit


async def at_the_limit(res: Results, n: int) -> None:
    page_size = 10
    faults = Faults(latency=0.3, jitter=0.1, seed=1)
    floor = n / 10
    walls = {}
    for name, prefetch in (("concurrent", 10), ("sequential", 1)):
        async with Sandbox(keywords=n * page_size, faults=faults) as sb:
            async with SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=10) as sr:
                pager = sr.tracking(sb.campaign_id).positions(
                    sb.tracked_url, page_size=page_size, prefetch=prefetch
                )
                t0 = time.perf_counter()
                rows = 0
                async for _ in pager:
                    rows += 1
                walls[name] = time.perf_counter() - t0
            assert rows == n * page_size and len(sb.requests) == n
    res.report(
        f"  {n} requests at 10/s, 300 +- 100 ms latency: floor {floor:.1f} s, concurrent {walls['concurrent']:.1f} s, sequential {walls['sequential']:.1f} s"
    )
    res.target("time to pull / floor (n requests / rate)", walls["concurrent"] / floor, "<=", 1.05)
    res.report(
        f"sequential pull / floor: {walls['sequential'] / floor:.2f}x (what one-request-at-a-time clients take)"
    )


# ------------------------------------------------------------------ versus a sync client


def _sync_pull(base: str, rows: int) -> int:
    import json as stdjson

    import requests

    got = 0
    with requests.Session() as s:
        for offset in range(0, rows, 1000):
            resp = s.get(base + PATH, params=page_query(offset, 1000), timeout=60)
            got += len(stdjson.loads(resp.text)["data"])
    return got


def versus_sync(res: Results, rows: int, rounds: int) -> None:
    """What users run today (requests, sequential, json) against the typed client at
    page 1000, concurrency 16: interleaved rounds, like every other ratio."""
    with wire_server(rows) as base:

        def sync() -> float:
            t0 = time.perf_counter()
            assert _sync_pull(base, rows) == rows
            return rows / (time.perf_counter() - t0)

        def typed() -> float:
            return timed(lambda: client_pull(base, rows, 1000, 16, False), rows)

        runs = interleaved({"typed": typed, "sync": sync}, rounds)
    res.report(
        f"sync requests + json, sequential: {statistics.median(runs['sync']):,.0f} rows/s; "
        f"asyncsemrush typed (page 1000, concurrency 16): "
        f"{statistics.median(runs['typed']):,.0f} rows/s -> {paired(runs, 'typed', 'sync'):.2f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a routine run under 2 minutes")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: throughput,structuring,memory,budget,rate,limit,sync",
    )
    args = parser.parse_args()
    quick = args.quick
    only = set(filter(None, args.only.split(",")))
    res = Results()
    started = time.monotonic()
    res.report(
        f"# {'quick' if quick else 'full'} run, {dt.date.today()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    want = lambda name: not only or name in only  # noqa: E731
    if want("throughput"):
        throughput(res, rows=20_000 if quick else 100_000, rounds=5 if quick else 7)
    if want("structuring"):
        structuring(res, rounds=5 if quick else 15)
    if want("memory"):
        memory(res, big=300_000 if quick else 1_000_000)
    if want("budget"):
        asyncio.run(budget_overhead(res, n=20_000 if quick else 100_000))
    if want("rate"):
        asyncio.run(rate_adherence(res, n=60 if quick else 300))
    if want("limit"):
        asyncio.run(at_the_limit(res, n=60 if quick else 300))
    if want("sync"):
        versus_sync(res, rows=20_000 if quick else 100_000, rounds=5 if quick else 7)
    res.report(
        f"# {time.monotonic() - started:.0f} s; {'FAIL' if res.failed else 'all targets PASS'}"
    )
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
