"""The benchmark harness: ``nox -s bench`` (full) or ``nox -s bench -- --quick``.

Every target is a ratio measured in this run against a baseline in this run: the median
of per-round ratios, each round running every figure once in a new random order, after
a warm-up, with ``gc.collect()`` before each pull. The baseline is the best bare client
(``benchmarks.figures``: pipelined, pages held as bytes, decoded in order with the GC
paused, each page dropped before the next); every figure's consumer reads what the
README's example reads, and checksums prove all figures read the same data. One line
per target: measured, target, PASS/FAIL; the exit code is non-zero on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import orjson

from asyncsemrush import SemrushClient, UnitBudget, _convert, models
from asyncsemrush.sandbox import Sandbox
from asyncsemrush.stores.sqlite import SqliteRateLimiter

from . import consumers, figures
from ._instructions import CALLGRIND
from .decode import SHAPES, page, shape_of

R = TypeVar("R")


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
def wire_server(rows: int, shape: str, mode: str = "prerender", **delay: float) -> Iterator[str]:
    """The page server in its own process; yields its base URL."""
    domains, dates = SHAPES[shape]
    args = [sys.executable, "-m", "benchmarks._wire_server", "--rows", str(rows), "--mode", mode]
    args += ["--domains", str(domains), "--dates", str(dates)]
    for name, value in delay.items():
        args += [f"--{name}", str(value)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = json.loads(proc.stdout.readline())["port"]
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def masks_of(shape: str) -> tuple[str, str]:
    """The report's url masks (as the ``url`` parameter) and the date a consumer reads."""
    masks, days = shape_of(*SHAPES[shape])
    return ":".join(masks), days[-1]


# ------------------------------------------------------------------ throughput


