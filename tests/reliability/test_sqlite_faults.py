"""SQLite stores under their own faults: a lock held by another process, a cancel at
each of their awaits, a wall clock that steps, a stamp from before a reboot."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from asyncsemrush import UnitBudget, errors
from asyncsemrush.stores.sqlite import SqliteBudgetStore, SqliteRateLimiter


@asynccontextmanager
async def locked(path: Path, seconds: float = 3.0, begin: str = "EXCLUSIVE") -> AsyncIterator[None]:
    """Another process holding the file's lock for ``seconds``: all of it (``EXCLUSIVE``)
    or its write lock (``IMMEDIATE``: readers go on, a switch to WAL cannot)."""
    code = (
        "import sqlite3, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        f"c.execute('BEGIN {begin}'); print('locked', flush=True)\n"
        f"time.sleep({seconds}); c.execute('ROLLBACK')\n"
    )
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"locked"
        yield
    finally:
        await holder.communicate()


async def test_a_budget_file_locked_by_another_process_is_a_typed_error_and_never_blocks(
    tmp_path: Path,
) -> None:
    """Issue 13: sqlite3.OperationalError escaped from the budget store."""
    path = tmp_path / "budget.sqlite"
    budget = UnitBudget(store=SqliteBudgetStore(path, limit=10_000, busy_timeout=0.5))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    beat = asyncio.ensure_future(ticker())
    try:
        async with locked(path):
            started = time.monotonic()
            with pytest.raises(errors.BudgetStoreError, match="locked"):
                await budget.reserve(1_000)
            took = time.monotonic() - started
    finally:
        beat.cancel()
    assert 0.4 < took < 2.5 and ticks >= 6  # the loop went on meanwhile
    reservation = await budget.reserve(1_000)  # the lock is gone: the store works again
    await reservation.settle(300)
    assert (budget.spent, budget.reserved) == (300, 0)


async def test_a_fresh_budget_file_another_process_holds_is_waited_for(tmp_path: Path) -> None:
    """CI, stop 31: four workers opening one fresh file at once; one failed with
    "database is locked" from ``PRAGMA journal_mode=WAL``, which SQLite does not retry
    whatever ``busy_timeout`` says."""
    path = tmp_path / "budget.sqlite"
    async with locked(path, seconds=0.6, begin="IMMEDIATE"):  # a fresh file, not yet WAL
        started = time.monotonic()
        store = await asyncio.to_thread(SqliteBudgetStore, path, limit=10_000, busy_timeout=5)
        took = time.monotonic() - started
    assert 0.3 < took < 4  # waited for the lock, then opened
    reservation = await UnitBudget(store=store).reserve(1_000)
    await reservation.settle(300)
    assert (await store.refresh()).spent == 300


async def test_a_budget_file_locked_past_the_timeout_at_open_is_a_typed_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "budget.sqlite"
    async with locked(path, seconds=2.0, begin="IMMEDIATE"):
        started = time.monotonic()
        with pytest.raises(errors.BudgetStoreError, match="locked") as caught:
            await asyncio.to_thread(SqliteBudgetStore, path, limit=10_000, busy_timeout=0.3)
        took = time.monotonic() - started
    assert str(path) in str(caught.value) and took < 1.5
    store = SqliteBudgetStore(path, limit=10_000)  # the lock is gone: it opens
    assert (await store.refresh()).limit == 10_000


EARLIER_VERSION = """
CREATE TABLE budget (name TEXT PRIMARY KEY, lim INTEGER, spent INTEGER, reserved INTEGER);
CREATE TABLE reservations (token TEXT PRIMARY KEY, name TEXT, amount INTEGER, expires REAL);
CREATE TABLE ledger (
    time TEXT, report_type TEXT, method TEXT, path TEXT, estimated INTEGER, actual INTEGER,
    lines INTEGER, attempts INTEGER, outcome TEXT, status INTEGER, error TEXT, attempt_log TEXT
);
INSERT INTO budget VALUES ('default', 10000, 700, 0);
"""


def open_at_once(path: Path, openers: int = 8) -> list[BaseException]:
    """``openers`` threads opening the budget file at one moment; what they raised."""
    failed: list[BaseException] = []
    start = threading.Barrier(openers)

    def open_it() -> None:
        start.wait()
        try:
            SqliteBudgetStore(path, limit=1).db.close()
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(openers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return failed


def test_workers_opening_a_file_of_an_earlier_version_at_once_all_open_it(
    tmp_path: Path,
) -> None:
    """Each opener saw a column missing and added it: 8 of 30 trials of 8 threads had
    one fail with "duplicate column name" (and, on a fresh file, 2 of 30 with "database
    is locked" from the switch to WAL)."""
    for trial in range(20):
        path = tmp_path / f"old-{trial}.sqlite"
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.executescript(EARLIER_VERSION)
        failed = open_at_once(path) + open_at_once(tmp_path / f"fresh-{trial}.sqlite")
        assert failed == [], (trial, failed[0])
        with contextlib.closing(sqlite3.connect(path)) as conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(ledger)")}
            kept = conn.execute("SELECT lim, spent FROM budget").fetchall()
        assert {"overrun", "saved"} <= columns and kept == [(10000, 700)]


def test_a_file_that_is_no_database_is_a_typed_error_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite"
    path.write_bytes(b"not a database at all " * 100)
    for make in (
        lambda: SqliteBudgetStore(path, limit=10_000),
        lambda: SqliteRateLimiter(path, rate=10),
    ):
        with pytest.raises(errors.BudgetStoreError, match="not a database") as caught:
            make()
        assert str(path) in str(caught.value)
    assert path.read_bytes() == b"not a database at all " * 100


async def test_a_cancel_during_reserve_leaves_no_reservation(tmp_path: Path) -> None:
    """Issue 13: a cancel during reserve committed a reservation (in its thread) that
    was later reclaimed as spent."""
    path = tmp_path / "budget.sqlite"
    store = SqliteBudgetStore(path, limit=10_000, lease=0.2)
    budget = UnitBudget(store=store)
    async with locked(path, seconds=0.6):  # the reserve's transaction waits for the lock
        task = asyncio.ensure_future(budget.reserve(5_000))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await asyncio.sleep(0.3)  # past the lease: a left-behind reservation would be reclaimed
    await budget.reserve(1)  # runs the reclaim
    state = await store.refresh()
    assert (state.spent, state.reserved) == (0, 1)


async def test_a_cancel_during_settle_keeps_the_ledger_entry(tmp_path: Path) -> None:
    """Issue 13: a cancel during settle lost the request's ledger entry (or raised
    RuntimeError('reservation already settled') on the way out)."""
    from aiohttp import web

    from .._server import ScriptedServer
    from ..conftest import make_client
    from ..test_transport import PAGE, POSITIONS, positions

    path = tmp_path / "budget.sqlite"
    store = SqliteBudgetStore(path, limit=10_000)
    go = asyncio.Event()

    async def answer(request: web.Request) -> web.StreamResponse:
        await go.wait()
        return web.json_response(PAGE)

    server = ScriptedServer()
    await server.start()
    try:
        server.default(POSITIONS, answer)
        async with make_client(server.base_url, budget=UnitBudget(store=store)) as sr:
            task = asyncio.ensure_future(sr._execute(positions(10)))
            await asyncio.wait_for(server.arrived.wait(), 5)
            async with locked(path, seconds=0.8):
                go.set()  # answered (and charged) while the file is locked
                await asyncio.sleep(0.3)  # the settle now waits for the lock
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
    finally:
        await server.stop()
    (entry,) = sr.ledger.entries
    assert (entry.outcome, entry.actual) == ("ok", 300)
    state = await store.refresh()
    assert (state.spent, state.reserved) == (300, 0)


async def test_a_wall_clock_step_forward_does_not_reclaim_a_live_reservation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: leases reclaimed a live 5,000-unit reservation after a +1 h step."""
    store = SqliteBudgetStore(tmp_path / "budget.sqlite", limit=10_000, lease=600)
    budget = UnitBudget(store=store)
    live = await budget.reserve(5_000)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)
    other = await budget.reserve(1_000)  # runs the reclaim, an hour "later"
    state = await store.refresh()
    assert (state.spent, state.reserved) == (0, 6_000)
    await live.settle(4_000)
    await other.settle(0)
    assert (await store.refresh()).spent == 4_000


async def test_a_lease_stamped_before_a_reboot_is_bounded_by_its_length(tmp_path: Path) -> None:
    """A monotonic stamp further ahead than a lease can reach comes from an earlier boot
    (the monotonic clock restarted): its process is gone, it is reclaimed."""
    store = SqliteBudgetStore(tmp_path / "budget.sqlite", limit=10_000, lease=600)
    store.db.transact(
        lambda c: (
            c.execute(
                "INSERT INTO reservations VALUES ('old', 'default', 2000, ?, 'monotonic')",
                (time.monotonic() + 10 * 86400,),
            ),
            c.execute("UPDATE budget SET reserved = reserved + 2000"),
        )
    )
    budget = UnitBudget(store=store)
    await (await budget.reserve(100)).settle(100)
    state = await store.refresh()
    assert (state.spent, state.reserved) == (2_100, 0)


async def test_the_rate_limiter_ignores_wall_clock_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: SqliteRateLimiter blocked 3,597 s after a -1 h step."""
    limiter = SqliteRateLimiter(tmp_path / "rate.sqlite", rate=4)
    await limiter.acquire()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 3600)
    started = time.monotonic()
    await asyncio.wait_for(limiter.acquire(), 5)
    await asyncio.wait_for(limiter.acquire(), 5)
    took = time.monotonic() - started
    assert 2 * 0.25 - 0.01 <= took < 1.0  # still spaced, never an hour


async def test_a_rate_slot_stamped_beyond_any_schedule_is_bounded(tmp_path: Path) -> None:
    """A slot stamped further ahead than one interval (a file from before a reboot, or
    an earlier version's wall-clock stamp) costs at most one interval."""
    path = tmp_path / "rate.sqlite"
    limiter = SqliteRateLimiter(path, rate=4)
    limiter.db.transact(
        lambda c: c.execute("INSERT INTO rate VALUES ('default', ?)", (time.time() + 3600,))
    )
    started = time.monotonic()
    await asyncio.wait_for(limiter.acquire(), 5)
    await asyncio.wait_for(limiter.acquire(), 5)
    assert time.monotonic() - started < 0.6
