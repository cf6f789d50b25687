"""One budget, one rate limit and one in-flight cap for many workers, on Redis.

Every read-modify-write is a Lua script, so it is atomic across processes and
machines. Reservations carry a lease: one whose worker died is reclaimed when the
lease runs out, counted as spent in full (the request may have reached Semrush) and
logged, never silently forgotten.

Needs ``redis`` (redis-py ≥ 5): ``pip install 'asyncsemrush[redis]'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Hashable
from typing import Any, Literal, TypeVar

from .._limits import CATCH_UP, TOLERANCE, LoopLock, StartSchedule
from .._redact import redact
from ..budget import BudgetState
from ..errors import BudgetStoreError
from ..params import choice, integer, positive

log = logging.getLogger("asyncsemrush.budget")
T = TypeVar("T")

# KEYS: state hash, leases zset, amounts hash, reclaimed list
# ARGV: amount, token, lease ms, limit to create the budget with, and "1" when this
# worker may create it (its first use of this budget) or "0" (it must exist: a budget that
# vanished, a Redis restarted empty, is never silently recreated full)
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[5] == '0' and redis.call('EXISTS', KEYS[1]) == 0 then
  return {-1, 0, 0, 0, 0}
end
redis.call('HSETNX', KEYS[1], 'limit', ARGV[4])
local reclaimed = 0
for _, tok in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  local amt = tonumber(redis.call('HGET', KEYS[3], tok) or '0')
  redis.call('HINCRBY', KEYS[1], 'reserved', -amt)
  redis.call('HINCRBY', KEYS[1], 'spent', amt)
  redis.call('HDEL', KEYS[3], tok)
  redis.call('ZREM', KEYS[2], tok)
  redis.call('RPUSH', KEYS[4], tok .. ' ' .. amt)
  reclaimed = reclaimed + 1
end
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit'))
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
local amount = tonumber(ARGV[1])
local ok = 0
if amount >= 0 and spent + reserved + amount <= limit then
  redis.call('HINCRBY', KEYS[1], 'reserved', amount)
  redis.call('HSET', KEYS[3], ARGV[2], amount)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
  reserved = reserved + amount
  ok = 1
end
return {ok, limit, spent, reserved, reclaimed}
"""

# KEYS: state hash, leases zset, amounts hash; ARGV: token, actual
_SETTLE = """
local amt = redis.call('HGET', KEYS[3], ARGV[1])
local found = 0
if amt then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(amt))
  redis.call('HINCRBY', KEYS[1], 'spent', tonumber(ARGV[2]))
  found = 1
end
return {found,
        tonumber(redis.call('HGET', KEYS[1], 'limit') or '0'),
        tonumber(redis.call('HGET', KEYS[1], 'spent') or '0'),
        tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')}
"""

# The rule of LocalRateLimiter (_limits.StartSchedule), in milliseconds of the Redis
# server's clock: the next slot in KEYS[1] (the key of earlier versions, a number as
# text), the last floor(rate) starts in the list KEYS[2], newest first.
# ARGV: interval, tolerance, window (starts), catch-up, and when this acquirer first
# asked ("" on its first call). Returns {ms to wait ("0": go), when it first asked}.
_RATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local window, catch_up = tonumber(ARGV[3]), tonumber(ARGV[4])
local came = tonumber(ARGV[5]) or now
local slot = tonumber(redis.call('GET', KEYS[1]) or '')
local starts = redis.call('LRANGE', KEYS[2], 0, window - 1)
local last = tonumber(starts[1] or '')
if (slot and slot > now + interval + tolerance) or (last and last > now) then
  slot, starts, last = nil, {}, nil  -- beyond this clock (it was stepped back): afresh
end
local earliest = -math.huge
if slot then earliest = slot - tolerance end
if last then earliest = math.max(earliest, last + interval / 2) end
if #starts >= window then
  earliest = math.max(earliest, tonumber(starts[window]) + window * interval - tolerance)
end
if now < earliest then
  return {string.format('%.3f', earliest - now), string.format('%.3f', came)}