def measured(
    pull: Callable[[], Awaitable[tuple[int, int]]], expect: tuple[int, int]
) -> tuple[float, float]:
    """(rows/s, CPU seconds a row) of one pull in a fresh event loop, after a collection;
    its rows and checksum must be the expected ones."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    got = asyncio.run(pull())  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert got == expect, (got, expect)
    return expect[0] / wall, cpu / expect[0]


def interleaved(
    runs: Mapping[str, Callable[[], R]], rounds: int, rng: random.Random
) -> dict[str, list[R]]:
    """What each run returns, once a round, in a new random order each round, after one
    warm-up of each (so that drift between rounds hits every run alike)."""
    for run in runs.values():
        run()
    got: dict[str, list[R]] = {name: [] for name in runs}
    for _ in range(rounds):
        order = list(runs)
        rng.shuffle(order)
        for name in order:
            got[name].append(runs[name]())
    return got


def rounds_of(
    pulls: Mapping[str, Callable[[], Awaitable[tuple[int, int]]]],
    expect: tuple[int, int],
    rounds: int,
    rng: random.Random,
) -> dict[str, list[tuple[float, float]]]:
    """Every figure once a round (:func:`interleaved`), each pull :func:`measured`."""
    return interleaved(
        {name: partial(measured, pull, expect) for name, pull in pulls.items()}, rounds, rng
    )


def per_round(
    runs: dict[str, list[tuple[float, float]]], name: str, base: str, k: int = 0
) -> list[float]:
    """``name``'s figure over ``base``'s in each round (k=0: rows/s; k=1: CPU a row)."""
    return [x[k] / b[k] for x, b in zip(runs[name], runs[base], strict=True)]


def paired(runs: dict[str, list[tuple[float, float]]], name: str, base: str, k: int = 0) -> float:
    """The median over rounds of ``name``'s figure over ``base``'s in the same round
    (k=0: rows/s; k=1: CPU a row): drift between rounds cancels out."""
    return statistics.median(per_round(runs, name, base, k))


def spread(runs: dict[str, list[tuple[float, float]]], name: str, base: str) -> str:
    """``name``'s rows/s over ``base``'s: the median of the rounds' ratios and their
    range (the bare client against itself shows what this machine can resolve)."""
    ratios = sorted(per_round(runs, name, base))
    return f"{statistics.median(ratios):.3f}x ({ratios[0]:.3f}-{ratios[-1]:.3f})"


def throughput(res: Results, rows: dict[str, int], rounds: int, rng: random.Random) -> None:
    have_httpx = True
    try:
        import httpx  # noqa: F401
    except ImportError:
        have_httpx = False
        res.report("  (httpx not installed: its reference figure is left out)")
    for shape in sorted(SHAPES):
        n = rows[shape]
        masks, day = masks_of(shape)
        mask = masks.split(":")[0]
        read_w, read_t = consumers.read_dict(mask, day), consumers.read_typed(mask, day)
        mode = "prerender" if shape == "2x7" else "repeat"
        with wire_server(n, shape, mode) as base:
            for size in (100, 1000):
                bodies = asyncio.run(figures.fetch_all(base, masks, n, size))
                gc.collect()
                t0 = time.perf_counter()
                expect = figures.floor(bodies, read_w)
                floor_rate = n / (time.perf_counter() - t0)
                del bodies
                for conc in (1, 4, 16):
                    bare = partial(figures.bare_aiohttp, base, masks, n, size, conc, read_w)
                    pulls = {
                        "bare": bare,
                        "bare again": bare,  # the same client: how far rounds disagree
                        "checked": partial(
                            figures.bare_checked, base, masks, n, size, conc, read_w
                        ),
                        "guarded": partial(
                            figures.bare_guarded, base, masks, n, size, conc, read_w
                        ),
                        "typed": partial(
                            figures.library, base, masks, n, size, conc, read_t, raw=False
                        ),
                        "raw": partial(
                            figures.library, base, masks, n, size, conc, read_w, raw=True
                        ),
                    }
                    if have_httpx:
                        pulls["httpx"] = partial(
                            figures.bare_httpx, base, masks, n, size, conc, read_w
                        )
                    runs = rounds_of(pulls, expect, rounds, rng)
                    med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
                    tag = f"{shape}, page {size}, concurrency {conc}"
                    extra = f", httpx {med['httpx']:,.0f}" if have_httpx else ""
                    res.report(
                        f"  {tag}: floor {floor_rate:,.0f} rows/s, bare aiohttp {med['bare']:,.0f}"
                        f"{extra}, typed {med['typed']:,.0f}, raw dicts {med['raw']:,.0f}"
                    )
                    res.report(
                        f"    the bare client against itself {spread(runs, 'bare again', 'bare')}; "
                        f"bare + the repeat check {spread(runs, 'checked', 'bare')}; "
                        f"bare + the guarantees, flat {spread(runs, 'guarded', 'bare')}; "
                        f"raw dicts {spread(runs, 'raw', 'bare')}"
                    )
                    cpu = {k: paired(runs, k, "bare", k=1) for k in ("guarded", "raw", "typed")}
                    res.report(
                        "    CPU a row over the bare client's (the time a row costs, where "
                        "instructions a row do not see how fast each one runs): the guarantees, "
                        f"flat {cpu['guarded']:.3f}x; raw dicts {cpu['raw']:.3f}x; "
                        f"typed {cpu['typed']:.3f}x"
                    )
                    res.target(
                        f"typed / best bare client ({tag})",
                        paired(runs, "typed", "bare"),
                        ">=",
                        0.8,
                    )
                    res.target(
                        f"raw dicts / best bare client ({tag})",
                        paired(runs, "raw", "bare"),
                        ">=",
                        0.95,
                    )
                    if shape == "6x30":
                        res.target(
                            f"typed CPU a row / bare's ({tag})",
                            cpu["typed"],
                            "<=",
                            1.25,
                        )
            every(res, base, masks, n, shape, rounds, rng)


def every(
    res: Results, base: str, masks: str, n: int, shape: str, rounds: int, rng: random.Random
) -> None:
    """The consumer that reads every cell, at the default page size and prefetch."""
    bodies = asyncio.run(figures.fetch_all(base, masks, n, 1000))
    expect = figures.floor(bodies, consumers.every_dict)
    del bodies
    pulls = {
        "bare": partial(figures.bare_aiohttp, base, masks, n, 1000, 4, consumers.every_dict),
        "typed": partial(
            figures.library, base, masks, n, 1000, 4, consumers.every_typed, raw=False
        ),
    }
    runs = rounds_of(pulls, expect, rounds, rng)
    res.report(
        f"every cell read ({shape}, page 1000, prefetch 4): typed / bare "
        f"{paired(runs, 'typed', 'bare'):.3f}x rows/s, CPU a row {paired(runs, 'typed', 'bare', k=1):.3f}x"
    )


# ------------------------------------------------------------------ instructions


def collected(stderr: str) -> int:
    """The instructions callgrind counted (its ``==pid== Collected : N`` line)."""
    for line in stderr.splitlines():
        _, sep, count = line.partition("Collected :")
        if sep:
            return int(count.split()[0])
    raise ValueError("no 'Collected' line: did the child run under callgrind?")


def counted(figure: str, base: str, masks: str, day: str, rows: int, size: int) -> tuple[int, int]:
    """(checksum, instructions) of one figure's pull at concurrency 4, counted by
    callgrind in a fresh interpreter from its first request to its last row."""
    child = [sys.executable, "-m", "benchmarks._instructions", figure, base, masks, day]
    out = subprocess.run(
        [*CALLGRIND, *child, str(rows), str(size), "4"], capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["rows"] == rows, got
    return got["checksum"], collected(out.stderr)


def per_row_counts(per: dict[str, list[float]], name: str) -> str:
    """A figure's instructions a row (median, and range over its pulls), with the bare
    client's over it."""
    counts, bare = per[name], statistics.median(per["bare"])
    spread = f" ({min(counts):,.0f}-{max(counts):,.0f})" if len(counts) > 1 else ""
    ratio = "" if name == "bare" else f", {bare / statistics.median(counts):.3f}x"
    return f"{statistics.median(counts):,.0f}{spread}{ratio}"


