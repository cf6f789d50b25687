"""Rate limit and concurrency, measured where it counts: at the server."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from typing import Any

import aiohttp
import pytest

from asyncsemrush import BudgetExceededError, RetryPolicy, UnitBudget, _limits
from asyncsemrush._limits import TOLERANCE, LocalRateLimiter
from asyncsemrush.sandbox._server import max_in_window

from ._server import ScriptedServer, json_body, reply
from .conftest import make_client
from .test_transport import PAGE, POSITIONS, positions


def test_window_counter() -> None:
    assert max_in_window([0, 0.1, 0.99, 1.0, 1.5]) == 3
    assert max_in_window([0, 1, 2]) == 1


#: How far the scripted server's stamp of an arrival may trail the request's start: the
#: server shares the tests' event loop and process, so its handler runs when the loop
#: gets to it (a start 4.2 ms late once in CI, with the starts spaced). The window rule
#: is checked exactly on the client's own grants; at the server, within this.
SERVER_STAMP_JITTER = 0.05


def stamp_grants(limiter: LocalRateLimiter, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The monotonic time of each slot the limiter grants, as it is granted."""
    grants: list[float] = []
    acquire = limiter.acquire

    async def stamped() -> None:
        await acquire()
        grants.append(time.monotonic())

    monkeypatch.setattr(limiter, "acquire", stamped)
    return grants


def check_window(grants: list[float], arrivals: list[float], rate: int) -> None:
    """At most ``rate`` grants in any second, exactly; at the server, as far as its
    stamps tell; and each request reached the server soon after its slot (a slot taken
    before the connection was ready would be followed by an arrival that much later)."""
    assert max_in_window(grants) <= rate
    assert max_in_window(arrivals, 1.0 - SERVER_STAMP_JITTER) <= rate
    assert all(0 <= a - g < SERVER_STAMP_JITTER for g, a in zip(grants, arrivals, strict=True))


