"""One budget, one rate limit and a durable ledger for processes on one machine: SQLite.

Each operation is one ``BEGIN IMMEDIATE`` transaction (WAL mode), run in a worker
thread so the event loop never blocks on the file; a failing file (locked longer than
``busy_timeout``, unreadable) raises :class:`~asyncsemrush.errors.BudgetStoreError`. A
settled ledger entry is committed before the request's call returns, so a killed
process loses none, unless another process holds the file's lock: then the call returns
after half a second and a retry thread commits the entry once the lock is free.

Times are the machine's monotonic clock (shared by its processes), so a step of the
wall clock neither reclaims a live reservation nor stalls the rate limit; a stamp that
the monotonic clock cannot have made (one from before a reboot) is bounded: a lease
never outlives its length, a rate-limit slot is at most one interval away.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from .._ledger import LedgerEntry, UnitLedger
from .._limits import TOLERANCE, LoopLock, StartSchedule
from .._sqlite_wal import use_wal
from ..budget import BudgetState
from ..errors import BudgetStoreError
from ..params import integer, positive

log = logging.getLogger("asyncsemrush.budget")
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS budget (
    name TEXT PRIMARY KEY, lim INTEGER, spent INTEGER, reserved INTEGER
);
CREATE TABLE IF NOT EXISTS reservations (
    token TEXT PRIMARY KEY, name TEXT, amount INTEGER, expires REAL, clock TEXT
);
CREATE TABLE IF NOT EXISTS reclaimed (token TEXT, name TEXT, amount INTEGER, at REAL);
CREATE TABLE IF NOT EXISTS rate (name TEXT PRIMARY KEY, tat REAL);
-- each limiter's last starts (a table of its own: an earlier version, writing rate's
-- two columns, may share the file)
CREATE TABLE IF NOT EXISTS rate_starts (name TEXT PRIMARY KEY, starts TEXT);
CREATE TABLE IF NOT EXISTS ledger (
    time TEXT, report_type TEXT, method TEXT, path TEXT, estimated INTEGER, actual INTEGER,
    lines INTEGER, attempts INTEGER, outcome TEXT, status INTEGER, error TEXT, attempt_log TEXT,
    overrun INTEGER DEFAULT 0, saved INTEGER DEFAULT 0
);
"""


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """The columns a file written by an earlier version lacks."""
    for table, column, kind in (("ledger", "overrun", "INTEGER DEFAULT 0"),
                                ("ledger", "saved", "INTEGER DEFAULT 0"),
                                ("reservations", "clock", "TEXT")):  # fmt: skip
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