def instructions(res: Results, rows: int, repeats: int) -> None:
    """The CPU work of each figure as instructions a row (callgrind): a count that the
    machine's spells do not move, so that a change of 1 % to the client shows. Not a
    target (the targets are rows/s); ``bare / figure`` is the rows/s ratio the figure
    would score if rows/s followed instructions. What it leaves out: the cost of an
    instruction (cache and memory behaviour), which callgrind does not time."""
    from concurrent.futures import ThreadPoolExecutor

    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        res.report(
            "  (valgrind not installed: instructions a row left out; apt-get install valgrind)"
        )
        return
    masks, day = masks_of("2x7")
    read = consumers.read_dict(masks.split(":")[0], day)
    names = ("bare", "guarded", "raw", "typed")
    jobs = [name for name in names for _ in range(repeats)]
    medians: dict[tuple[str, int], float] = {}
    with wire_server(rows, "2x7") as base:
        for size in (100, 1000):
            expect = figures.floor(asyncio.run(figures.fetch_all(base, masks, rows, size)), read)
            count = partial(counted, base=base, masks=masks, day=day, rows=rows, size=size)
            with ThreadPoolExecutor(max_workers=2) as pool:  # valgrind uses one core each
                done = list(pool.map(count, jobs))
            per: dict[str, list[float]] = {name: [] for name in names}
            for name, (checksum, instructions_) in zip(jobs, done, strict=True):
                assert checksum == expect[1], (name, checksum, expect)
                per[name].append(instructions_ / rows)
            res.report(
                f"  instructions a row (callgrind, 2x7, page {size}, concurrency 4, {rows:,} "
                f"rows; bare / figure): bare {per_row_counts(per, 'bare')}; bare + the "
                f"guarantees, flat {per_row_counts(per, 'guarded')}; raw dicts "
                f"{per_row_counts(per, 'raw')}; typed {per_row_counts(per, 'typed')}"
            )
            medians.update({(name, size): statistics.median(per[name]) for name in names})
    res.report("  " + overhead_split(medians, names[1:], (100, 1000)))


def overhead_split(
    medians: Mapping[tuple[str, int], float], names: Sequence[str], sizes: tuple[int, int]
) -> str:
    """Each figure's instructions over the bare client's, split into a part per request
    and a part per row: from its counts a row at two page sizes (``a / size + b`` at
    each). Which of the two a change moves tells where it acted."""
    small, big = sizes
    parts = []
    for name in names:
        d_small, d_big = (medians[name, s] - medians["bare", s] for s in sizes)
        per_row = (big * d_big - small * d_small) / (big - small)
        per_request = small * (d_small - per_row)
        parts.append(f"{name} {per_request:,.0f} a request + {per_row:,.0f} a row")
    return "over the bare client's instructions: " + "; ".join(parts)


# ------------------------------------------------------------------ structuring cost


