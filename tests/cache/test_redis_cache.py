"""The response cache on a real redis-server shared by two clients (many workers), and
a Redis that dies: a dead cache is a miss, never a failed pull; one that comes back
empty is a cold cache."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from asyncsemrush import SemrushClient
from asyncsemrush.cache import RedisCacheStore, ResponseCache
from asyncsemrush.sandbox import Sandbox

from .._redis import RedisServer

redis_asyncio = pytest.importorskip("redis.asyncio")


async def pull(sb: Sandbox, cache: Any) -> tuple[list[bytes], SemrushClient]:
    async with SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None, cache=cache) as sr:
        pager = sr.tracking(sb.campaign_id).positions(page_size=100)
        rows = [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) async for r in pager.raw_rows()]
    return rows, sr


async def test_two_workers_share_one_cache(redis_server: RedisServer) -> None:
    r = redis_asyncio.from_url(redis_server.url)
    try:
        async with Sandbox(keywords=300, rate_limit=None) as sb:
            first, _ = await pull(sb, ResponseCache(RedisCacheStore(r)))
            paid = sb.charged_by_type()["tracking_position_organic"]
            second, sr = await pull(sb, ResponseCache(RedisCacheStore(r)))  # another worker
            assert second == first and sr.ledger.cached == 3
            assert sb.charged_by_type()["tracking_position_organic"] == paid
            keys = [k async for k in r.scan_iter("asyncsemrush:cache:*")]
            assert keys and all([0 < await r.ttl(k) <= 30 * 86_400 for k in keys])
            for k in keys:  # the key is in no entry
                for value in (await r.hgetall(k)).values():
                    assert sb.api_key.encode() not in value
            await r.hset(keys[0], next(iter(await r.hkeys(keys[0]))), b"foreign value")
            third, sr3 = await pull(sb, ResponseCache(RedisCacheStore(r)))
            assert third == first and sr3.ledger.cached == 2  # the foreign one fetched
    finally:
        await r.aclose()


async def test_a_dead_redis_is_a_miss_and_back_empty_a_cold_cache(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    r = redis_asyncio.from_url(redis_server.url)
    try:
        async with Sandbox(keywords=200, rate_limit=None) as sb:
            first, _ = await pull(sb, ResponseCache(RedisCacheStore(r)))
            redis_server.kill()
            dead, sr = await pull(sb, ResponseCache(RedisCacheStore(r)))
            assert dead == first and sr.ledger.cached == 0 and "unreadable" in caplog.text
            redis_server.start()  # back, and empty
            cold, sr = await pull(sb, ResponseCache(RedisCacheStore(r)))
            assert cold == first and sr.ledger.cached == 0
            warm, sr = await pull(sb, ResponseCache(RedisCacheStore(r)))
            assert warm == first and sr.ledger.cached == 2
    finally:
        await r.aclose()
