"""A worker process for the shared-store tests: N tasks pull priced pages until the
shared budget says no. Prints one line per settled request, then a summary line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from asyncsemrush import BudgetExceededError, SemrushClient, UnitBudget
from asyncsemrush.stores.sqlite import SqliteBudgetStore, SqliteLedger, SqliteRateLimiter


async def main(a: argparse.Namespace) -> None:
    concurrency: object = 10
    if a.store == "redis":
        import redis.asyncio as aioredis

        from asyncsemrush.stores.redis import (
            RedisBudgetStore,
            RedisConcurrencyLimiter,
            RedisRateLimiter,
        )

        r = aioredis.from_url(a.redis)
        store: object = RedisBudgetStore(r, "test", limit=a.limit, lease=a.lease)
        limiter: object = RedisRateLimiter(r, "test", rate=10)
        concurrency = RedisConcurrencyLimiter(r, "test", limit=10, lease=a.lease)
    else:
        store = SqliteBudgetStore(a.db, limit=a.limit, lease=a.lease)
        limiter = SqliteRateLimiter(a.db, rate=10)
    granted: list[float] = []
    acquire = limiter.acquire  # type: ignore[attr-defined]

    async def stamped_acquire() -> None:
        await acquire()
        granted.append(time.monotonic())  # system-wide clock: comparable with the sandbox's

    limiter.acquire = stamped_acquire  # type: ignore[attr-defined]
    budget = UnitBudget(store=store)  # type: ignore[arg-type]
    async with SemrushClient(
        a.key,
        base_url=a.base_url,
        budget=budget,
        rate_limit=limiter,  # type: ignore[arg-type]
        max_concurrency=concurrency,  # type: ignore[arg-type]
    ) as sr:
        if a.ledger:
            SqliteLedger(a.ledger).attach(sr.ledger)
        sr.ledger.add_listener(
            lambda e: print(json.dumps({"settled": e.actual, "outcome": e.outcome}), flush=True)
        )
        t = sr.tracking(a.campaign)

        async def task(n: int) -> None:
            offset = n * 10
            while True:
                try:
                    await t.positions(
                        "*.example.com/*",
                        page_size=10,
                        max_rows=10,
                        start_offset=offset % 4000,
                        speculate=False,
                    ).collect()
                except BudgetExceededError:
                    return
                offset += 160

        await asyncio.gather(*(task(n) for n in range(a.tasks)))
        reclaimed = getattr(store, "reclaimed", [])
        print(
            json.dumps(
                {
                    "done": sr.ledger.requests,
                    "spent": sr.ledger.spent,
                    "reclaimed": len(reclaimed),
                    "granted": granted,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--store", choices=["redis", "sqlite"], required=True)
    p.add_argument("--redis", default="")
    p.add_argument("--db", default="")
    p.add_argument("--ledger", default="")
    p.add_argument("--base-url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--campaign", required=True)
    p.add_argument("--limit", type=int, default=100_000)
    p.add_argument("--lease", type=float, default=600.0)
    p.add_argument("--tasks", type=int, default=16)
    asyncio.run(main(p.parse_args()))
    sys.exit(0)