def structuring(res: Results, rounds: int) -> None:
    """Per row, from a 1,000-row page in memory: decode, build the typed rows, then the
    reading consumer and the every-cell one, typed and over the wire's dicts."""

    def us(fn: Callable[[], Any], rows: int) -> float:
        times = []
        for _ in range(rounds):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times) / rows * 1e6

    for shape in sorted(SHAPES):
        rows = 1000 if shape == "2x7" else 200
        body = page(rows, *SHAPES[shape])
        data = orjson.loads(body)["data"]
        wire = list(data.values())
        typed = _convert.rows(data, models.PositionRow)
        masks, day = masks_of(shape)
        mask = masks.split(":")[0]
        read_w, read_t = consumers.read_dict(mask, day), consumers.read_typed(mask, day)
        decode = us(lambda b=body: orjson.loads(b), rows)
        built = us(lambda d=data: _convert.rows(d, models.PositionRow), rows)
        reads = us(lambda t=typed, f=read_t: [f(r) for r in t], rows)
        reads_w = us(lambda w=wire, f=read_w: [f(r) for r in w], rows)
        every_t = us(
            lambda d=data: [consumers.every_typed(r) for r in _convert.rows(d, models.PositionRow)],
            rows,
        )
        every_w = us(lambda w=wire: [consumers.every_dict(r) for r in w], rows)
        res.report(
            f"per row ({shape}): orjson decode {decode:.2f} us; typed: build {built:.2f}, "
            f"read 4 fields {reads:.2f}, build + every cell {every_t:.2f}; wire dicts: read 4 "
            f"fields {reads_w:.2f}, every cell {every_w:.2f}"
        )


# ------------------------------------------------------------------ memory


