"""Request-rate and concurrency limits, created lazily inside the running loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol, runtime_checkable

from aiolimiter import AsyncLimiter

from .params import integer, positive

# Starts follow a fixed schedule, 1/rate x SPACING_MARGIN apart. A start may come up
# to TOLERANCE early of its slot, so that a timer firing late is not carried into
# every later slot: asyncio rounds its waits up to whole milliseconds, so timers fire
# 0.95 ms late at the median and up to 1.12 ms (measured); 2 ms covers that. Any
# rate + 1 starts span at least 1.004 - 0.002 = 1.002 s. The client's own session
# takes each slot once the connection is ready (transports._aiohttp), so a start
# reaches the server within ~0.3 ms of its slot.
SPACING_MARGIN = 1.004
TOLERANCE = 0.002


@runtime_checkable
class RateLimiter(Protocol):
    """Something that admits one request start at a time (shared limiters implement it)."""

    async def acquire(self) -> None:
        """Wait until one more request may start."""
        ...


class LocalRateLimiter:
    """At most ``rate`` request starts in any 1-second window, the first one included.

    aiolimiter's bucket with capacity ``rate`` would let a burst of ``rate`` requests
    through at once and another ``rate`` within the same second; with capacity 1 it
    spaces starts but keeps each wake-up's lateness for good (~1 ms a slot). Here the
    bucket holds one start plus the tolerance, draining one start per interval: a
    start may come ``TOLERANCE`` early of its slot, never two at once (a GCRA without
    burst, like :class:`~asyncsemrush.stores.redis.RedisRateLimiter`).
    """

    def __init__(self, rate: float) -> None:
        self.rate = positive("rate_limit", rate, "requests per second, a number > 0")
        self.interval = SPACING_MARGIN / self.rate
        self._limiter: AsyncLimiter | None = None

    async def acquire(self) -> None:
        if self._limiter is None:
            slack = min(TOLERANCE / self.interval, 0.5)
            self._limiter = AsyncLimiter(1 + slack, (1 + slack) * self.interval)
        await self._limiter.acquire()

    def __repr__(self) -> str:
        return f"LocalRateLimiter(rate={self.rate})"


@runtime_checkable
class ConcurrencyLimiter(Protocol):
    """Something that bounds requests in flight (shared caps implement it)."""

    def slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold one in-flight slot for the duration of the block."""
        ...


class Slots:
    """A concurrency cap, and the rate limiter the transport takes a slot of.

    The concurrency slot is held first, and the rate-limit slot is taken inside it once
    the connection is ready (``transports``): the other way round, requests that waited
    for the semaphore would start in a bunch and break the per-second limit.
    """

    def __init__(
        self, max_concurrency: int | ConcurrencyLimiter, limiter: RateLimiter | None
    ) -> None:
        self.shared: ConcurrencyLimiter | None = None
        if isinstance(max_concurrency, ConcurrencyLimiter):
            self.shared = max_concurrency
            max_concurrency = int(getattr(max_concurrency, "limit", 10))
        self.max_concurrency = integer("max_concurrency", max_concurrency, minimum=1)
        self.limiter = limiter
        #: starts a second the limiter allows, when it says (None: no limit, or unknown)
        rate = getattr(limiter, "rate", None)
        self.rate: float | None = float(rate) if isinstance(rate, (int, float)) else None
        self._semaphore: asyncio.Semaphore | None = None

    def slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold one concurrency slot (and one of the shared cap, if any)."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        if self.shared is None:
            return self._semaphore  # (no generator to build per attempt: the common case)
        return self._both(self._semaphore, self.shared)

    @staticmethod
    @asynccontextmanager
    async def _both(own: asyncio.Semaphore, shared: ConcurrencyLimiter) -> AsyncIterator[None]:
        async with own, shared.slot():
            yield
