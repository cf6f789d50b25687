"""Many worker processes, one budget and one rate limit: on Redis and on SQLite."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncsemrush.sandbox import Faults, Sandbox
from asyncsemrush.sandbox._server import densest_window

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real redis-server on a free loopback port (CI installs Debian's package)."""
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def workers(args: list[list[str]], timeout: float = 90) -> list[list[dict[str, int]]]:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.reliability._worker", *a, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for a in args
    ]  # fmt: skip
    outs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), timeout)
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
    return [[json.loads(line) for line in out.decode().splitlines()] for out, _ in outs]


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(keywords=4000, rate_limit=None, units=10**9) as sandbox:
        yield sandbox


def common(sb: Sandbox) -> list[str]:
    return ["--base-url", sb.base_url, "--key", sb.api_key, "--campaign", sb.campaign_id]


#: How far the sandbox's arrival stamps may trail the starts. The sandbox runs in the
#: test's own process and stamps a request when its handler runs: on two loaded cores
#: (four workers, late in the suite) a stamp trailed its start by enough to put 12
#: arrivals in 0.95 s while the starts were spaced (four CI runs in ten). The spacing
#: itself is checked exactly, on the starts the workers took.
SERVER_STAMP_JITTER = 0.2
#: How far a worker's stamp of a start may trail the grant itself (its task resumes
#: after the SQLite thread or the Redis reply, on a loaded loop).
START_STAMP_JITTER = 0.02


def check_shared_limits(sb: Sandbox, limit: int, outs: list[list[dict[str, Any]]]) -> None:
    arrivals = sorted(r.time for r in sb.requests)
    # when each worker's rate slot was granted, on the machine's monotonic clock (one
    # clock for all processes, and the sandbox's)
    starts = sorted(t for lines in outs for t in lines[-1]["granted"])
    assert sb.units_charged <= limit  # one budget for all processes
    assert sb.units_charged >= limit - 64 * 1000  # and it was really used
    assert len(starts) == len(arrivals)  # every request took a slot
    # 10 per second across the four processes: any 11 starts span a second, less the
    # limiter's 2 ms tolerance and the stamp's own delay (taken when the worker's task
    # resumes after the grant: 5 ms late seen in CI); four unshared limiters would start
    # 40 a second
    most, dense = densest_window(starts, 1.0 - 0.002 - START_STAMP_JITTER)
    assert most <= 10, f"starts {[round(t - dense[0], 3) for t in dense[:12]]}"
    # the sandbox sees the same, give or take its stamping delay
    most, dense = densest_window(arrivals, 1.0 - SERVER_STAMP_JITTER)
    near = [t for t in starts if t >= dense[0] - 0.5][:12]
    assert most <= 10, (
        f"arrivals {[round(t - dense[0], 3) for t in dense[:12]]}; "
        f"starts {[round(t - dense[0], 3) for t in near]}"
    )
    # the rate was used: a shared limiter that held slots back (one process at a time,
    # every other slot idle) would start 5 a second or fewer. Four workers and the
    # sandbox on two loaded cores reached 7.1, 7.6, 8.0, 8.8 and 9.0 a second on
    # 2026-12-02 (in CI and alone, with and without that day's rows change): the
    # workers' own CPU, not the limiter, so the bound is well below the limit of 10
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) >= 5.0
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) <= 10.0 + 0.2  # and no more


@pytest.mark.slow
async def test_four_redis_workers_share_one_budget_and_rate(sb: Sandbox, redis_url: str) -> None:
    outs = await workers([["--store", "redis", "--redis", redis_url, *common(sb)]] * 4)
    check_shared_limits(sb, 100_000, outs)
    spent = sum(lines[-1]["spent"] for lines in outs)
    assert spent == sb.units_charged  # the ledgers of all workers add up to the charge


@pytest.mark.slow
async def test_four_sqlite_workers_share_one_budget_and_rate(sb: Sandbox, tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    outs = await workers([["--store", "sqlite", "--db", str(db), *common(sb)]] * 4)
    check_shared_limits(sb, 100_000, outs)
    assert sum(lines[-1]["spent"] for lines in outs) == sb.units_charged


@pytest.mark.slow
async def test_kill_9_reservations_are_reclaimed_and_the_ledger_survives(
    redis_url: str, tmp_path: Path
) -> None:
    import redis.asyncio as aioredis

    async with Sandbox(
        keywords=4000, rate_limit=None, units=10**9, faults=Faults(latency=1.0)
    ) as sb:
        ledger_file = tmp_path / "victim.sqlite"
        victim = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.reliability._worker", "--store", "redis", "--redis", redis_url,
            "--lease", "3", "--ledger", str(ledger_file), *common(sb), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert victim.stdout is not None
        settled = 0
        while settled < 5:  # let it settle a few requests, then kill it mid-flight
            line = await asyncio.wait_for(victim.stdout.readline(), 30)
            settled += "settled" in line.decode()
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        r = aioredis.from_url(redis_url)
        state = {k.decode(): int(v) for k, v in (await r.hgetall("test:state")).items()}
        assert state["reserved"] > 0  # it died holding reservations
        await asyncio.sleep(3.2)  # the lease runs out
        survivor = await workers(
            [["--store", "redis", "--redis", redis_url, "--lease", "3", *common(sb)]]
        )
        assert survivor[0][-1]["reclaimed"] > 0  # the survivor reclaimed them (and logged it)
        state = {k.decode(): int(v) for k, v in (await r.hgetall("test:state")).items()}
        assert state["reserved"] == 0
        assert state["spent"] + state["reserved"] <= 100_000
        assert sb.units_charged <= state["spent"]  # reclaimed units count in full: never under
        await r.aclose()
    from asyncsemrush.stores.sqlite import SqliteLedger

    saved = SqliteLedger(ledger_file)
    try:
        assert saved.entries() >= settled  # every settled entry survived the kill
        assert sum(row["requests"] for row in saved.spend()) == saved.entries()
    finally:
        saved.close()
