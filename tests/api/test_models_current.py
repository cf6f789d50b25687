"""Today's documented examples (tests/reference/current_v3/) parse into the expected
values, in strict mode: every field of the current pages is modelled, none is lost."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from asyncsemrush import _convert, models
from asyncsemrush.errors import ResponseFormatError

CURRENT = Path(__file__).parent.parent / "reference" / "current_v3"
UTC = dt.timezone.utc
APPLE, AMAZON, WALMART = "*.apple.com/*", "*.amazon.com/*", "*.walmart.com/*"


def example(name: str) -> Any:
    return json.loads((CURRENT / f"{name}.json").read_text())


def test_projects_today() -> None:
    (project,) = _convert.rows(example("project_list"), models.Project, "$")
    assert project.project_id == 643526670283248 and isinstance(project.project_id, int)
    assert project.tools == ("tracking",)  # [{"tool": "tracking"}]
    assert (project.domain_unicode, project.owner_id) == ("mysite.com", 123456780)
    assert project.permission == ("OWNER",)
    created = _convert.structure(example("project_create"), models.Project)
    assert created == project


def test_tracked_campaign_today() -> None:
    campaign = _convert.structure(example("project_add_keywords"), models.TrackedCampaign)
    assert campaign.tools == ("tracking",) and campaign.campaign_id == "643526670283248_17238"
    assert [k.keyword for k in campaign.keywords] == [
        "search tool",
        "search engine",
        "seo",
        "seotool",
    ]
    assert campaign.keywords[2].timestamp == dt.datetime.fromtimestamp(1491517755, UTC)


def test_enable_answer_today_carries_the_campaign_id() -> None:
    enabled = _convert.structure(example("tracking_enable"), models.EnabledTracking)
    assert enabled.campaign_id == "103345921_15710"
    assert (enabled.status, enabled.action) == ("SUCCESS", "tracking_enable")


def test_campaign_list_today() -> None:
    listed = _convert.structure(example("tracking_campaigns_list"), models.CampaignList)
    assert listed.project_id == 103580023  # sent as a string today
    (campaign,) = listed.campaigns
    assert campaign.location is not None and campaign.location.id == 1014221
    assert (campaign.language, campaign.keywords_count, listed.targets_limit) == (
        "English",
        81,
        5000,
    )


def test_location_search_today() -> None:
    (match,) = _convert.structure(
        example("location_search")["locations"], tuple[models.LocationMatch, ...]
    )
    assert match.available_volume_types == ("national",)
    location = match.location
    assert (location.id, location.country_code, location.type, location.weight) == (
        2840,
        "us",
        "country",
        2774,
    )
    assert [lang.hl for lang in location.languages] == ["en", "es"]
    assert location.languages[0].is_default and not location.languages[1].is_default


def test_positions_organic_today() -> None:
    (row,) = _convert.rows(example("tracking_position_organic")["data"], models.PositionRow)
    assert (row.keyword_id, row.keyword, row.cpc, row.volume) == (
        "801444466689038445",
        "facebook",
        1.44,
        185_000_000,
    )
    assert row.added == dt.date(2017, 9, 8) and row.intents == ("i", "c")
    assert row.tags == ("tag1",) and row.volume_status == "0"
    day = dt.date(2021, 5, 27)
    assert row.position(APPLE, day) == 3 and row.position("amazon.com", "20210521") == 32
    assert row.ranking_type(APPLE, day) == ("rev",)  # Lt: a list of feature codes
    assert row.visibility[day] == {APPLE: 13.0494, AMAZON: 0.9065}
    assert row.visibility_change == {APPLE: 2.1978, AMAZON: -0.1649}  # Vi's "Diff"
    assert row.share_of_voice_change[APPLE] == 0.01
    assert row.traffic[day][APPLE] == 585833.33 and row.traffic_cost[day][AMAZON] == 58608
    assert row.serp_features[day] == ("new", "twt", "rev", "stl", "kng")
    assert row.dates == (dt.date(2021, 5, 21), day)  # "Diff" is not a date
    assert row.diff_7d == {APPLE: 97, AMAZON: 62} and row.extra == {}


def test_positions_adwords_today_not_ranking_is_a_dash() -> None:
    (row,) = _convert.rows(example("tracking_position_adwords")["data"], models.PositionRow)
    first, last = dt.date(2021, 5, 22), dt.date(2021, 5, 28)
    assert row.position(APPLE, first) is None and row.position(APPLE, last) == 1
    assert row.position(WALMART, last) is None
    assert row.begin == {APPLE: None, WALMART: None} and row.diff[WALMART] is None
    assert row.ranking_type(APPLE, last) == ("adt",)
    assert row.landing_url(WALMART, last) is None and row.share_of_voice == {}


def test_competitors_today() -> None:
    data = example("tracking_competitors_organic")
    md = _convert.structure(data["Md"], models.CompetitorRow)
    assert (md.domain, md.ps, md.visibility_change) == ("apple.com", 73, -0.644417)
    assert set(md.dates) == {dt.date(2021, 5, 18), dt.date(2021, 5, 24)}
    stats = md.dates[dt.date(2021, 5, 18)]
    assert stats.average_position == 30.666667  # a float today
    assert (stats.share_of_voice, stats.traffic, stats.traffic_cost) == (
        31.962639,
        53941.55,
        44413.093073,
    )
    assert md.change is not None and md.change.keywords == -1 and md.change.traffic < 0
    (row,) = _convert.rows(data["data"], models.CompetitorRow)
    first = row.dates[dt.date(2021, 5, 18)]
    assert (first.traffic, first.traffic_cost) == (None, None)  # "n/a"
    assert row.dates[dt.date(2021, 5, 24)].average_position == 99.545


def test_visibility_today() -> None:
    points = _convert.rows(example("tracking_visibility_organic")["data"], models.VisibilityPoint)
    assert points[0] == models.VisibilityPoint(
        dt.date(2021, 5, 18), 33397900, 45.8762, 8.075, 5.89, 3258225.0324, 9745148.8893
    )
    assert [p.date.day for p in points] == [18, 24]


def test_overview_adwords_today() -> None:
    ov = _convert.structure(example("tracking_overview_adwords"), models.TrackingOverview)
    assert (ov.total, ov.visibility, ov.top10.count, ov.top20.entered) == (199, 15.9602, 67, 11)
    assert ov.distribution == {0: 47, 1: 17, 2: 2}


def test_landing_pages_today() -> None:
    data = example("tracking_landing_pages_organic")
    (page,) = _convert.rows(data["data"], models.LandingPageRow)
    assert page.url.startswith("https://apps.apple.com/") and page.status is None
    start = page.dates[dt.date(2021, 5, 18)]
    assert (start.keywords, start.average_position, start.volume) == (1, 3.0, 16_600_000)
    assert [share.intent for share in start.intents] == ["i", "n", "t", "c"]
    assert page.change is not None and page.change.average_position == -1
    (kw,) = page.keywords
    assert (kw.keyword_id, kw.keyword, kw.volume_status, kw.intents) == (
        "5243708147689083041",
        "zillow",
        "1",
        ("i", "t"),
    )
    assert kw.positions == {dt.date(2021, 5, 18): 3, dt.date(2021, 5, 24): 4}
    assert kw.position_change == -1 and kw.ranking_types[dt.date(2021, 5, 24)] == ("rev",)
    assert page.amp == 0 and page.extra == {}


def test_site_audit_today() -> None:
    info = _convert.structure(example("siteaudit_campaign_info"), models.SiteAuditInfo)
    assert info.canonical is None and info.status == "FINISHED"  # canonical is gone today
    assert info.markups == models.Markups(0, 0, 0, 0)
    (row,) = _convert.rows(example("siteaudit_snapshot_issue")["data"], models.IssueRow)
    assert row.page_id == "54102d9e0cf2e0c100696c88" and row.title is None
    (meta,) = _convert.structure(example("siteaudit_meta")["issues"], tuple[models.IssueMeta, ...])
    assert (meta.url_column, meta.info_column, meta.desc) == ("Image URL", "HTTP Code", "")
    page = _convert.structure(example("siteaudit_page_info"), models.PageInfo)
    assert page.weight is None and page.errors[0].data[0].info == "503"
    pages = _convert.structure(example("siteaudit_page_list"), models.PageList)
    assert pages.total == 178 and pages.pages[0].page_id == "54102d9e0cf2e0c100696c88"


def test_unknown_fields_are_kept_in_production_and_refused_when_strict() -> None:
    wire = {**example("project_create"), "brand_new": {"x": 1}}
    with pytest.raises(ResponseFormatError, match="brand_new"):
        _convert.structure(wire, models.Project)  # the tests run strict
    _convert.set_strict(False)
    try:
        project = _convert.structure(wire, models.Project)
        (row,) = _convert.rows(
            {"0": {**example("tracking_position_organic")["data"]["0"], "Zz": [1]}},
            models.PositionRow,
        )
    finally:
        _convert.set_strict(True)
    assert project.extra == {"brand_new": {"x": 1}} and project.tools == ("tracking",)
    assert row.extra == {"Zz": [1]}
    with pytest.raises(TypeError):
        project.extra["other"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("variant", "expected"),
    [("", None), ("-", None), ("n/a", None), (None, None), ("7", 7), (7.0, 7), ("7.0", 7)],
)
def test_every_documented_spelling_of_a_position(variant: object, expected: int | None) -> None:
    wire = {"Pi": "1", "Ph": "k", "Dt": {"20260101": {APPLE: variant}}}
    (row,) = _convert.rows([wire], models.PositionRow)
    assert row.position(APPLE, dt.date(2026, 1, 1)) == expected


def test_a_bad_cell_fails_when_read_and_names_its_field() -> None:
    _convert.set_strict(False)
    try:
        (row,) = _convert.rows(
            [{"Pi": "1", "Ph": "k", "Nq": "lots", "Cp": "0.5"}], models.PositionRow
        )
    finally:
        _convert.set_strict(True)
    assert row.keyword == "k" and row.cpc == 0.5  # the rest of the row reads
    with pytest.raises(ResponseFormatError, match=r"\.0\.Nq"):
        _ = row.volume
