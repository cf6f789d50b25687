"""A real redis-server killed mid-pull, then back empty (issue 13, item 2): the ledger
still has every page the server charged, the failure is a SemrushError, and the
vanished budget is not recreated full."""

from __future__ import annotations

import time

import pytest

from asyncsemrush import SemrushClient, UnitBudget
from asyncsemrush.errors import BudgetStoreError, SemrushError
from asyncsemrush.sandbox import Faults, Sandbox

from .._redis import RedisServer

redis_asyncio = pytest.importorskip("redis.asyncio")


async def test_redis_killed_mid_pull_then_back_empty(redis_server: RedisServer) -> None:
    from asyncsemrush.stores.redis import RedisBudgetStore

    r = redis_asyncio.from_url(redis_server.url)
    store = RedisBudgetStore(r, "faults", limit=20_000)
    budget = UnitBudget(store=store)
    async with Sandbox(keywords=2000, rate_limit=None, faults=Faults(latency=0.05)) as sb:
        async with SemrushClient(
            sb.api_key, base_url=sb.base_url, rate_limit=None, budget=budget
        ) as sr:
            pager = sr.tracking(sb.campaign_id).positions(page_size=10, prefetch=2)
            got = 0
            with pytest.raises(SemrushError) as info:
                async for _ in pager:
                    got += 1
                    if got == 30:
                        redis_server.kill()  # pages in flight settle against a dead store
            assert isinstance(info.value, BudgetStoreError), repr(info.value)
            # every unit the server charged is in the ledger, the store's failure or not
            assert sr.ledger.spent == sb.units_charged >= 3_000
            redis_server.start()  # back, and empty
            with pytest.raises(BudgetStoreError, match="vanished"):
                await sr.tracking(sb.campaign_id).positions(page_size=10, max_rows=10).collect()
            charged = sb.units_charged
        assert sb.units_charged == charged  # nothing sent against a recreated full budget
    await r.aclose()


async def test_a_daily_budget_takes_the_day_from_redis_not_the_worker(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose clock runs a day ahead got a fresh day's cap of its own."""
    import datetime as real_dt

    from asyncsemrush.stores import redis as redis_store

    r = redis_asyncio.from_url(redis_server.url)
    on_time = UnitBudget(store=redis_store.RedisBudgetStore(r, "daily", limit=1000, window="day"))
    ahead = UnitBudget(store=redis_store.RedisBudgetStore(r, "daily", limit=1000, window="day"))
    held = await on_time.reserve(800)

    class Ahead(real_dt.datetime):
        @classmethod
        def now(cls, tz: real_dt.tzinfo | None = None) -> Ahead:  # type: ignore[override]
            return cls.fromtimestamp(real_dt.datetime.now(tz).timestamp() + 86_400, tz)

    class FakeDt:
        datetime = Ahead
        timezone = real_dt.timezone

    monkeypatch.setattr(redis_store, "dt", FakeDt)
    from asyncsemrush.errors import BudgetExceededError

    with pytest.raises(BudgetExceededError):
        await ahead.reserve(800)  # the same day's budget: 800 of 1,000 are held
    await held.settle(800)
    await r.aclose()


async def test_a_ledger_file_locked_by_another_process(tmp_path: object) -> None:
    """Another process holds the SQLite file's lock: the loop used to freeze 30 s, then
    sqlite3.OperationalError escaped from a charged request. Now the call returns, and
    the entry is written once the lock is free."""
    import asyncio
    import sys
    from pathlib import Path

    from asyncsemrush.stores.sqlite import SqliteLedger

    path = Path(str(tmp_path)) / "ledger.sqlite"
    saved = SqliteLedger(path)
    code = (
        "import sqlite3, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(3)\n"
        "c.execute('ROLLBACK')\n"
    )
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"locked"
        async with (
            Sandbox(rate_limit=None) as sb,
            SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None) as sr,
        ):
            saved.attach(sr.ledger)
            started = time.monotonic()
            await sr.projects.list()  # charged: its entry must not be lost
            took = time.monotonic() - started
        assert took < 2.0  # the loop waited half a second, not 30
        assert sr.ledger.spent == 100
    finally:
        await holder.communicate()
    assert saved.flush(timeout=10)
    assert saved.entries() == 1 and saved.spend()[0]["units"] == 100
    saved.close()
