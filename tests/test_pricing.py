"""The price table against the reference's own table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from asyncsemrush import InvalidParameterError, PriceTable, estimate
from asyncsemrush.pricing import DEFAULT_PRICES, Price, Usage, dollars

from .conftest import REFERENCE


def _reference_types() -> list[str]:
    text = (REFERENCE / "001_b7145f6cab38f432.txt").read_text()
    table = text.split("Price in API units", 1)[1].split("Error Messages", 1)[0]
    return re.findall(r"^([a-z_]+) [A-Z]", table, re.M)


def test_every_reference_type_is_priced() -> None:
    types = _reference_types()
    assert len(types) == 34
    missing = [t for t in types if t not in DEFAULT_PRICES]
    assert missing == []


@pytest.mark.parametrize(
    ("report_type", "kwargs", "units"),
    [
        ("project_list", {}, 100),
        ("project_create", {}, 100),  # today: keywords are added (and priced) apart
        ("tracking_overview_adwords", {}, 100),
        ("location_search", {}, 100),
        ("tracking_landing_pages_organic", {"lines": 10}, 10_000),
        ("tracking_landing_pages_adwords", {"lines": 1}, 1000),
        ("project_update", {}, 100),
        ("project_add_keywords", {"keywords": 25}, 2500),
        ("tracking_position_organic", {"lines": 1000}, 100_000),
        ("tracking_position_adwords", {"lines": 10}, 1000),
        ("tracking_competitors_organic", {"lines": 10}, 10_000),
        ("tracking_overview_organic", {}, 100),
        ("siteaudit_snapshot_info", {}, 10_000),
        ("siteaudit_page_info", {}, 1000),
        ("siteaudit_campaign_history", {"snapshots": 7}, 70_000),
        ("balance", {}, 0),
    ],
)
def test_estimates(report_type: str, kwargs: dict[str, int], units: int) -> None:
    assert estimate(report_type, **kwargs) == units


def test_actual_cost_counts_rows_returned() -> None:
    table = PriceTable()
    body = {"total": "199", "data": {"0": {}, "1": {}, "2": {}}}
    cost, usage = table.actual("tracking_position_organic", body, sent=Usage(lines=10))
    assert (cost, usage.lines) == (300, 3)
    cost, usage = table.actual(
        "siteaudit_campaign_history", {"data": [{}, {}]}, sent=Usage(snapshots=7)
    )
    assert (cost, usage.snapshots) == (20_000, 2)
    cost, _ = table.actual("project_create", {"project_id": 1}, sent=Usage())
    assert cost == 100


def test_keyword_additions_are_settled_by_what_the_answer_shows_added() -> None:
    table = PriceTable()
    answer = {  # today's documented example: two old keywords, two added now
        "keywords": [
            {"keyword": "search tool", "tags": [], "timestamp": 1391517755},
            {"keyword": "search engine", "tags": [], "timestamp": 1391517755},
            {"keyword": "seo", "tags": [], "timestamp": 1491517755},
            {"keyword": "seotool", "tags": [], "timestamp": 1491517755},
        ]
    }
    sent = Usage(keywords=3)
    cost, usage = table.actual(
        "project_add_keywords", answer, sent=sent, keywords=("seo", "seotool", "search tool")
    )
    assert (cost, usage.keywords) == (200, 2)  # "search tool" was tracked before
    # a keyword the answer does not list is counted: only evidence lowers the charge
    cost, _ = table.actual("project_add_keywords", answer, sent=sent, keywords=("seo", "x", "y"))
    assert cost == 300
    # an answer without a keyword list, or a malformed one, charges all that was sent
    for body in ({}, {"keywords": "seo"}, {"keywords": [{"keyword": "seo", "timestamp": None}]}):
        assert table.actual("project_add_keywords", body, sent=sent, keywords=("seo",))[0] == 300


def test_unknown_type_and_negative_counts_are_rejected() -> None:
    with pytest.raises(InvalidParameterError, match="report_type"):
        estimate("tracking_position_organik")
    with pytest.raises(InvalidParameterError, match="lines"):
        estimate("tracking_position_organic", lines=-1)


def test_prices_are_overridable() -> None:
    table = PriceTable().with_prices(tracking_position_organic=Price(per_line=150))
    assert table.estimate("tracking_position_organic", lines=10) == 1500
    assert PriceTable().estimate("tracking_position_organic", lines=10) == 1000


def test_dollars() -> None:
    assert dollars(20_000) == Decimal(1)
    assert dollars(100) == Decimal("0.005")
