from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from asyncsemrush import SemrushClient, UnitBudget
from asyncsemrush.sandbox import Sandbox


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(keywords=1200, rate_limit=None, audit_duration=0.2, seed=5) as sandbox:
        yield sandbox


@pytest.fixture
async def sr(sb: Sandbox) -> AsyncIterator[SemrushClient]:
    async with SemrushClient(
        sb.api_key, base_url=sb.base_url, budget=UnitBudget(100_000_000), rate_limit=None
    ) as client:
        yield client