end
local following = now + interval
if slot and came <= slot and now - slot <= catch_up then following = slot + interval end
redis.call('SET', KEYS[1], string.format('%.3f', following), 'PX', 600000)
redis.call('LPUSH', KEYS[2], string.format('%.3f', now))
redis.call('LTRIM', KEYS[2], 0, window - 1)
redis.call('PEXPIRE', KEYS[2], 600000)
return {'0', string.format('%.3f', came)}
"""

# KEYS: holders zset; ARGV: token, limit, lease ms. 1 when the slot was taken.
_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  return 1
end
return 0
"""


async def _store_call(call: Awaitable[T]) -> T:
    """A Redis call whose failure is a BudgetStoreError (a SemrushError), its message
    redacted; Redis's own exception never escapes."""
    try:
        return await call
    except BudgetStoreError:
        raise
    except Exception as exc:  # redis.exceptions.*, OSError: the store is unreachable
        raise BudgetStoreError(
            f"the Redis budget store failed: {type(exc).__name__}: {redact(str(exc))}"
        ) from None


class RedisBudgetStore:
    """A :class:`~asyncsemrush.budget.BudgetStore` shared through Redis.

    ``limit`` is used when the budget is first created; afterwards the limit in Redis
    rules (change it with ``set_limit``). ``lease`` seconds bound how long a
    reservation may stay open (longer than the client's timeout × attempts).
    ``window="day"`` keeps a separate budget per UTC day: a daily cap that resets at
    midnight UTC.
    """

    def __init__(
        self,
        redis: Any,
        name: str = "asyncsemrush",
        *,
        limit: int,
        lease: float = 600.0,
        window: Literal["day"] | None = None,
    ) -> None:
        integer("limit", limit, minimum=0)
        positive("lease", lease, "seconds, a number > 0")
        choice("window", window, (None, "day"))
        self.redis = redis
        self.name = name
        self.default_limit = limit
        self.lease_ms = int(lease * 1000)
        self.window = window
        self._state = BudgetState(limit, 0, 0)
        self._reserve = redis.register_script(_RESERVE)
        self._settle = redis.register_script(_SETTLE)
        #: Reservations of dead workers this process reclaimed (token, units).
        self.reclaimed: list[tuple[str, int]] = []
        self._seen: set[str] = set()  # budgets this worker has used: they must exist

    def _prefix(self, day: str | None = None) -> str:
        if self.window == "day":
            day = day or dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")
            return f"{self.name}:{day}"
        return self.name

    async def _current_prefix(self) -> str:
        """The budget's key prefix now. A daily window takes the day from Redis's clock
        (``TIME``), not this worker's: a worker whose clock is a day ahead used to get a
        fresh day's cap of its own."""
        if self.window != "day":
            return self.name
        seconds, _ = await _store_call(self.redis.time())
        day = dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y%m%d")
        return self._prefix(day)

    def _keys(self, prefix: str) -> list[str]:
        return [f"{prefix}:state", f"{prefix}:leases", f"{prefix}:amounts", f"{prefix}:reclaimed"]

    async def try_reserve(self, amount: int) -> Hashable | None:
        prefix = await self._current_prefix()
        token = f"{prefix}|{uuid.uuid4().hex}"
        create = "0" if prefix in self._seen else "1"
        args = [amount, token, self.lease_ms, self.default_limit, create]
        ok, limit, spent, reserved, reclaimed = await _store_call(
            self._reserve(keys=self._keys(prefix), args=args)
        )
        if int(ok) == -1:
            raise BudgetStoreError(
                f"the budget {prefix!r} vanished from Redis (restarted empty, or deleted): "
                "it is not recreated with its full limit; set it again with set_limit()"
            )
        self._seen.add(prefix)
        self._state = BudgetState(int(limit), int(spent), int(reserved))
        if reclaimed:
            await self._log_reclaimed(prefix)
        return token if ok else None

    async def _log_reclaimed(self, prefix: str) -> None:
        key = self._keys(prefix)[3]
        while True:
            item = await self.redis.lpop(key)
            if item is None:
                return
            text = item.decode() if isinstance(item, bytes) else str(item)
            token, _, units = text.rpartition(" ")
            self.reclaimed.append((token, int(units)))
            log.warning(
                "reclaimed an expired reservation of %s units (its worker stopped); "
                "counted as spent in full",
                units,
            )

    async def settle(self, token: Hashable, actual: int) -> None:
        prefix = str(token).split("|", 1)[0]
        found, limit, spent, reserved = await _store_call(
            self._settle(keys=self._keys(prefix)[:3], args=[str(token), actual])
        )
        self._state = BudgetState(int(limit), int(spent), int(reserved))
        if not found:
            log.warning(
                "a reservation settled after its lease ran out: it was already counted in full"
            )

    async def set_limit(self, limit: int) -> None:
        prefix = await self._current_prefix()
        await _store_call(self.redis.hset(self._keys(prefix)[0], "limit", limit))
        self._seen.add(prefix)  # set on purpose: this worker may use it again
        await self.refresh()

    async def refresh(self) -> BudgetState:
        """Read the shared numbers now."""
        prefix = await self._current_prefix()
        raw = await _store_call(self.redis.hgetall(self._keys(prefix)[0]))
        values = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}
        self._state = BudgetState(
            values.get("limit", self.default_limit),
            values.get("spent", 0),
            values.get("reserved", 0),
        )
        return self._state

    def state(self) -> BudgetState:
        return self._state


