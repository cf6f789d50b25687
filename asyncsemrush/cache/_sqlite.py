"""The response cache in one SQLite file (the default store: embedded, shared by the
processes of one machine)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .._sqlite_wal import is_busy, use_wal
from ._rules import FORMAT, TERMS_SECONDS, CachedAnswer

log = logging.getLogger("asyncsemrush.cache")
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cache_meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, project TEXT, stored REAL, status INTEGER, content_type TEXT,
    latest TEXT, worth INTEGER, digest TEXT, body BLOB
);
CREATE INDEX IF NOT EXISTS answers_project ON answers (project);
"""


class SqliteCacheStore:
    """Answers in a SQLite file. A file that is not a database, or a database this
    library did not make (another program's, another cache format), is left untouched
    and not used: a warning, and every lookup is a miss. An entry whose checksum does
    not match (a torn write, an edit) is deleted, never served. Entries older than 30
    days are deleted when the file is opened."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        self._busy = busy_timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._unusable: str | None = None  # why the file is not used

    def __repr__(self) -> str:
        return f"SqliteCacheStore({str(self.path)!r})"

    @property
    def usable(self) -> bool:
        """False once the file was found foreign or unreadable (then it is not used)."""
        return self._unusable is None

    # ------------------------------------------------------------------ the file

    def _open(self) -> sqlite3.Connection | None:
        if self._unusable is not None:
            return None
        if self._conn is not None:
            return self._conn
        conn = sqlite3.connect(
            str(self.path), timeout=self._busy, isolation_level=None, check_same_thread=False
        )
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if tables and "cache_meta" not in tables:
                self._refuse(conn, "a database this library did not make")
                return None
            use_wal(conn, self._busy)
            conn.executescript(_SCHEMA)
            conn.execute("INSERT OR IGNORE INTO cache_meta VALUES ('format', ?)", (FORMAT,))
            found = conn.execute("SELECT value FROM cache_meta WHERE name = 'format'").fetchone()
            if found is None or found[0] != FORMAT:
                self._refuse(conn, f"another cache format ({found[0] if found else '?'})")
                return None
            conn.execute("DELETE FROM answers WHERE stored < ?", (time.time() - TERMS_SECONDS,))
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):  # another process holds the file: a miss now, not a bad file
                conn.close()
                raise
            self._refuse(conn, str(exc))
            return None
        self._conn = conn
        return conn

    def _refuse(self, conn: sqlite3.Connection, why: str) -> None:
        conn.close()
        self._unusable = why
        log.warning("response cache %s is not used: %s", self.path, why)
        return None

    def _run(self, fn: Callable[[sqlite3.Connection], T], default: T) -> T:
        with self._lock:
            conn = self._open()
            if conn is None:
                return default
            try:
                return fn(conn)
            except sqlite3.DatabaseError as exc:
                if is_busy(exc):
                    raise  # another process holds it: this lookup is a miss, not the file
                self._conn = None
                self._refuse(conn, str(exc))
                return default

    # ------------------------------------------------------------------ the store

    async def get(self, key: str, project: str) -> CachedAnswer | None:
        """The verified answer under ``key``, or None."""
        return await asyncio.to_thread(self._run, lambda c: self._get(c, key), None)

    def _get(self, conn: sqlite3.Connection, key: str) -> CachedAnswer | None:
        row = conn.execute(
            "SELECT status, content_type, body, stored, latest, worth, digest FROM answers "
            "WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        try:
            status, content_type, body, stored, latest, worth, digest = row
            answer = CachedAnswer(int(status), str(content_type), bytes(body), float(stored),
                                  None if latest is None else str(latest), int(worth))  # fmt: skip
            good = answer.digest(key) == digest
        except (TypeError, ValueError):
            good = False
        if not good:
            log.warning("response cache %s: an entry failed its checksum; dropped", self.path)
            conn.execute("DELETE FROM answers WHERE key = ?", (key,))
            return None
        return answer

    async def put(self, key: str, project: str, answer: CachedAnswer) -> None:
        """Store ``answer`` (replacing what was under ``key``)."""
        row = (key, project, answer.stored, answer.status, answer.content_type, answer.latest,
               answer.worth, answer.digest(key), answer.body)  # fmt: skip

        def put(c: sqlite3.Connection) -> None:
            c.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?,?)", row)

        await asyncio.to_thread(self._run, put, None)

    async def invalidate(self, project: str) -> None:
        """Delete every answer of ``project``."""

        def drop(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM answers WHERE project = ?", (project,))

        await asyncio.to_thread(self._run, drop, None)

    async def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