def child_peak(figure: str, base: str, masks: str, day: str, rows: int) -> tuple[int, float]:
    """(checksum, peak MiB) of one figure pulled in a fresh interpreter (page 1000, 4)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._child",
            figure,
            base,
            masks,
            day,
            str(rows),
            "1000",
            "4",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["rows"] == rows, got
    return got["checksum"], got["peak_kib"] / 1024


def memory(res: Results, big: int) -> None:
    masks, day = masks_of("2x7")
    peaks: dict[tuple[str, int], float] = {}
    for rows in (10_000, big):
        with wire_server(rows, "2x7", mode="repeat") as base:
            sums = set()
            for figure in ("bare", "typed"):
                checksum, peaks[figure, rows] = child_peak(figure, base, masks, day, rows)
                sums.add(checksum)
            assert len(sums) == 1, sums
    res.report(
        f"  peak memory (VmHWM of each fresh child, 2x7, page 1000, prefetch 4): bare "
        f"{peaks['bare', 10_000]:.0f} / {peaks['bare', big]:.0f} MiB, typed "
        f"{peaks['typed', 10_000]:.0f} / {peaks['typed', big]:.0f} MiB (10,000 / {big:,} rows)"
    )
    for rows in (10_000, big):
        res.target(
            f"typed peak memory / bare's ({rows:,} rows)",
            peaks["typed", rows] / peaks["bare", rows],
            "<=",
            1.2,
        )
    res.target(
        f"typed peak memory {big:,} rows / 10,000 rows",
        peaks["typed", big] / peaks["typed", 10_000],
        "<=",
        1.05,
    )


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


def realized_floor(delays: Mapping[int, float], rate: float) -> float:
    """The earliest any client that waits for the first page's ``total`` could end this
    pull, given the delays the server drew for each page (by offset): the first page at
    0, ends at its delay ``d0``; page ``k`` (k >= 1) cannot start before
    ``d0 + (k - 1) / rate`` and ends its own delay later; the pull ends with the last
    answer. (The server's render and transfer time, and the client's decode, are left
    out: the floor is a little lower than any real client can reach.)"""
    order = sorted(delays)
    first = delays[order[0]]
    ends = [first] + [first + (k - 1) / rate + delays[o] for k, o in enumerate(order) if k]
    return max(ends)


def at_the_limit(res: Results, n: int) -> None:
    """A pull of ``n`` pages at the account's limit (10/s), the default page size (1000)
    and prefetch (which follows the rate limit), each answer 300 +- 100 ms late. The
    target's floor is the realized one (:func:`realized_floor`: from the delays the
    server drew in that pull), the ratio taken pull by pull; also reported, the floors
    at the mean latency L: ``2 L + (n - 2) / 10`` for a client that waits for ``total``
    (as the default does, issue 13), ``L + (n - 1) / 10`` for one that knew it
    beforehand; and, as the reference, a bare client paced at exactly 10/s
    (:func:`figures.bare_paced`) against its own realized floor: what the render,
    transfer and decode that the floor leaves out cost any client."""
    import urllib.request

    latency, rate = 0.3, 10.0
    masks, _ = masks_of("2x7")
    walls: dict[str, list[float]] = {"default": [], "speculate": [], "bare": [], "sqlite": []}
    ratios: dict[str, list[float]] = {"default": [], "bare": [], "sqlite": []}
    shared = tempfile.mkdtemp(prefix="asyncsemrush-bench-")
    with wire_server(n * 1000, "2x7", mode="repeat", latency=latency, jitter=0.1) as base:

        def drawn() -> dict[int, float]:
            with urllib.request.urlopen(base + "/delays") as answer:  # loopback only
                return {int(k): v for k, v in json.loads(answer.read()).items()}

        for _ in range(3):
            for name in walls:

                async def pull(speculate: bool = name == "speculate", kind: str = name) -> int:
                    limit: Any = rate
                    if kind == "sqlite":  # the shared limiter, on a file of its own a pull
                        limit = SqliteRateLimiter(Path(shared) / f"{time.time_ns()}", rate=rate)
                    async with SemrushClient(figures.KEY, base_url=base, rate_limit=limit) as sr:
                        pager = sr.tracking("1_2").positions(masks, speculate=speculate)
                        got = 0
                        async for _row in pager.raw_rows():
                            got += 1
                        return got

                async def paced() -> int:
                    got, _ = await figures.bare_paced(base, masks, 1000, rate, 8, lambda _: 1)
                    return got

                drawn()  # (forget the other figure's)
                t0 = time.perf_counter()
                assert asyncio.run(paced() if name == "bare" else pull()) == n * 1000
                wall = time.perf_counter() - t0
                walls[name].append(wall)
                if name in ratios:
                    ratios[name].append(wall / realized_floor(drawn(), rate))
    shutil.rmtree(shared, ignore_errors=True)
    waiting = 2 * latency + (n - 2) / rate
    knowing = latency + (n - 1) / rate
    med = {k: statistics.median(v) for k, v in walls.items()}
    res.report(
        f"  {n} pages of 1,000 at 10/s, 300 +- 100 ms: floors at the mean latency {waiting:.2f} s "
        f"(waits for total) and {knowing:.2f} s (knows it); default {med['default']:.2f} s "
        f"({med['default'] / waiting:.3f}x the first), speculate=True {med['speculate']:.2f} s"
    )
    res.target(
        "time to pull / its realized floor (default settings)",
        statistics.median(ratios["default"]),
        "<=",
        1.01,
    )
    pulls = {k: ", ".join(f"{r:.3f}" for r in v) for k, v in ratios.items()}
    res.report(
        "the bare client paced at exactly 10/s / its realized floor: "
        f"{statistics.median(ratios['bare']):.3f}x (pulls {pulls['bare']}; "
        f"the library's: {pulls['default']})"
    )
    res.report(
        "through SqliteRateLimiter / its realized floor: "
        f"{statistics.median(ratios['sqlite']):.3f}x (pulls {pulls['sqlite']})"
    )
    res.report(f"speculate=True / the floor that knows total: {med['speculate'] / knowing:.3f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a routine run, about 3 minutes")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: throughput,instructions,structuring,memory,budget,rate,limit",
    )
    parser.add_argument("--seed", type=int, default=None, help="the round orders' seed")
    args = parser.parse_args()
    quick = args.quick
    only = set(filter(None, args.only.split(",")))
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    res = Results()
    started = time.monotonic()
    res.report(
        f"# {'quick' if quick else 'full'} run, {dt.date.today()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.machine()}, seed {seed}"
    )
    want = lambda name: not only or name in only  # noqa: E731
    if want("throughput"):
        rows = {"2x7": 10_000, "6x30": 2_000} if quick else {"2x7": 100_000, "6x30": 10_000}
        throughput(res, rows, rounds=3 if quick else 7, rng=rng)
    if want("instructions"):
        instructions(res, rows=4_000 if quick else 20_000, repeats=1 if quick else 2)
    if want("structuring"):
        structuring(res, rounds=5 if quick else 15)
    if want("memory"):
        memory(res, big=300_000 if quick else 1_000_000)
    if want("budget"):
        asyncio.run(budget_overhead(res, n=20_000 if quick else 100_000))
    if want("rate"):
        asyncio.run(rate_adherence(res, n=60 if quick else 300))
    if want("limit"):
        at_the_limit(res, n=30 if quick else 60)
    res.report(
        f"# {time.monotonic() - started:.0f} s; {'FAIL' if res.failed else 'all targets PASS'}"
    )
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
