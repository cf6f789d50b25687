from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from asyncsemrush import RetryPolicy, SemrushClient, UnitBudget, _convert
from asyncsemrush.sandbox import Sandbox

from ._redis import RedisServer
from ._server import ScriptedServer

REFERENCE = Path(__file__).parent / "reference"
#: A made-up key in the documented shape (32 hex characters); never a real one.
TEST_KEY = "0123456789abcdef" + "fedcba9876543210"

FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05)


@pytest.fixture(autouse=True)
def strict_models() -> Iterator[None]:
    """Unknown keys in responses fail the tests (production ignores them)."""
    _convert.set_strict(True)
    yield
    _convert.set_strict(False)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    srv = ScriptedServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_client(
    base_url: str,
    *,
    budget: UnitBudget | None = None,
    retry: RetryPolicy = FAST_RETRY,
    rate_limit: float | None = None,
    **kwargs: object,
) -> SemrushClient:
    return SemrushClient(
        TEST_KEY,
        base_url=base_url,
        budget=budget,
        retry=retry,
        rate_limit=rate_limit,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def served() -> Iterator[Sandbox]:
    """A sandbox served from a loop of its own in a thread: code that runs its own
    asyncio.run() (the command, a second event loop) can reach it over HTTP."""
    loop = asyncio.new_event_loop()
    sb = Sandbox(rate_limit=None, keywords=300)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sb.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield sb
    finally:
        asyncio.run_coroutine_threadsafe(sb.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of the test's own, killed (if alive) at the end."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.kill()
