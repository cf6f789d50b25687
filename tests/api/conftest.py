from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from asyncsemrush import SemrushClient, UnitBudget
from asyncsemrush.sandbox import Sandbox


@pytest.fixture(params=["today", "2015"])
async def sb(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """The sandbox in each edition of the service: today's shapes and the 2015 ones."""
    async with Sandbox(
        keywords=1200, rate_limit=None, audit_duration=0.2, seed=5, edition=request.param
    ) as sandbox:
        yield sandbox


@pytest.fixture
async def sr(sb: Sandbox) -> AsyncIterator[SemrushClient]:
    async with SemrushClient(
        sb.api_key, base_url=sb.base_url, budget=UnitBudget(100_000_000), rate_limit=None
    ) as client:
        yield client
