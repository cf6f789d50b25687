"""Incremental sync of Position Tracking data into an embedded database or a dataset.

``await sr.tracking(campaign).sync(DuckDBStore("positions.duckdb"))`` stores what the
store lacks in one pull; ``ParquetDataset(root)`` writes a partitioned dataset instead.
"""

from ._duckdb import DuckDBStore
from ._parquet import ParquetDataset
from ._plan import CADENCES, Cadence, SyncPlan, cache_savings, plan_sync
from ._sync import Progress, SyncResult, SyncStore, SyncTarget, sync_positions

__all__ = [
    "CADENCES",
    "Cadence",
    "DuckDBStore",
    "ParquetDataset",
    "Progress",
    "SyncResult",
    "SyncStore",
    "SyncPlan",
    "SyncTarget",
    "cache_savings",
    "plan_sync",
    "sync_positions",
]
