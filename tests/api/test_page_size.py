"""The page size a pull asks for, and what the service serves (issue 15): the largest
``display_limit`` Semrush serves is not documented. A pull starts at 1,000 rows a page,
grows to a bigger ``page_size`` once the first page shows its bytes a row (within the
response cap), sends a page at a new size alone, and follows a service that serves
fewer rows a page than asked, as its answer's ``limit`` says, instead of failing."""

from __future__ import annotations

import logging

import pytest

from asyncsemrush import PartialResponseError, SemrushClient, UnitBudget
from asyncsemrush.sandbox import Sandbox


def limits(sb: Sandbox) -> list[tuple[int, int]]:
    return [(int(r.query["display_offset"]), int(r.query["display_limit"])) for r in sb.requests]


async def pull(sb: Sandbox, page_size: int, **client: object) -> list[str]:
    async with SemrushClient(
        sb.api_key, base_url=sb.base_url, budget=UnitBudget(10**9), rate_limit=None, **client
    ) as sr:
        pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=page_size)
        ids = [row.keyword_id async for row in pager]
        assert sr.ledger.spent == sb.units_charged == len(ids) * 100
    return ids


@pytest.mark.parametrize("edition", ["today", "2015"])
async def test_a_service_that_serves_smaller_pages_is_followed(
    edition: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, page_size=5000 against a service serving 1,000 a page raised
    PartialResponseError after the first page (the README suggests bigger pages)."""
    async with Sandbox(keywords=4500, rate_limit=None, edition=edition, max_page_size=1000) as sb:
        with caplog.at_level(logging.INFO, "asyncsemrush"):
            ids = await pull(sb, 5000)
        assert len(ids) == len(set(ids)) == 4500
        asked = limits(sb)
    assert asked[:2] == [(0, 1000), (1000, 3500)]  # the first page, then the grown one alone
    assert [offset for offset, _ in asked] == [0, 1000, 2000, 3000, 4000]
    assert all(limit <= 1000 for _, limit in asked[2:])
    assert "served 1000 rows a page for 3500 asked" in caplog.text


async def test_a_service_serving_less_than_the_first_page_is_followed() -> None:
    async with Sandbox(keywords=1000, rate_limit=None, max_page_size=400) as sb:
        ids = await pull(sb, 1000)
        assert len(ids) == len(set(ids)) == 1000
        assert [offset for offset, _ in limits(sb)] == [0, 400, 800]


async def test_a_bigger_page_size_is_grown_to_and_prefetched_once_served() -> None:
    async with Sandbox(keywords=12_000, rate_limit=None) as sb:
        ids = await pull(sb, 3000)
        assert len(ids) == len(set(ids)) == 12_000
        assert limits(sb) == [(0, 1000), (1000, 3000), (4000, 3000), (7000, 3000), (10000, 2000)]


async def test_a_grown_page_stays_within_the_response_cap() -> None:
    """The first page's bytes a row size the grown page: half the response cap. A 10,000-
    row page of these rows would be refused by the cap (after being billed)."""
    async with Sandbox(keywords=6000, rate_limit=None) as sb:
        await pull(sb, 1000)
        body = len(sb.server.page_cache[next(iter(sb.server.page_cache))][0])  # 1,000 rows
        sb.server.requests.clear()
        sb.server.units_charged = 0
        ids = await pull(sb, 10_000, max_response_bytes=3 * body)
        assert len(ids) == len(set(ids)) == 6000
        sizes = [limit for _, limit in limits(sb)]
    assert (
        sizes[0] == 1000 and 1000 < sizes[1] <= 1600 and sizes[1] == max(sizes[1:-1] or sizes[1:])
    )


async def test_a_short_page_that_echoes_the_asked_size_is_still_partial() -> None:
    """Fewer rows than asked while the answer says it served the asked size (here: the
    balance ran out) is a partial answer, not a page size: PartialResponseError."""
    async with Sandbox(keywords=1000, units=25_050, rate_limit=None) as sb:
        with pytest.raises(PartialResponseError):
            await pull(sb, 1000)
