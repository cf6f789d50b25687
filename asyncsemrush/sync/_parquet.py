"""A sync store as a partitioned Parquet dataset (``campaign=…/kind=…/date=…``) that
warehouses and DuckDB read (``read_parquet('root/**/*.parquet', hive_partitioning=1)``).

Workers syncing different campaigns write different directories, so they need no lock.
Needs ``pyarrow``: ``pip install 'asyncsemrush[parquet]'``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import orjson

from ._sync import PageRows, Progress, SyncTarget

# what a part file holds (campaign and date are the partition's)
_COLUMNS = ("keyword_id", "keyword", "tags", "cpc", "volume", "domain", "position",
            "landing_url", "serp_features")  # fmt: skip


class ParquetDataset:
    """Rows under ``root/campaign=ID/kind=organic/date=YYYY-MM-DD/`` (one file per page
    and date, named by its pull and offset: a page written twice replaces itself), the
    sync's state in ``…/kind=organic/_sync-….json`` (replaced atomically after each
    page). One set of url masks per campaign and kind in one dataset."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"ParquetDataset({str(self.root)!r})"

    def _campaign_dir(self, target: SyncTarget) -> Path:
        return self.root / f"campaign={target.campaign}" / f"kind={target.kind}"

    def _state_path(self, target: SyncTarget) -> Path:
        tag = hashlib.blake2b(target.name.encode(), digest_size=6).hexdigest()
        return self._campaign_dir(target) / f"_sync-{tag}.json"

    def _state(self, target: SyncTarget) -> dict[str, Any]:
        try:
            state = orjson.loads(self._state_path(target).read_bytes())
        except FileNotFoundError:
            return {"dates": [], "progress": None}
        return state if isinstance(state, dict) else {"dates": [], "progress": None}

    def _save(self, target: SyncTarget, state: dict[str, Any]) -> None:
        path = self._state_path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(orjson.dumps(state))
        os.replace(partial, path)

    def stored_dates(self, target: SyncTarget) -> set[dt.date]:
        """The dates stored completely for ``target``."""
        return {dt.date.fromisoformat(d) for d in self._state(target)["dates"]}

    def progress(self, target: SyncTarget) -> Progress | None:
        """The pull a sync left unfinished, if any."""
        p = self._state(target).get("progress")
        if not p:
            return None
        dates = tuple(dt.date.fromisoformat(d) for d in p["dates"])
        return Progress(str(p["pull_id"]), dates, int(p["next_offset"]), p.get("total"))

    def begin(self, target: SyncTarget, progress: Progress) -> None:
        """Record a new pull; what an abandoned one wrote for these dates is removed."""
        for day in progress.dates:
            partition = self._partition(target, day)
            if partition.exists():
                shutil.rmtree(partition)
        state = self._state(target)
        state["progress"] = _progress_json(progress)
        self._save(target, state)

    def _partition(self, target: SyncTarget, day: dt.date) -> Path:
        return self._campaign_dir(target) / f"date={day.isoformat()}"

    def write_page(self, target: SyncTarget, rows: PageRows, progress: Progress) -> None:
        """The page's files (one per date, each written whole then renamed), then the
        state with the pull's new offset."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        keyword = {r[1]: r for r in rows.keywords}
        by_day: dict[dt.date, list[tuple[Any, ...]]] = {}
        for _, _, kid, domain, day, position, landing, features in rows.positions:
            _, _, text, tags, cpc, volume = keyword[kid]
            by_day.setdefault(day, []).append(
                (kid, text, tags, cpc, volume, domain, position, landing, features)
            )
        offset = progress.next_offset - len(rows.keywords)
        for day, values in by_day.items():
            arrays = list(zip(*values, strict=True))
            table = pa.table(
                {name: list(col) for name, col in zip(_COLUMNS, arrays, strict=True)},
                schema=_schema(pa),
            )
            partition = self._partition(target, day)
            partition.mkdir(parents=True, exist_ok=True)
            name = f"part-{progress.pull_id}-{offset:010d}.parquet"
            partial = partition / f".{name}.partial"
            pq.write_table(table, partial)
            os.replace(partial, partition / name)
        state = self._state(target)
        state["progress"] = _progress_json(progress)
        self._save(target, state)

    def complete(self, target: SyncTarget, progress: Progress) -> None:
        """The pull's dates are stored; the pull is forgotten."""
        state = self._state(target)
        dates = set(state["dates"]) | {d.isoformat() for d in progress.dates}
        state["dates"], state["progress"] = sorted(dates), None
        self._save(target, state)

    def close(self) -> None:
        """Nothing to release."""


def _progress_json(progress: Progress) -> dict[str, Any]:
    return {
        "pull_id": progress.pull_id,
        "dates": [d.isoformat() for d in progress.dates],
        "next_offset": progress.next_offset,
        "total": progress.total,
    }


def _schema(pa: Any) -> Any:
    return pa.schema(
        [
            ("keyword_id", pa.string()),
            ("keyword", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("cpc", pa.float64()),
            ("volume", pa.int64()),
            ("domain", pa.string()),
            ("position", pa.int32()),
            ("landing_url", pa.string()),
            ("serp_features", pa.list_(pa.string())),
        ]
    )