async def test_limiter_holds_5_per_second_over_3_seconds(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.default(POSITIONS, reply(body=json_body(PAGE)))
    async with make_client(server.base_url, rate_limit=5, max_concurrency=10) as sr:
        assert isinstance(sr._sender.slots.limiter, LocalRateLimiter)
        grants = stamp_grants(sr._sender.slots.limiter, monkeypatch)
        # 16 requests all at once: 15 gaps of one 0.2-s slot span 3 s at 5 req/s.
        await asyncio.wait_for(asyncio.gather(*(sr._execute(positions()) for _ in range(16))), 10)
    times = sorted(s.time for s in server.seen)
    assert len(times) == 16
    # No burst in the first second, no window ever above the limit...
    check_window(grants, times, 5)
    # ... and the limit is used: the 16th start comes 3 s after the first, within a slot.
    assert 3.0 - 0.2 <= times[-1] - times[0] <= 3.0 + 0.2


async def starts(limiter: LocalRateLimiter, n: int) -> list[float]:
    loop = asyncio.get_running_loop()
    stamps = []
    for _ in range(n):
        await limiter.acquire()
        stamps.append(loop.time())
    return stamps


def never_two_at_once(stamps: list[float], limiter: LocalRateLimiter) -> bool:
    """No two starts closer than half an interval (what a start that catches up on a
    late one may come to; on schedule they are a whole interval apart)."""
    return all(b - a >= limiter.interval / 2 for a, b in itertools.pairwise(stamps))


async def test_first_second_has_no_burst() -> None:
    limiter = LocalRateLimiter(10)
    t0 = asyncio.get_running_loop().time()
    stamps = [t - t0 for t in await starts(limiter, 12)]
    assert sum(1 for t in stamps if t < 1.0) == 10
    assert never_two_at_once(stamps, limiter)


def spans(stamps: list[float], rate: int) -> list[float]:
    """How long each run of ``rate + 1`` consecutive starts lasted."""
    return [b - a for a, b in zip(stamps, stamps[rate:], strict=False)]


async def test_late_wake_ups_do_not_push_the_schedule_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # asyncio wakes timers up to ~1 ms late (more on a busy machine). Carried into
    # every slot, that made 40 slots last 40 x (interval + ~0.7 ms). On the fixed
    # schedule, lateness within the tolerance is absorbed; a 20 ms tolerance makes
    # this hold on a loaded CI machine too (the product's is 2 ms).
    monkeypatch.setattr(_limits, "TOLERANCE", 0.02)
    limiter = LocalRateLimiter(20)
    stamps = await starts(limiter, 41)
    assert stamps[-1] - stamps[0] <= 40 * limiter.interval + 0.005
    assert min(spans(stamps, 20)) >= 20 * limiter.interval - 0.02


async def test_no_burst_after_an_idle_spell() -> None:
    limiter = LocalRateLimiter(20)
    await starts(limiter, 3)
    await asyncio.sleep(0.6)  # a dozen slots unused: no credit is saved up
    after = await starts(limiter, 21)
    assert min(spans(after, 20)) >= 20 * limiter.interval - TOLERANCE > 1.0
    assert never_two_at_once(after, limiter)


@pytest.fixture(params=["local", "sqlite", "redis"])
async def limiter_20(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """A limiter of 20 starts a second: the local one, or a shared one (SQLite file,
    Redis server of the test's own)."""
    if request.param == "local":
        yield LocalRateLimiter(20)
    elif request.param == "sqlite":
        from asyncsemrush.stores.sqlite import SqliteRateLimiter

        yield SqliteRateLimiter(tmp_path / "rate.sqlite", rate=20)
    else:
        import redis.asyncio as aioredis

        from asyncsemrush.stores.redis import RedisRateLimiter

        server = request.getfixturevalue("redis_server")
        client = aioredis.Redis.from_url(server.url)
        try:
            yield RedisRateLimiter(client, "busy-loop", rate=20)
        finally:
            await client.aclose()


async def test_every_limiter_makes_up_starts_a_busy_loop_made_late(limiter_20: Any) -> None:
    """A start whose slot came while the loop was blocked (a page being decoded) began
    late, and the limiters kept that lateness for good: a 60-page pull ended 80-300 ms
    behind its schedule through the local one; through SqliteRateLimiter a 60-page
    pull took 1.19-1.25x its floor, 1.13-1.18x through Redis
    (starts 110-123 ms apart at 10/s, each late by the store's round trip or a decode).
    Now they follow the local rule: 41 starts at 20/s, the loop blocked 30 ms every
    130 ms, end within one block of 40 intervals (a shared one: and two intervals);
    every 21 starts span 20 intervals less the tolerance, no two within half an
    interval (a shared limiter's stamps, taken here after the store answered, may be
    skewed by its round trip: 3 ms allowed). Without the rule that leaves a grant
    unused when it reached a blocked loop, 21 starts spanned 0.973 s here."""
    import time

    limiter = limiter_20
    loop = asyncio.get_running_loop()
    interval = _limits.SPACING_MARGIN / 20
    shared = not isinstance(limiter, LocalRateLimiter)
    skew = 0.003 if shared else 0.0
    stamps: list[float] = []
    await limiter.acquire()  # (a shared store's connection and script, made ready)
    await asyncio.sleep(0.2)  # idle: the schedule starts afresh

    async def one() -> None:
        await limiter.acquire()
        stamps.append(loop.time())

    blocks = 0

    async def busy() -> None:
        nonlocal blocks
        while True:
            await asyncio.sleep(0.1)
            blocks += 1
            time.sleep(0.03)  # noqa: ASYNC251 (the point: the loop decodes a big page)

    blocker = asyncio.ensure_future(busy())
    try:
        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(41))), 20)
    finally:
        blocker.cancel()
    stamps.sort()
    late = stamps[-1] - stamps[0] - 40 * interval
    # one block, and a loaded machine's wake-up; a shared limiter also leaves a slot
    # unused when its grant reached a blocked loop, an interval each at the most (0-3
    # in 24 runs here; this bound said "two" and failed 2 of them). Before: 0.25-0.57 s.
    unused = getattr(limiter, "slots_left_unused", 0)
    assert not shared or unused <= blocks, (unused, blocks)  # one grant a block at most
    assert late <= 0.03 + 0.02 + unused * interval, (late, unused)
    assert min(spans(stamps, 20)) >= 20 * interval - TOLERANCE - skew
    assert all(b - a >= interval / 2 - skew for a, b in itertools.pairwise(stamps))


