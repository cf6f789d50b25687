"""Shared stores for many workers: Redis (many machines) and SQLite (one machine).

``asyncsemrush.stores.redis`` needs the ``redis`` extra; ``asyncsemrush.stores.sqlite``
only the standard library.
"""

from .sqlite import SqliteBudgetStore, SqliteLedger, SqliteRateLimiter

__all__ = ["SqliteBudgetStore", "SqliteLedger", "SqliteRateLimiter"]
