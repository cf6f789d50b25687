"""SemrushClient construction and lifecycle."""

from __future__ import annotations

import aiohttp
import pytest

from asyncsemrush import InvalidParameterError, SemrushClient, UnitBudget
from asyncsemrush.errors import ClientClosedError
from asyncsemrush.transports import AiohttpTransport

from ._server import ScriptedServer, reply
from .conftest import TEST_KEY, make_client


def test_key_falls_back_to_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEMRUSH_API_KEY", TEST_KEY)
    assert SemrushClient()._key.reveal() == TEST_KEY
    assert TEST_KEY not in repr(SemrushClient()._key)


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEMRUSH_API_KEY", raising=False)
    with pytest.raises(InvalidParameterError, match="SEMRUSH_API_KEY"):
        SemrushClient()
    with pytest.raises(InvalidParameterError, match="api_key"):
        SemrushClient("   ")


@pytest.mark.parametrize(
    "url",
    ["http://api.semrush.com", "ftp://api.semrush.com", "api.semrush.com", "https://x.com/?a=1"],
)
def test_insecure_or_odd_base_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidParameterError, match="base_url"):
        SemrushClient(TEST_KEY, base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:80", "http://127.5.0.1"]
)
def test_loopback_http_is_allowed(url: str) -> None:
    assert SemrushClient(TEST_KEY, base_url=url).base_url.startswith("http://")


def test_allow_insecure_opt_in() -> None:
    client = SemrushClient(TEST_KEY, base_url="http://10.0.0.1", allow_insecure=True)
    assert client.base_url == "http://10.0.0.1"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"rate_limit": 0}, "rate_limit"),
        ({"rate_limit": float("inf")}, "rate_limit"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"timeout": -1}, "timeout"),
        ({"budget": 1000}, "budget"),
    ],
)
def test_option_validation(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameterError, match=parameter):
        SemrushClient(TEST_KEY, **kwargs)  # type: ignore[arg-type]


async def test_close_is_idempotent_and_final(server: ScriptedServer) -> None:
    server.default("/users/countapiunits.html", reply(body="5", content_type="text/html"))
    async with make_client(server.base_url) as sr:
        assert await sr.balance() == 5
    assert sr.closed
    await sr.close()
    with pytest.raises(ClientClosedError):
        await sr.balance()


async def test_borrowed_session_is_not_closed(server: ScriptedServer) -> None:
    server.default("/users/countapiunits.html", reply(body="7", content_type="text/html"))
    async with aiohttp.ClientSession() as session:
        async with make_client(server.base_url, session=session) as sr:
            assert await sr.balance() == 7
        assert not session.closed


async def test_lazy_session_without_context_manager(server: ScriptedServer) -> None:
    server.default("/users/countapiunits.html", reply(body="1,234", content_type="text/html"))
    sr = make_client(server.base_url)
    try:
        assert await sr.balance() == 1234
    finally:
        await sr.close()


async def test_balance_is_free_and_seeds_the_budget(server: ScriptedServer) -> None:
    server.default("/users/countapiunits.html", reply(body="50,000", content_type="text/html"))
    budget = UnitBudget(0)
    async with make_client(server.base_url, budget=budget) as sr:
        assert await sr.seed_budget(keep=10_000) == 40_000
        assert budget.limit == 40_000
        assert budget.spent == 0
        entry = sr.ledger.entries[-1]
        assert entry.report_type == "balance"
        assert entry.actual == 0
        assert server.seen[0].query["key"] == TEST_KEY


def test_default_balance_host() -> None:
    client = SemrushClient(TEST_KEY)
    assert str(client._sender._bases["balance"]) == "https://www.semrush.com"


async def test_tls_is_verified_by_default() -> None:
    sr = SemrushClient(TEST_KEY)
    transport = sr._transport
    assert isinstance(transport, AiohttpTransport)
    session, _ = transport._session()
    try:
        # aiohttp's connector keeps ssl=True (verify certificates) unless told otherwise;
        # the client never tells it otherwise, and http:// needs loopback or allow_insecure.
        assert session.connector is not None
        assert session.connector._ssl is True  # type: ignore[attr-defined]
        assert sr.base_url.startswith("https://")
    finally:
        await sr.close()