class _Db:
    """A connection used from worker threads, one transaction at a time."""

    def __init__(self, path: str | Path, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._busy = busy_timeout
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        try:
            use_wal(self._conn, busy_timeout)
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            # in one transaction: processes opening a file of an earlier version at
            # once each saw a column missing, and all but one failed to add it
            self._transact(_add_missing_columns)
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._failed(exc) from None

    def _failed(self, exc: sqlite3.Error) -> BudgetStoreError:
        return BudgetStoreError(f"SQLite store {self.path}: {exc}")

    def run_now(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn`` in one transaction in this thread (a constructor's), failing as :meth:`run`."""
        try:
            return self.transact(fn)
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def transact(self, fn: Callable[[sqlite3.Connection], T], timeout: float | None = None) -> T:
        with self._lock:
            if timeout is not None:  # how long to wait for another process's lock
                self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            try:
                return self._transact(fn)
            finally:
                if timeout is not None:
                    self._conn.execute(f"PRAGMA busy_timeout = {int(self._busy * 1000)}")

    def _transact(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(self._conn)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        return result

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn`` in one transaction, in a worker thread; a file that fails (locked
        past the busy timeout, unreadable, not a database) is a BudgetStoreError."""
        try:
            return await asyncio.to_thread(self.transact, fn)
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class SqliteBudgetStore:
    """A :class:`~asyncsemrush.budget.BudgetStore` in a SQLite file shared by processes.

    ``limit`` is used when the budget is first created in the file. Reservations carry
    a ``lease``; an expired one (its process died) is counted as spent in full and
    logged in the ``reclaimed`` table.
    """

    def __init__(
        self,
        path: str | Path,
        name: str = "default",
        *,
        limit: int,
        lease: float = 600.0,
        busy_timeout: float = 30.0,
    ) -> None:
        integer("limit", limit, minimum=0)
        positive("lease", lease, "seconds, a number > 0")
        busy_timeout = positive("busy_timeout", busy_timeout, "seconds, a number > 0")
        self.db = _Db(path, busy_timeout)
        self.name = name
        self.lease = lease
        self._state = BudgetState(limit, 0, 0)
        self.db.run_now(
            lambda c: c.execute("INSERT OR IGNORE INTO budget VALUES (?, ?, 0, 0)", (name, limit))
        )

    def _read(self, c: sqlite3.Connection) -> BudgetState:
        lim, spent, reserved = c.execute(
            "SELECT lim, spent, reserved FROM budget WHERE name = ?", (self.name,)
        ).fetchone()
        return BudgetState(lim, spent, reserved)

    def _reclaim(self, c: sqlite3.Connection, now: float) -> None:
        # expired by the monotonic clock; or stamped later than it can have been (before
        # a reboot); or (clock NULL) written by an earlier version against the wall clock
        expired = c.execute(
            "SELECT token, amount FROM reservations WHERE name = ? AND ("
            "(clock = 'monotonic' AND (expires <= ? OR expires > ?))"
            " OR (clock IS NULL AND expires <= ?))",
            (self.name, now, now + self.lease, time.time()),
        ).fetchall()
        for token, amount in expired:
            c.execute("DELETE FROM reservations WHERE token = ?", (token,))
            c.execute(
                "UPDATE budget SET reserved = reserved - ?, spent = spent + ? WHERE name = ?",
                (amount, amount, self.name),
            )
            c.execute("INSERT INTO reclaimed VALUES (?, ?, ?, ?)", (token, self.name, amount, now))
            log.warning("reclaimed an expired reservation of %d units; counted as spent", amount)

    async def try_reserve(self, amount: int) -> Hashable | None:
        token = uuid.uuid4().hex

        def op(c: sqlite3.Connection) -> tuple[bool, BudgetState]:
            now = time.monotonic()
            self._reclaim(c, now)
            state = self._read(c)
            if state.spent + state.reserved + amount > state.limit:
                return False, state
            c.execute(
                "UPDATE budget SET reserved = reserved + ? WHERE name = ?", (amount, self.name)
            )
            c.execute(
                "INSERT INTO reservations VALUES (?, ?, ?, ?, 'monotonic')",
                (token, self.name, amount, now + self.lease),
            )
            return True, BudgetState(state.limit, state.spent, state.reserved + amount)

        ok, self._state = await self.db.run(op)
        return token if ok else None

    async def settle(self, token: Hashable, actual: int) -> None:
        def op(c: sqlite3.Connection) -> BudgetState:
            row = c.execute(
                "SELECT amount FROM reservations WHERE token = ?", (str(token),)
            ).fetchone()
            if row is not None:
                c.execute("DELETE FROM reservations WHERE token = ?", (str(token),))
                c.execute(
                    "UPDATE budget SET reserved = reserved - ?, spent = spent + ? WHERE name = ?",
                    (row[0], actual, self.name),
                )
            return self._read(c)

        self._state = await self.db.run(op)

    async def set_limit(self, limit: int) -> None:
        def op(c: sqlite3.Connection) -> BudgetState:
            c.execute("UPDATE budget SET lim = ? WHERE name = ?", (limit, self.name))
            return self._read(c)

        self._state = await self.db.run(op)

    async def refresh(self) -> BudgetState:
        """Read the shared numbers now."""
        self._state = await self.db.run(self._read)
        return self._state

    def state(self) -> BudgetState:
        return self._state

    def close(self) -> None:
        """Close the file."""
        self.db.close()


class SqliteRateLimiter:
    """At most ``rate`` request starts per second across the processes sharing the file
    (the local limiter's rule: late starts made up, any rate + 1 starts span 1.002 s)."""

    def __init__(
        self,
        path: str | Path,
        name: str = "default",
        *,
        rate: float = 10.0,
        busy_timeout: float = 30.0,
    ) -> None:
        rate = positive("rate", rate, "requests per second, a number > 0")
        busy_timeout = positive("busy_timeout", busy_timeout, "seconds, a number > 0")
        self.db = _Db(path, busy_timeout)
        self.name = name
        self.rate = rate
        self.interval = StartSchedule(rate).interval
        self._lock = LoopLock()
        #: Slots granted while this event loop was blocked, and so left unused (each
        #: one puts this process's next start up to an interval later).
        self.slots_left_unused = 0

    async def acquire(self) -> None:
        """Wait for the next start slot shared by the processes (the rule of
        :class:`~asyncsemrush._limits.StartSchedule`, its state in the file). A slot
        granted while this event loop was blocked (the grant is made in a worker thread)
        is left unused and another is asked for: the request would leave later than
        the file says it started, closer to the starts after it."""
        came = time.monotonic()  # (one clock for every process of the machine)

        def op(c: sqlite3.Connection) -> tuple[float, float]:
            now = time.monotonic()
            slot = c.execute("SELECT tat FROM rate WHERE name = ?", (self.name,)).fetchone()
            kept = c.execute("SELECT starts FROM rate_starts WHERE name = ?", (self.name,))
            starts = kept.fetchone()
            schedule = StartSchedule(
                self.rate,
                -math.inf if slot is None or slot[0] is None else float(slot[0]),
                (float(t) for t in str(starts[0] or "").split()) if starts else (),
            )
            # later than any slot this clock can have given (a file from before a
            # reboot, or a wall-clock stamp of an earlier version): start afresh
            schedule.forget_future(now)
            earliest = schedule.earliest()
            if now < earliest:
                return earliest - now, now
            schedule.start(now, came)
            c.execute("INSERT OR REPLACE INTO rate VALUES (?, ?)", (self.name, schedule.next))
            kept_now = " ".join(repr(t) for t in schedule.starts)
            c.execute("INSERT OR REPLACE INTO rate_starts VALUES (?, ?)", (self.name, kept_now))
            return 0.0, now

        async with self._lock():  # one asker a process: no herd waking at each slot
            while True:
                wait, granted = await self.db.run(op)
                if wait <= 0:
                    if time.monotonic() - granted <= TOLERANCE:
                        return
                    self.slots_left_unused += 1  # granted while this loop was blocked
                    continue
                await asyncio.sleep(wait)


class SqliteLedger:
    """Every ledger entry, committed to a SQLite file as it is recorded.

    ``SqliteLedger(path).attach(client.ledger)``; read it back with :meth:`spend`
    (or ``asyncsemrush ledger FILE``).
    """

    #: Seconds a write waits for a lock held by another process before it is handed to
    #: the retry thread (it used to wait 30 s on the event loop, then raise).
    WAIT = 0.5

    def __init__(self, path: str | Path) -> None:
        self.db = _Db(path)
        self._pending: list[tuple[Any, ...]] = []
        self._pending_lock = threading.Lock()
        self._retrier: threading.Thread | None = None

    def attach(self, ledger: UnitLedger) -> None:
        """Write every entry ``ledger`` records from now on."""
        ledger.add_listener(self.write)

    def write(self, entry: LedgerEntry) -> None:
        """Commit one entry: on disk when the request returns, unless another process
        holds the file's lock for more than :attr:`WAIT` seconds; then the entry is kept
        and committed by a retry thread as soon as the lock is free (``flush()`` waits
        for it). Never raises into the request that was charged."""
        row = (
            entry.time.isoformat(), entry.report_type, entry.method, entry.path, entry.estimated,
            entry.actual, entry.lines, entry.attempts, entry.outcome, entry.status, entry.error,
            " ".join(entry.attempt_log), entry.overrun, entry.saved,
        )  # fmt: skip
        with self._pending_lock:
            if self._pending:  # keep the file's order: behind what is waiting
                self._pending.append(row)
                return
        try:
            self.db.transact(functools.partial(self._insert, rows=[row]), timeout=self.WAIT)
        except sqlite3.OperationalError as exc:
            log.warning("ledger file busy (%s): the entry is written when it is free", exc)
            with self._pending_lock:
                self._pending.append(row)
                self._start_retrier()

    @staticmethod
    def _insert(c: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        c.executemany("INSERT INTO ledger VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def _start_retrier(self) -> None:
        if self._retrier is None or not self._retrier.is_alive():
            self._retrier = threading.Thread(target=self._retry, daemon=True)
            self._retrier.start()

    def _retry(self) -> None:
        delay = 0.05
        while True:
            with self._pending_lock:
                rows = list(self._pending)
            if not rows:
                return
            try:
                self.db.transact(functools.partial(self._insert, rows=rows), timeout=self.WAIT)
            except sqlite3.OperationalError:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            with self._pending_lock:
                del self._pending[: len(rows)]

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until every entry is in the file; False if ``timeout`` seconds passed."""
        retrier = self._retrier
        if retrier is not None:
            retrier.join(timeout)
        with self._pending_lock:
            return not self._pending

    def spend(self) -> list[dict[str, Any]]:
        """Units spent by UTC day and report type."""
        rows = self.db.transact(
            lambda c: c.execute(
                "SELECT substr(time, 1, 10), report_type, "
                "SUM(outcome != 'cached'), SUM(attempts), SUM(actual), "
                "SUM(CASE WHEN outcome = 'uncertain' THEN actual ELSE 0 END), "
                "SUM(outcome = 'cached'), SUM(COALESCE(saved, 0)) "
                "FROM ledger GROUP BY 1, 2 ORDER BY 1, 2"
            ).fetchall()
        )
        return [
            {
                "day": d,
                "report_type": t,
                "requests": n,
                "attempts": a,
                "units": u,
                "uncertain": x,
                "cached": c,
                "saved": v,
            }
            for d, t, n, a, u, x, c, v in rows
        ]

    def read(self) -> list[LedgerEntry]:
        """Every entry in the file, oldest first."""
        import datetime as dt

        rows = self.db.transact(
            lambda c: c.execute(
                "SELECT time, report_type, method, path, estimated, actual, lines, attempts, "
                "outcome, status, error, attempt_log, overrun, saved FROM ledger ORDER BY rowid"
            ).fetchall()
        )
        return [
            LedgerEntry(
                time=dt.datetime.fromisoformat(t),
                report_type=rt,
                method=m,
                path=p,
                estimated=int(e or 0),
                actual=int(a or 0),
                lines=lines,
                attempts=int(n or 0),
                outcome=o,
                status=st,
                error=err,
                attempt_log=tuple((log_ or "").split()),
                overrun=int(ov or 0),
                saved=int(sv or 0),
            )
            for t, rt, m, p, e, a, lines, n, o, st, err, log_, ov, sv in rows
        ]

    def entries(self) -> int:
        """How many entries the file holds."""
        return int(
            self.db.transact(lambda c: c.execute("SELECT COUNT(*) FROM ledger").fetchone()[0])
        )

    def close(self) -> None:
        """Write what is waiting (up to a minute), then close the file."""
        self.flush()
        self.db.close()
