"""Request-rate and concurrency limits, created lazily inside the running loop."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Protocol, runtime_checkable

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
#: The most lateness (seconds) a LocalRateLimiter's schedule makes up after a start that
#: waited for its slot and began late (a loop blocked that long is not caught up on).
CATCH_UP = 0.25


@runtime_checkable
class RateLimiter(Protocol):
    """Something that admits one request start at a time (shared limiters implement it)."""

    async def acquire(self) -> None:
        """Wait until one more request may start."""
        ...


class StartSchedule:
    """The rule every rate limiter of this library follows, without a clock or I/O:
    where the next start's slot is, and when a start may go. Starts follow a fixed
    schedule, one ``interval`` (``SPACING_MARGIN / rate``) apart, each up to
    ``TOLERANCE`` early of its slot: no burst in the first second, and no credit saved
    up while idle (a start that comes after its slot, with nobody waiting, restarts
    the schedule from itself). A start that was waiting for its slot and began late
    (the event loop was busy when the slot came: a big page being decoded blocks it
    15-35 ms; or the shared store's round trip) does not push the schedule back: the
    next start keeps its own slot, so late wake-ups are made up instead of adding up
    over a pull (they did: a 60-page pull ended 80-300 ms behind its schedule, and one
    through a shared limiter took 1.13-1.25x its floor). Two rules bound the catching
    up: any ``floor(rate) + 1`` starts span at least ``floor(rate)`` intervals less the
    tolerance (1.002 s at 10/s: the window guarantee), and no two starts come closer
    than half an interval. At most :data:`CATCH_UP` seconds of lateness are made up;
    beyond that the schedule restarts from the late start. ``next`` and ``starts``
    (the last ``window`` starts, oldest first) are the whole state: a shared limiter
    stores them. The Redis limiter runs the same rule in Lua (``stores.redis``)."""

    __slots__ = ("interval", "next", "starts", "window")

    def __init__(self, rate: float, next_slot: float = -math.inf, starts: Iterable[float] = ()):
        self.interval = SPACING_MARGIN / rate
        self.window = max(1, math.floor(rate))  # starts whose span is bounded
        self.next = next_slot  # the next start's slot
        self.starts: deque[float] = deque(starts, maxlen=self.window)

    def earliest(self) -> float:
        """When the next start may go: its slot (less the tolerance), one window after
        the start ``floor(rate)`` back, half an interval after the last."""
        tolerance = TOLERANCE  # (read now: tests widen it)
        earliest = self.next - tolerance
        if self.starts:
            earliest = max(earliest, self.starts[-1] + self.interval / 2)
            if len(self.starts) == self.window:
                span = self.window * self.interval - tolerance
                earliest = max(earliest, self.starts[0] + span)
        return earliest

    def start(self, now: float, came: float) -> None:
        """Record a start at ``now`` (no earlier than :meth:`earliest`) by an acquirer
        that asked at ``came``."""
        slot = self.next
        if came <= slot and now - slot <= CATCH_UP:  # waited for its slot, began late
            self.next = slot + self.interval  # the schedule holds
        else:
            self.next = now + self.interval
        self.starts.append(now)

    def forget_future(self, now: float) -> None:
        """Drop what lies beyond any slot or start this clock can have given (a shared
        file from before a reboot, a clock stepped back): start afresh."""
        if self.next > now + self.interval + TOLERANCE or (self.starts and self.starts[-1] > now):
            self.next = -math.inf
            self.starts.clear()


class LoopLock:
    """An ``asyncio.Lock`` for the running event loop, made anew when the loop changes
    (a limiter kept across ``asyncio.run`` calls: a lock is bound to its first loop)."""

    __slots__ = ("_lock", "_loop")

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __call__(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock


class LocalRateLimiter:
    """At most ``rate`` request starts in any 1-second window, the first one included,
    in this process; the rule is :class:`StartSchedule`'s (late starts made up, the
    window guarantee kept)."""

    def __init__(self, rate: float) -> None:
        self.rate = positive("rate_limit", rate, "requests per second, a number > 0")
        self._schedule = StartSchedule(self.rate)
        self.interval = self._schedule.interval
        self._lock = LoopLock()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        came = loop.time()
        schedule = self._schedule
        async with self._lock():  # one start at a time, in the order they came
            earliest = schedule.earliest()
            now = loop.time()
            while now < earliest:
                await asyncio.sleep(earliest - now)
                now = loop.time()
            schedule.start(now, came)

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
