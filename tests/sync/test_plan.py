"""The cost planner (issue 17, item 3): its monthly figures equal what the sandbox
charges for the same cadence over a simulated month; what filters and the cache save."""

from __future__ import annotations

from pathlib import Path

import pytest

from asyncsemrush import SemrushClient
from asyncsemrush.sandbox import Sandbox

pytest.importorskip("duckdb")

from asyncsemrush.sync import CADENCES, DuckDBStore, plan_sync

KEYWORDS = 150
SYNC_DAYS = {"daily": set(range(1, 31)), "weekly": {7, 14, 21, 28}, "monthly": {30}}


def client(sb: Sandbox) -> SemrushClient:
    return SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None)


@pytest.mark.parametrize("cadence", sorted(CADENCES))
async def test_a_month_at_each_cadence_costs_what_the_plan_says(
    tmp_path: Path, cadence: str
) -> None:
    async with Sandbox(keywords=KEYWORDS, rate_limit=None, days=5) as sb:
        async with client(sb) as sr:
            plan = await plan_sync(sr.tracking(sb.campaign_id))
            store = DuckDBStore(tmp_path / "p.duckdb")
            await sr.tracking(sb.campaign_id).sync(store)  # the first, full sync
            before = sb.units_charged
            for day in range(1, 31):  # a simulated month: a new date every day
                sb.collect_date()
                if day in SYNC_DAYS[cadence]:
                    await sr.tracking(sb.campaign_id).sync(store)
            store.close()
        month = sb.units_charged - before
    (expected,) = [c for c in plan.cadences if c.name == cadence]
    assert expected.syncs == len(SYNC_DAYS[cadence])
    assert month == expected.units == expected.syncs * (100 + KEYWORDS * 100)
    assert plan.keywords == KEYWORDS and plan.pull_units == KEYWORDS * 100
    assert plan.probe_units == 100


async def test_what_filters_save_and_what_the_cache_would_have_saved(tmp_path: Path) -> None:
    from asyncsemrush.stores.sqlite import SqliteLedger

    async with Sandbox(keywords=KEYWORDS, rate_limit=None) as sb:
        ledger_file = tmp_path / "spend.sqlite"
        saved = SqliteLedger(ledger_file)
        async with client(sb) as sr:
            saved.attach(sr.ledger)
            for _ in range(3):  # the same pull, three times: two would have been free
                await sr.tracking(sb.campaign_id).positions(page_size=100).collect()
            await sr.tracking(sb.campaign_id).campaign_dates()  # never cached: not counted
            saved.flush()
            entries = saved.read()
            plan = await plan_sync(sr.tracking(sb.campaign_id), tags=["brand"], ledger=entries)
        saved.close()
        assert plan.cache_saved == 2 * KEYWORDS * 100
        brand = sum(
            1 for i in range(KEYWORDS) if "brand" in sb.server.world.projects[
                sb.project_id].campaigns[0].tags(i)
        )  # fmt: skip
        assert plan.filtered == brand and plan.filters_save == (KEYWORDS - brand) * 100
        assert plan.probe_units == 200
        assert [e.outcome for e in entries].count("ok") == 3 * 2 + 1
