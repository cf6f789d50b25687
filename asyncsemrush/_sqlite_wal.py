"""Putting a SQLite file that several processes open at once in WAL mode.

SQLite runs no busy handler for ``PRAGMA journal_mode=WAL``: when two processes open a
fresh file at the same moment, the one that does not get the exclusive lock is told
"database is locked" at once, whatever ``busy_timeout`` says. WAL is a property of the
file, so the mode is read first (no lock needed once any process has switched it) and
the switch is retried, with growing pauses, until ``timeout``.
"""

from __future__ import annotations

import sqlite3
import time


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says another connection holds the file (worth waiting for)."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def use_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Put the file of ``conn`` in WAL mode, waiting up to ``timeout`` seconds for the
    other connections that hold it; past that, ``sqlite3.OperationalError``."""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        try:
            if _mode(conn, "PRAGMA journal_mode") == "wal":
                return
            if _mode(conn, "PRAGMA journal_mode=WAL") == "wal":
                return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
        left = deadline - time.monotonic()
        if left <= 0:
            raise sqlite3.OperationalError(
                f"database is locked: not switched to WAL mode within {timeout:g} s"
            )
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.1)


def _mode(conn: sqlite3.Connection, pragma: str) -> str:
    row = conn.execute(pragma).fetchone()
    return str(row[0]).lower() if row else ""
