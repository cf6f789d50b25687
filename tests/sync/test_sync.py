"""Incremental sync against the sandbox (issue 17, item 2): what three syncs across
two new collected dates cost at the server, a killed sync resumed, two workers
syncing two campaigns into one Parquet dataset."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from asyncsemrush import SemrushClient
from asyncsemrush.sandbox import Faults, Sandbox

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from asyncsemrush.sync import DuckDBStore, ParquetDataset  # noqa: E402

KEYWORDS = 300


def client(sb: Sandbox) -> SemrushClient:
    return SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None)


async def sync(sb: Sandbox, store: Any, campaign: str | None = None, **kw: Any) -> Any:
    async with client(sb) as sr:
        return await sr.tracking(campaign or sb.campaign_id).sync(store, page_size=100, **kw)


def table(path: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "SELECT * FROM positions ORDER BY campaign, kind, keyword_id, domain, date"
        ).fetchall()


def paid(sb: Sandbox, kind: str) -> int:
    return sb.charged_by_type().get(kind, 0)


async def test_three_syncs_across_two_new_dates_cost_one_full_pull_and_one_more(
    tmp_path: Path,
) -> None:
    async with Sandbox(keywords=KEYWORDS, rate_limit=None, days=10) as sb:
        store = DuckDBStore(tmp_path / "positions.duckdb")
        first = await sync(sb, store)
        assert len(first.stored) == 10 and first.rows == KEYWORDS
        sb.collect_date()
        sb.collect_date()
        second = await sync(sb, store)
        assert len(second.stored) == 2 and second.rows == KEYWORDS
        third = await sync(sb, store)
        assert third.up_to_date and third.units == 100
        store.close()
        # at the server: two pulls of the keywords, three date checks, nothing else
        assert paid(sb, "tracking_position_organic") == 2 * KEYWORDS * 100
        assert paid(sb, "tracking_campaign_dates") == 3 * 100
        assert set(sb.charged_by_type()) == {"tracking_position_organic", "tracking_campaign_dates"}
        rows = table(tmp_path / "positions.duckdb")
        dates = {r[4] for r in rows}
        assert len(dates) == 12 and len(rows) == KEYWORDS * 12  # one domain: the campaign's
        # the stored rows are the service's: a fresh pull over the same range agrees
        async with client(sb) as sr:
            pager = sr.tracking(sb.campaign_id).positions(
                date_begin=min(dates), date_end=max(dates), page_size=100
            )
            fresh = {
                (r.keyword_id, d): p
                async for r in pager
                for d, cells in r.positions.items()
                for p in cells.values()
            }
        assert {(r[2], r[4]): r[5] for r in rows} == fresh


WORKER = """
import asyncio, sys
from asyncsemrush import SemrushClient
from asyncsemrush.sync import DuckDBStore

async def main():
    async with SemrushClient(sys.argv[1], base_url=sys.argv[2], rate_limit=None) as sr:
        await sr.tracking(sys.argv[3]).sync(DuckDBStore(sys.argv[4]), page_size=20)

asyncio.run(main())
"""


def test_a_sync_killed_with_sigkill_resumes_to_the_same_table(
    served: Sandbox, tmp_path: Path
) -> None:
    served.server.faults = Faults(latency=0.05)  # pages slow enough to kill it mid-pull
    killed, whole = tmp_path / "killed.duckdb", tmp_path / "whole.duckdb"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            served.api_key,
            served.base_url,
            served.campaign_id,
            str(killed),
        ]
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pages = [r for r in served.requests if r.report_type == "tracking_position_organic"]
        if len(pages) >= 10:  # (4 in flight: several committed)
            break
        time.sleep(0.01)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    served.server.faults = Faults()
    with duckdb.connect(str(killed)) as con:
        offset = con.execute("SELECT next_offset FROM sync_progress").fetchone()[0]
    assert 0 < offset < 300  # it died mid-pull, with pages committed

    resumed = asyncio.run(sync(served, store := DuckDBStore(killed)))
    store.close()
    assert resumed.resumed_from == offset and resumed.rows == 300 - offset
    asyncio.run(sync(served, store := DuckDBStore(whole)))
    store.close()
    assert table(killed) == table(whole)  # row by row


PARQUET_WORKER = """
import asyncio, sys
from asyncsemrush import SemrushClient
from asyncsemrush.sync import ParquetDataset

async def main():
    async with SemrushClient(sys.argv[1], base_url=sys.argv[2], rate_limit=None) as sr:
        result = await sr.tracking(sys.argv[3]).sync(ParquetDataset(sys.argv[4]), page_size=50)
        print(result.rows)

asyncio.run(main())
"""


def test_two_workers_sync_two_campaigns_into_one_parquet_dataset(
    served: Sandbox, tmp_path: Path
) -> None:
    world = served.server.world
    project = world.create_project("second", "example.org", [], [])
    second = world.enable_tracking(project, "*.example.org/*", "rootdomain", 2840, "desktop",
                                   generated=200)  # fmt: skip
    root = tmp_path / "dataset"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", PARQUET_WORKER, served.api_key, served.base_url, cid, str(root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for cid in (served.campaign_id, second.campaign_id)
    ]
    outs = [w.communicate(timeout=120)[0].strip() for w in workers]
    assert [w.returncode for w in workers] == [0, 0] and outs == ["300", "200"]
    with duckdb.connect() as con:
        counts = con.execute(
            f"SELECT campaign, count(*), count(DISTINCT date) FROM read_parquet("
            f"'{root}/**/*.parquet', hive_partitioning = 1) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    days = len(world.campaign(served.campaign_id)[1].dates)
    assert sorted(counts) == sorted(
        [(served.campaign_id, 300 * days, days), (second.campaign_id, 200 * days, days)]
    )
    again = asyncio.run(sync(served, ParquetDataset(root)))  # nothing new: the check alone
    assert again.up_to_date and again.units == 100


async def test_bad_input_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    from asyncsemrush import InvalidParameterError

    async with Sandbox(keywords=10, rate_limit=None) as sb, client(sb) as sr:
        tracking = sr.tracking(sb.campaign_id)
        with pytest.raises(InvalidParameterError, match="store"):
            await tracking.sync("positions.duckdb")  # type: ignore[arg-type]
        with pytest.raises(InvalidParameterError, match="page_size"):
            await tracking.sync(DuckDBStore(tmp_path / "p.duckdb"), page_size=0)
        assert sb.requests == []
    assert dt  # (dates come from the sandbox)


def test_a_duckdb_file_held_by_another_process_is_a_typed_error(tmp_path: Path) -> None:
    from asyncsemrush.errors import SyncStoreError

    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True);"
         " time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(SyncStoreError, match=r"held\.duckdb"):
            DuckDBStore(path)
    finally:
        holder.kill()
        holder.communicate(timeout=10)
    DuckDBStore(path).close()  # free again: it opens