class RedisRateLimiter:
    """At most ``rate`` request starts per second across every process using ``name``:
    the local limiter's rule (:class:`~asyncsemrush._limits.StartSchedule`: starts
    1/rate apart, no burst in the first second, late starts made up, any ``rate + 1``
    starts spanning 1.002 s at 10/s), run in Redis on its clock."""

    def __init__(self, redis: Any, name: str = "asyncsemrush", *, rate: float = 10.0) -> None:
        positive("rate", rate, "requests per second, a number > 0")
        self.redis = redis
        self.key = f"{name}:rate"
        self.rate = float(rate)
        schedule = StartSchedule(self.rate)
        self._args = [
            1000.0 * schedule.interval,
            1000.0 * TOLERANCE,
            schedule.window,
            1000.0 * CATCH_UP,
        ]
        self._script = redis.register_script(_RATE)
        self._round_trip = math.inf  # the fastest answer of the script seen (seconds)
        self._lock = LoopLock()
        #: Slots granted while this event loop was blocked, and so left unused (each
        #: one puts this process's next start up to an interval later).
        self.slots_left_unused = 0

    async def acquire(self) -> None:
        """Wait for the next start slot shared by the processes. A slot granted while
        this event loop was blocked (the answer took longer than the fastest round trip
        seen by more than the tolerance) is left unused and another is asked for: the
        request would leave later than Redis says it started."""
        loop = asyncio.get_running_loop()
        came: str | bytes = ""  # when this start first asked, on the server's clock
        async with self._lock():  # one asker a process: no herd waking at each slot
            while True:
                asked = loop.time()
                wait_ms, came = await self._script(
                    keys=[self.key, f"{self.key}:starts"], args=[*self._args, came]
                )
                took = loop.time() - asked
                self._round_trip = min(self._round_trip, took)
                wait = float(wait_ms) / 1000
                if wait <= 0:
                    if took - self._round_trip <= TOLERANCE:
                        return
                    self.slots_left_unused += 1  # granted while this loop was blocked
                    continue
                await asyncio.sleep(wait)


class RedisConcurrencyLimiter:
    """At most ``limit`` requests in flight across every process using ``name``.
    Slots carry a lease, so a dead worker's slots come back."""

    def __init__(
        self, redis: Any, name: str = "asyncsemrush", *, limit: int = 10, lease: float = 600.0
    ) -> None:
        integer("limit", limit, minimum=1)
        positive("lease", lease, "seconds, a number > 0")
        self.redis = redis
        self.key = f"{name}:inflight"
        self.limit = limit
        self.lease_ms = int(lease * 1000)
        self._script = redis.register_script(_SLOT)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        token = uuid.uuid4().hex
        # Other processes free slots: there is no event to wait on across them, so poll.
        while not await self._script(keys=[self.key], args=[token, self.limit, self.lease_ms]):  # noqa: ASYNC110
            await asyncio.sleep(0.005 + random.random() * 0.01)
        try:
            yield
        finally:
            await asyncio.shield(self.redis.zrem(self.key, token))
