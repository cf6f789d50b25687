"""A sync store in one DuckDB file: typed tables a notebook or a warehouse reads.

Needs ``duckdb`` and ``pyarrow``: ``pip install 'asyncsemrush[duckdb]'``.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from ..errors import SyncStoreError
from ._sync import KEYWORD_COLUMNS, POSITION_COLUMNS, PageRows, Progress, SyncTarget

_SCHEMA = """
CREATE TABLE IF NOT EXISTS keywords (
    campaign VARCHAR, keyword_id VARCHAR, keyword VARCHAR, tags VARCHAR[], cpc DOUBLE,
    volume BIGINT, PRIMARY KEY (campaign, keyword_id)
);
CREATE TABLE IF NOT EXISTS positions (
    campaign VARCHAR, kind VARCHAR, keyword_id VARCHAR, domain VARCHAR, date DATE,
    position INTEGER, landing_url VARCHAR, serp_features VARCHAR[],
    PRIMARY KEY (campaign, kind, keyword_id, domain, date)
);
CREATE TABLE IF NOT EXISTS synced_dates (
    target VARCHAR, date DATE, PRIMARY KEY (target, date)
);
CREATE TABLE IF NOT EXISTS sync_progress (
    target VARCHAR PRIMARY KEY, pull_id VARCHAR, dates DATE[], next_offset BIGINT,
    total BIGINT
);
"""


class DuckDBStore:
    """``keywords`` (campaign, keyword_id → keyword, tags, cpc, volume: the latest seen),
    ``positions`` (campaign, kind, keyword_id, domain, date → position, landing_url,
    serp_features; ``NULL`` position: not ranking), ``synced_dates`` and
    ``sync_progress`` (the sync's own bookkeeping). Each page is one transaction with
    the pull's new offset, so a killed sync resumes where the file says."""

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._conn: Any = duckdb.connect(str(self.path))
            self._conn.execute(_SCHEMA)
        except duckdb.Error as exc:  # held by another process, not a DuckDB file, ...
            raise SyncStoreError(f"DuckDB file {self.path}: {exc}") from None

    def __repr__(self) -> str:
        return f"DuckDBStore({str(self.path)!r})"

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn, self._lock)

    def stored_dates(self, target: SyncTarget) -> set[dt.date]:
        """The dates stored completely for ``target``."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT date FROM synced_dates WHERE target = ?", [target.name]
            ).fetchall()
        return {r[0] for r in rows}

    def progress(self, target: SyncTarget) -> Progress | None:
        """The pull a sync left unfinished, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT pull_id, dates, next_offset, total FROM sync_progress WHERE target = ?",
                [target.name],
            ).fetchone()
        if row is None:
            return None
        pull_id, dates, offset, total = row
        return Progress(str(pull_id), tuple(sorted(dates)), int(offset), total)

    def begin(self, target: SyncTarget, progress: Progress) -> None:
        """Record a new pull."""
        with self._transaction() as c:
            c.execute("DELETE FROM sync_progress WHERE target = ?", [target.name])
            c.execute(
                "INSERT INTO sync_progress VALUES (?, ?, ?, ?, ?)",
                [target.name, progress.pull_id, list(progress.dates), 0, None],
            )

    def write_page(self, target: SyncTarget, rows: PageRows, progress: Progress) -> None:
        """One page and the pull's new offset, in one transaction."""
        import pyarrow as pa

        with self._transaction() as c:
            for table, columns, values in (
                ("keywords", KEYWORD_COLUMNS, rows.keywords),
                ("positions", POSITION_COLUMNS, rows.positions),
            ):
                if not values:
                    continue
                arrays = list(zip(*values, strict=True))
                page = pa.table(
                    {name: list(col) for name, col in zip(columns, arrays, strict=True)}
                )
                c.register("page", page)
                try:
                    c.execute(f"INSERT OR REPLACE INTO {table} SELECT * FROM page")
                finally:
                    c.unregister("page")
            c.execute(
                "UPDATE sync_progress SET next_offset = ?, total = ? WHERE target = ?",
                [progress.next_offset, progress.total, target.name],
            )

    def complete(self, target: SyncTarget, progress: Progress) -> None:
        """The pull's dates are stored; the pull is forgotten."""
        with self._transaction() as c:
            for day in progress.dates:
                c.execute("INSERT OR IGNORE INTO synced_dates VALUES (?, ?)", [target.name, day])
            c.execute("DELETE FROM sync_progress WHERE target = ?", [target.name])

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()


class _Transaction:
    def __init__(self, conn: Any, lock: threading.Lock) -> None:
        self._conn, self._lock = conn, lock

    def __enter__(self) -> Any:
        self._lock.acquire()
        self._conn.execute("BEGIN TRANSACTION")
        return self._conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            self._conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        finally:
            self._lock.release()