async def test_concurrency_cap(server: ScriptedServer) -> None:
    async def slow(request: object) -> object:
        await asyncio.sleep(0.05)
        return await reply(body=json_body(PAGE))(request)  # type: ignore[arg-type]

    server.default(POSITIONS, slow)
    async with make_client(server.base_url, max_concurrency=3) as sr:
        await asyncio.gather(*(sr._execute(positions()) for _ in range(12)))
    assert server.max_in_flight == 3


@pytest.mark.parametrize("mode", ["raise", "wait"])
async def test_fifty_calls_on_a_budget_for_ten_send_at_most_ten(
    server: ScriptedServer, mode: str
) -> None:
    server.default(POSITIONS, reply(body=json_body(PAGE)))  # 3 rows: 300 units
    # Each call reserves 10 lines (1000 units) up front; the budget holds ten of them.
    budget = UnitBudget(10_000, on_exhausted=mode)  # type: ignore[arg-type]
    async with make_client(server.base_url, budget=budget, max_concurrency=50) as sr:
        results = await asyncio.gather(
            *(sr._execute(positions(10)) for _ in range(50)), return_exceptions=True
        )
    sent = len(server.seen)
    refused = [r for r in results if isinstance(r, BudgetExceededError)]
    assert all(
        not isinstance(r, BaseException) or isinstance(r, BudgetExceededError) for r in results
    )
    if mode == "raise":
        assert sent == 10
        assert len(refused) == 40
    else:
        # Settled calls free 700 of their 1,000 units, so waiting calls go on until
        # a full 1,000 no longer fits: 300 * (n - 1) + 1000 <= 10,000 gives n = 31.
        assert sent == 31
        assert len(refused) == 19
    assert budget.spent == 300 * sent <= budget.limit
    assert budget.reserved == 0


