"""reconcile(): the units the account was charged between two balance reads against the
ledger, over HTTP to the sandbox (whose balance is what it charged)."""

from __future__ import annotations

import logging

import pytest

from asyncsemrush import SemrushClient
from asyncsemrush.pricing import Price, PriceTable
from asyncsemrush.sandbox import Sandbox


async def test_reconcile_matches_then_finds_a_price_that_changed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(rate_limit=None, keywords=300) as sb:
        async with SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None) as sr:
            first = await sr.reconcile()
            assert first.charged is None and first.balance_now == sb.balance
            await sr.projects.list()
            await sr.tracking(sb.campaign_id).positions(max_rows=25).collect()
            report = await sr.reconcile()
            assert report.matches and report.charged == 2600 == report.recorded
            assert report.by_type == {"project_list": 100, "tracking_position_organic": 2500}
            assert sb.units_charged == 2600  # reconcile itself costs nothing
        # the service now charges 120 a row: a client with the old table finds out
        cheap = PriceTable().with_prices(tracking_position_organic=Price(per_line=100))
        sb.server.prices = PriceTable().with_prices(tracking_position_organic=Price(per_line=120))
        async with SemrushClient(
            sb.api_key, base_url=sb.base_url, rate_limit=None, prices=cheap
        ) as sr:
            await sr.balance()  # a balance read is a mark too
            await sr.tracking(sb.campaign_id).positions(max_rows=10).collect()
            with caplog.at_level(logging.WARNING, "asyncsemrush"):
                report = await sr.reconcile()
            assert (report.charged, report.recorded, report.difference) == (1200, 1000, 200)
            assert report.suspect == "tracking_position_organic" and not report.matches
            assert sr.ledger.spent == 1000  # never changed by the comparison
            assert "paid 200 more than recorded (only tracking_position_organic" in caplog.text
