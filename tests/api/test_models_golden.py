"""Each reference example response parses into the expected values (strict mode)."""

from __future__ import annotations

import datetime as dt

import pytest

from asyncsemrush import _convert, models
from asyncsemrush.errors import ResponseFormatError

from ..sandbox.reference_examples import load_examples

EX = load_examples()
UTC = dt.timezone.utc


def test_positions_example() -> None:
    (row,) = _convert.rows(EX["tracking_position_organic"]["data"], models.PositionRow)
    assert (row.keyword, row.cpc, row.volume, row.tags) == ("pig trough", 0.25, 1300, ())
    assert row.keyword_id == "1209571576516105373"
    assert row.position("*.alibaba.com/*", dt.date(2015, 4, 14)) == 1
    assert row.position("*.aliexpress.com/*", dt.date(2015, 4, 14)) is None
    assert row.position("alibaba.com", "20150416") is None  # "" on that day
    assert row.begin == {"*.alibaba.com/*": 1, "*.aliexpress.com/*": None}
    assert row.ranking_type("*.alibaba.com/*", dt.date(2015, 4, 15)) == ("org",)
    assert (
        row.landing_url("*.aliexpress.com/*", dt.date(2015, 4, 14)) == "http://www.aliexpress.com/"
    )
    assert row.diff_30d == {"*.alibaba.com/*": 0, "*.aliexpress.com/*": 0}
    assert row.dates[0] == dt.date(2015, 4, 14) and len(row.dates) == 7
    (adwords,) = _convert.rows(EX["tracking_position_adwords"]["data"], models.PositionRow)
    assert adwords.keyword == "alibaba express" and adwords.ranking_types == {}
    assert adwords.position("*.aliexpress.com/*", dt.date(2015, 4, 18)) is None


def test_competitor_and_visibility_examples() -> None:
    md = _convert.structure(EX["tracking_competitors_adwords"]["Md"], models.CompetitorRow)
    assert (md.domain, md.visibility_change, md.ps) == ("alibaba.com", -0.5, 426)
    assert md.dates[dt.date(2015, 4, 20)] == models.CompetitorStats(18, 1, 2, 8.74)
    (row,) = _convert.rows(EX["tracking_competitors_organic"]["data"], models.CompetitorRow)
    assert row.dates[dt.date(2015, 4, 14)].visibility == 14.24
    points = _convert.rows(EX["tracking_visibility_organic"]["data"], models.VisibilityPoint)
    assert points[0] == models.VisibilityPoint(dt.date(2014, 4, 1), 7, 96)


def test_overview_and_dates_examples() -> None:
    ov = _convert.structure(EX["tracking_overview_organic"], models.TrackingOverview)
    assert (ov.total, ov.visibility, ov.visibility_change) == (199, 15.9602, 1.7159)
    assert ov.top3 == models.OverviewBucket(36, 8, 2, 2, 1, 3)
    assert ov.all.count == 146
    dates = _convert.structure(EX["tracking_campaign_dates"], models.CampaignDates)
    assert dates.dates[0] == dt.date(2014, 4, 1) and dates.last_crawl == 2


def test_project_and_geo_examples() -> None:
    project = _convert.structure(EX["project_list"], models.Project)
    assert project == models.Project(643526670283248, "myproject", "mysite.com", ())
    assert isinstance(project.project_id, int)  # > 2**53 would break a float
    cities = _convert.rows(EX["get_cities"], models.City)
    assert cities[0] == models.City(1013370, "Ajo")


def test_site_audit_examples() -> None:
    info = _convert.structure(EX["siteaudit_campaign_info"], models.SiteAuditInfo)
    assert info.status == "FINISHED" and not info.is_running
    assert info.defects == {109: 2} and info.depths == {0: 3}
    assert info.last_audit == dt.datetime(2014, 9, 10, 10, 53, 18, 40000, tzinfo=UTC)
    assert info.next_audit is None and info.last_failed_audit is None  # -1 and 0
    assert info.removed_parameters == ("rr", "r", "p") and info.excluded_checks is None
    snap = _convert.structure(EX["siteaudit_snapshot_info"], models.SnapshotInfo)
    assert (snap.quality, snap.quality_delta, snap.pages_crawled) == (42, 0, 178)
    assert snap.errors == (models.IssueCount(1, 4, 0, 174),)
    (issue,) = _convert.rows(EX["siteaudit_snapshot_issue"]["data"], models.IssueRow)
    assert issue.info == "404" and issue.first_seen == dt.datetime(
        2014, 9, 8, 12, 20, 56, 809000, tzinfo=UTC
    )
    page = _convert.structure(EX["siteaudit_page_info"], models.PageInfo)
    assert page.errors[0].data[0].info == "503" and page.notices[0].data[0].info is None
    (meta,) = _convert.structure(EX["siteaudit_meta"]["issues"], tuple[models.IssueMeta, ...])
    assert meta.title == "HTTP 5XX server errors" and meta.multidata is False
    history = _convert.rows(EX["siteaudit_campaign_history"]["data"], models.SnapshotInfo)
    assert history[0].snapshot_id == "54102d92e4b0f889a040c9c8"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.update(Nq="lots"), "$.data.0.Nq"),
        (lambda r: r.pop("Ph"), "$.data.0.Ph"),
        (lambda r: r.update(Dt={"2015-04-14": {}}), "$.data.0.Dt"),
        (lambda r: r.update(Be={"*.a.com/*": "first"}), "$.data.0.Be"),
        (lambda r: r.update(Zz=1), "$.data.0"),
    ],
)
def test_malformed_rows_name_the_field(mutate: object, field: str) -> None:
    row = dict(EX["tracking_position_organic"]["data"]["0"])
    mutate(row)  # type: ignore[operator]
    with pytest.raises(ResponseFormatError) as info:
        _convert.rows({"0": row}, models.PositionRow)
    assert info.value.field == field


def test_unknown_keys_are_ignored_at_runtime() -> None:
    _convert.set_strict(False)
    try:
        project = _convert.structure({**EX["project_list"], "new_field": 1}, models.Project)
        (row,) = _convert.rows(
            {"0": {**EX["tracking_position_organic"]["data"]["0"], "Zz": 1}}, models.PositionRow
        )
    finally:
        _convert.set_strict(True)
    assert project.project_name == "myproject" and row.keyword == "pig trough"
    with pytest.raises(ResponseFormatError, match="new_field"):
        _convert.structure({**EX["project_list"], "new_field": 1}, models.Project)