async def test_a_slow_connection_does_not_squeeze_starts_at_the_server(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first connection takes 0.6 s to open (a slow TLS handshake, say). Were its
    # slot taken before connecting, it would reach the server along with later ones.
    real = aiohttp.TCPConnector._create_connection
    opened = 0

    async def slow_first(self: aiohttp.TCPConnector, *args: Any, **kwargs: Any) -> Any:
        nonlocal opened
        opened += 1
        if opened == 1:
            await asyncio.sleep(0.6)
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", slow_first)
    server.default(POSITIONS, reply(body=json_body(PAGE)))
    async with make_client(server.base_url, rate_limit=5, max_concurrency=6) as sr:
        limiter = sr._sender.slots.limiter
        assert isinstance(limiter, LocalRateLimiter)
        grants = stamp_grants(limiter, monkeypatch)
        await asyncio.wait_for(asyncio.gather(*(sr._execute(positions()) for _ in range(6))), 10)
    times = sorted(s.time for s in server.seen)
    assert opened >= 2 and len(times) == 6
    check_window(grants, times, 5)
    assert min(b - a for a, b in itertools.pairwise(times)) >= limiter.interval / 2 - 0.005


async def test_waiting_for_the_rate_slot_is_not_the_attempts_time(
    server: ScriptedServer,
) -> None:
    """Issue 13: the slot was taken under the attempt's timeout. With rate_limit=1 and
    timeout=1, 3 of 4 concurrent calls failed with a timeout while the server had seen
    one request, and the ledger recorded attempts that never left."""
    server.default(POSITIONS, reply(body=json_body(PAGE)))
    budget = UnitBudget(10_000)
    retry = RetryPolicy(max_attempts=1)
    async with make_client(
        server.base_url, budget=budget, rate_limit=1, timeout=1, retry=retry
    ) as sr:
        results = await asyncio.wait_for(
            asyncio.gather(*(sr._execute(positions(10)) for _ in range(4)), return_exceptions=True),
            15,
        )
    assert [type(r).__name__ for r in results] == ["ApiResponse"] * 4
    assert len(server.seen) == 4
    assert [e.outcome for e in sr.ledger.entries] == ["ok"] * 4
    assert budget.spent == sr.ledger.spent == 4 * 300 and budget.reserved == 0


async def test_a_cancel_while_waiting_for_the_rate_slot_charges_nothing(
    server: ScriptedServer,
) -> None:
    server.default("/users/countapiunits.html", reply(body="1", content_type="text/html"))
    server.default(POSITIONS, reply(body=json_body(PAGE)))
    budget = UnitBudget(10_000)
    async with make_client(server.base_url, budget=budget, rate_limit=0.5) as sr:
        await sr.balance()  # takes the slot: the next one is 2 s away
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(sr._execute(positions(10)), 0.5)
    assert (budget.spent, budget.reserved) == (0, 0)
    assert [s.path for s in server.seen] == ["/users/countapiunits.html"]
    assert len(sr.ledger.entries) == 1  # the cancelled call never left: nothing recorded


async def test_sqlite_limiters_sharing_a_file_space_their_starts(tmp_path: Any) -> None:
    """The shared limiter's own guarantee, where starts are taken (the many-workers test
    sees them at the server, through its scheduling): two limiters on one file, as two
    processes would be, never start rate + 1 within a second."""
    import time

    from asyncsemrush.stores.sqlite import SqliteRateLimiter

    a, b = (SqliteRateLimiter(tmp_path / "rate.sqlite", rate=10) for _ in range(2))
    stamps: list[float] = []

    async def run(limiter: SqliteRateLimiter) -> None:
        for _ in range(11):
            await limiter.acquire()
            stamps.append(time.monotonic())

    await asyncio.gather(run(a), run(b))
    stamps.sort()
    assert len(stamps) == 22
    assert min(spans(stamps, 10)) >= 1.0 - TOLERANCE


def test_one_limiter_serves_one_loop_after_another() -> None:
    """A limiter kept across ``asyncio.run`` calls (a notebook's, a script's) serves each
    loop in turn; its first starts contend for the lock in both."""
    limiter = LocalRateLimiter(50)

    async def burst() -> None:
        await asyncio.gather(*(limiter.acquire() for _ in range(3)))

    asyncio.run(burst())
    asyncio.run(burst())


@pytest.mark.parametrize(("rate", "eleven_span"), [(10.0, 1.002), (9.5, 1.002), (9.0, 1.058)])
def test_the_window_bound_counts_whole_starts(rate: float, eleven_span: float) -> None:
    """The README's advice for an account that counts strictly: ``rate_limit`` one below
    the limit leaves any 11 starts a whole interval more than 1 s, whatever lateness
    the schedule makes up; half a request below leaves them where they were."""
    worst = float("inf")
    for seed in range(100):
        rng, schedule, now, starts = random.Random(seed), _limits.StartSchedule(rate), 0.0, []
        for _ in range(120):
            came = now
            late = rng.random() * (0.3 if rng.random() < 0.15 else 0.002)
            now = max(now, schedule.earliest()) + late
            schedule.start(now, came)
            starts.append(now)
        worst = min(worst, min(b - a for a, b in zip(starts, starts[10:], strict=False)))
    assert eleven_span - 0.001 <= worst < eleven_span + 0.002
