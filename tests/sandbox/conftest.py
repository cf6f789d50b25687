from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from asyncsemrush.sandbox import Sandbox


class Raw:
    """Plain HTTP to the sandbox, so tests see exactly what is on the wire."""

    def __init__(self, sb: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sb = sb
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        *,
        key: str | None = None,
    ) -> tuple[int, bytes, Any]:
        query = {"key": self.sb.api_key if key is None else key, **(params or {})}
        data = orjson.dumps(body) if body is not None else None
        async with self.session.request(
            method, self.sb.base_url + path, params=query, data=data
        ) as resp:
            raw = await resp.read()
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            parsed = raw.decode()
        return resp.status, raw, parsed

    async def ok(
        self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        status, raw, parsed = await self.call(method, path, params, body)
        assert status == 200, (status, raw[:300])
        return parsed

    def report(self, rtype: str, **params: str) -> tuple[str, dict[str, str]]:
        path = f"/reports/v1/projects/{self.sb.campaign_id}/tracking/"
        return path, {"action": "report", "type": rtype, **params}


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The 2015 edition: these tests check its wire format against the 2015 reference
    (today's edition has its own, ``test_today.py``; the client runs on both)."""
    async with Sandbox(keywords=500, rate_limit=None, audit_duration=0.2, edition="2015") as sb:
        yield sb


@pytest.fixture
async def today() -> AsyncIterator[Sandbox]:
    """Today's edition (the default)."""
    async with Sandbox(keywords=500, rate_limit=None, audit_duration=0.2) as sb:
        yield sb


def plain_session() -> aiohttp.ClientSession:
    """A session that sends each request once (aiohttp resends idempotent ones on drops)."""
    session = aiohttp.ClientSession()
    session._retry_connection = False
    return session


@pytest.fixture
async def raw(sandbox: Sandbox) -> AsyncIterator[Raw]:
    async with plain_session() as session:
        yield Raw(sandbox, session)
