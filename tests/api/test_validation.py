"""Every validation rule: a bad value raises InvalidParameterError naming the parameter,
before any request: the sandbox sees nothing. The good value goes through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from asyncsemrush import (
    DisplayFilter,
    InvalidParameterError,
    Keyword,
    SemrushClient,
    UrlMask,
    params,
)
from asyncsemrush.pagination import AsyncPaginator
from asyncsemrush.sandbox import Sandbox

Call = Callable[[SemrushClient, Sandbox], Any]
T = "*.example.com/*"


def pos(**kw: Any) -> Call:
    rest = {k: v for k, v in kw.items() if k != "url"}
    return lambda sr, sb: sr.tracking(sb.campaign_id).positions(
        kw.get("url", T), max_rows=1, **rest
    )


def today(call: Call) -> Call:
    """A call whose parameters only today's service knows: the 2015 sandbox skips it."""

    def run(sr: SemrushClient, sb: Sandbox) -> Any:
        if sb.edition != "today":
            pytest.skip("a parameter of today's service")
        return call(sr, sb)

    return run


def landing(**kw: Any) -> Call:
    rest = {k: v for k, v in kw.items() if k != "url"}
    return lambda sr, sb: sr.tracking(sb.campaign_id).landing_pages(
        kw.get("url", "example.com"), max_rows=1, **rest
    )


def comp(**kw: Any) -> Call:
    return lambda sr, sb: sr.tracking(sb.campaign_id).competitors(max_rows=1, **kw)


def enable(**kw: Any) -> Call:
    return lambda sr, sb: sr.tracking(sb.project_id).enable(
        "example.com", **{"country_id": 2840, **kw}
    )


def audit_save(**kw: Any) -> Call:
    return lambda sr, sb: sr.site_audit(sb.audit_project_id).save("example.org", **kw)


def snap(sb: Sandbox) -> str:
    """The latest snapshot of the sandbox's audit project."""
    audit = sb.server.world.projects[sb.audit_project_id].audit
    assert audit is not None
    return audit.snapshots[-1].snapshot_id


# (rule, bad call, parameter named, good call)
RULES: list[tuple[str, Call, str, Call]] = [
    ("date format", pos(date_begin="2026-1-1"), "date_begin", pos(date_begin="2026-01-01")),
    ("date value", pos(date_end="20260231"), "date_end", pos(date_end=dt.date(2026, 1, 31))),
    (
        "begin <= end",
        pos(date_begin="20260131", date_end="20260101"),
        "date_begin",
        pos(date_begin="20260101", date_end="20260131"),
    ),
    ("mask shape", pos(url="example.com"), "url", pos(url=UrlMask.rootdomain("example.com"))),
    (
        "at most 6 masks",
        pos(url=[f"*.d{n}.com/*" for n in range(7)]),
        "url",
        pos(url=[f"*.d{n}.com/*" for n in range(6)]),
    ),
    ("distinct masks", pos(url=[T, T]), "url", pos(url=[T, "www.example.com/*"])),
    ("filter field", pos(filters="+|Xx|Eq|1"), "display_filter field", pos(filters="+|Nq|Eq|1")),
    (
        "op for a number",
        pos(filters=[DisplayFilter("+", "Nq", "Gt", "1")] * 0 or "+|Nq|Co|1"),
        "display_filter operation",
        pos(filters=DisplayFilter.include("Nq", "Gt", 1)),
    ),
    (
        "op for text",
        pos(filters="+|Ph|Gt|a"),
        "display_filter operation",
        pos(filters=DisplayFilter.include("Ph", "Co", "best")),
    ),
    (
        "numeric value",
        pos(filters="+|Cp|Gt|cheap"),
        "display_filter value",
        pos(filters="+|Cp|Gt|0.5"),
    ),
    (
        "at most 25 filters",
        pos(filters=[DisplayFilter.include("Nq", "Gt", n) for n in range(26)]),
        "filters",
        pos(filters=[DisplayFilter.include("Nq", "Gt", n) for n in range(25)]),
    ),
    ("position sort", pos(sort="pos_asc"), "sort", pos(sort="0_pos_asc")),
    (
        "sort domain index",
        pos(sort="1_pos_asc"),
        "sort",
        pos(url=[T, "*.x.com/*"], sort="1_pos_asc"),
    ),
    ("competitor sort", comp(sort="nq_desc"), "sort", comp(sort="cl_desc")),
    ("top_filter", pos(top_filter="top_5"), "top_filter", pos(top_filter="top_1page_up")),
    ("linktype", pos(linktype=3), "linktype", pos(linktype=2)),
    (
        "linktype today",
        today(pos(linktype=524289)),
        "linktype",
        today(pos(linktype=537395202)),
    ),
    ("position sort today", pos(sort="sov_up"), "sort", today(pos(sort="0_diff_desc"))),
    ("competitor sort today", comp(sort="mc_desc"), "sort", today(comp(sort="1_mc_desc"))),
    (
        "serp feature code",
        pos(serp_feature="featured_snippets"),
        "serp_feature_filter",
        today(pos(serp_feature="fsn,0")),
    ),
    (
        "serp feature domain index",
        pos(serp_feature="fsn,1"),
        "serp_feature_filter",
        today(pos(url=[T, "*.x.com/*"], serp_feature="-fsn,1")),
    ),
    (
        "serp feature organic only",
        pos(kind="adwords", serp_feature="fsn"),
        "serp_feature",
        pos(kind="adwords"),
    ),
    ("use_volume", pos(use_volume="city"), "use_volume", today(pos(use_volume="regional"))),
    (
        "tags condition",
        pos(tags_condition="a&&b"),
        "tags_condition",
        today(pos(tags_condition="a&!b")),
    ),
    ("one tag filter", pos(tags="a", tags_condition="b"), "tags_condition", pos(tags="a")),
    ("main_domain", comp(main_domain="*.x.com/*"), "main_domain", today(comp(main_domain="x.com"))),
    ("landing url", landing(url="*.example.com/*"), "url", today(landing())),
    ("newlost", landing(newlost="gone"), "newlost", today(landing(newlost="lost"))),
    ("landing sort", landing(sort="ph_asc"), "sort", today(landing(sort="1_mc_desc"))),
    (
        "location search type",
        lambda sr, sb: sr.geo.locations(type="town"),
        "type",
        today(lambda sr, sb: sr.geo.locations(type="city")),
    ),
    (
        "location country code",
        lambda sr, sb: sr.geo.locations(country_code="USA"),
        "country_code",
        today(lambda sr, sb: sr.geo.locations(country_code="us")),
    ),
    (
        "enable location or country",
        lambda sr, sb: sr.tracking(sb.project_id).enable("x.com"),
        "location_id",
        today(lambda sr, sb: sr.tracking(sb.project_id).enable("x.com", location_id=2124)),
    ),
    (
        "enable weekly notification",
        lambda sr, sb: sr.tracking(sb.project_id).enable(
            "x.com", location_id=1, weekly_notification="yes"
        ),
        "weekly_notification",
        today(
            lambda sr, sb: sr.tracking(sb.project_id).enable(
                "x.com", location_id=2826, weekly_notification=True
            )
        ),
    ),
    (
        "project list filter",
        lambda sr, sb: sr.projects.list(filter="mine"),
        "filter",
        lambda sr, sb: sr.projects.list(filter="shared"),
    ),
    (
        "project name symbols",
        lambda sr, sb: sr.projects.create("a/b", "ab.com"),
        "name",
        lambda sr, sb: sr.projects.create("a b", "ab.com"),
    ),
    ("filters names its argument", pos(filters=5), "filters", pos(filters="+|Nq|Gt|1")),
    (
        "filter value nan",
        pos(filters="+|Nq|Gt|nan"),
        "display_filter value",
        pos(filters="+|Nq|Gt|1"),
    ),
    (
        "filter value 1e999",
        pos(filters="+|Cp|Lt|1e999"),
        "display_filter value",
        pos(filters="+|Cp|Lt|9"),
    ),
    (
        "unicode digits in an ID",
        lambda sr, sb: sr.projects.update("²", name="x"),
        "project_id",
        lambda sr, sb: sr.projects.update(str(sb.project_id), name="x"),
    ),
    (
        "unicode digits in a campaign ID",
        lambda sr, sb: sr.tracking("1٢_3").campaign_dates(),
        "campaign_id",
        lambda sr, sb: sr.tracking(sb.campaign_id).campaign_dates(),
    ),
    ("allow is a list", audit_save(allow=False), "allow", audit_save(allow=["/blog/*"])),
    (
        "raw params are a mapping",
        lambda sr, sb: sr.request(
            "GET", "/management/v1/projects", report_type="project_list", params=[""]
        ),  # type: ignore[arg-type]
        "params",
        lambda sr, sb: sr.request(
            "GET", "/management/v1/projects", report_type="project_list", params={}
        ),
    ),
    (
        "tags of a keyword pair",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_keywords([("seo", 5)]),  # type: ignore[list-item]
        "keywords",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_keywords([("seo", ("a",))]),  # type: ignore[list-item]
    ),
    (
        "js rendering",
        audit_save(js_rendering="yes"),
        "js_rendering",
        today(audit_save(js_rendering=False)),
    ),
    (
        "per-line raw request without lines",
        lambda sr, sb: sr.request(
            "GET",
            f"/reports/v1/projects/{sb.campaign_id}/tracking/",
            report_type="tracking_position_organic",
            params={"action": "report", "type": "tracking_position_organic"},
        ),
        "lines",
        lambda sr, sb: sr.request(
            "GET",
            f"/reports/v1/projects/{sb.campaign_id}/tracking/",
            report_type="tracking_position_organic",
            params={
                "action": "report",
                "type": "tracking_position_organic",
                "url": T,
                "display_limit": "2",
            },
        ),
    ),
    ("linktype organic only", pos(kind="adwords", linktype=0), "linktype", pos(kind="adwords")),
    ("kind", pos(kind="paid"), "kind", pos(kind="adwords")),
    ("tags text", pos(tags="a|b"), "tags", pos(tags=["sale", "seo"])),
    ("url_type", comp(url_type="domain"), "url_type", comp(url_type="subdomain")),
    ("top range", comp(top_start=20, top_end=10), "top_start", comp(top_start=1, top_end=10)),
    ("page_size", pos(page_size=0), "page_size", pos(page_size=10)),
    ("prefetch", pos(prefetch=0), "prefetch", pos(prefetch=2)),
    (
        "max_rows",
        pos(max_rows=-1)
        if False
        else (lambda sr, sb: sr.tracking(sb.campaign_id).positions(T, max_rows=-1)),
        "max_rows",
        pos(),
    ),
    ("device", enable(device="watch"), "device", enable(url_type="subdomain", device="tablet")),
    ("country_id", enable(country_id=0), "country_id", enable(country_id=2124)),
    (
        "campaign id",
        lambda sr, sb: sr.tracking("abc").campaign_dates(),
        "campaign_id",
        lambda sr, sb: sr.tracking(str(sb.project_id)).campaign_dates(),
    ),
    (
        "project id",
        lambda sr, sb: sr.projects.get(0),
        "project_id",
        lambda sr, sb: sr.projects.get(str(sb.project_id)),
    ),
    (
        "at most 20 competitors",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_competitors(
            [f"c{n}.com" for n in range(21)]
        ),
        "competitors",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_competitors(
            [f"c{n}.com" for n in range(18)]
        ),
    ),  # 2 are tracked
    (
        "at most 5 tags",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_keywords(Keyword("k", tuple("abcdef"))),
        "tags of 'k'",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_keywords(Keyword("k", tuple("abcde"))),
    ),
    (
        "tag empty once sanitised",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_tags("!!!", ["k"]),
        "tag",
        lambda sr, sb: sr.tracking(sb.campaign_id).add_tags("ok!", ["k"]),
    ),
    (
        "userAgentType today",
        audit_save(user_agent_type=1),
        "user_agent_type",
        audit_save(user_agent_type=3),
    ),
    ("scheduleDay 0-7", audit_save(schedule_day=8), "schedule_day", audit_save(schedule_day=7)),
    ("pageLimit > 0", audit_save(page_limit=0), "page_limit", audit_save(page_limit=1)),
    (
        "issue sort",
        lambda sr, sb: sr.site_audit(sb.audit_project_id).issue(snap(sb), 1, sort="date"),
        "sort",
        lambda sr, sb: sr.site_audit(sb.audit_project_id).issue(snap(sb), 1, sort="index_asc"),
    ),
    (
        "issue start_offset",
        lambda sr, sb: sr.site_audit(sb.audit_project_id).issue(
            snap(sb), 1, page_size=10, start_offset=5
        ),
        "start_offset",
        lambda sr, sb: sr.site_audit(sb.audit_project_id).issue(
            snap(sb), 1, page_size=10, start_offset=10
        ),
    ),
    (
        "snapshot id",
        lambda sr, sb: sr.site_audit(sb.audit_project_id).snapshot("../x"),
        "snapshot_id",
        lambda sr, sb: sr.site_audit(sb.audit_project_id).snapshot(),
    ),
    (
        "project name",
        lambda sr, sb: sr.projects.create(" ", "a.com"),
        "name",
        lambda sr, sb: sr.projects.create("a", "a.com"),
    ),
    (
        "project domain",
        lambda sr, sb: sr.projects.create("a", "not a domain"),
        "url",
        lambda sr, sb: sr.projects.create("b", "https://b.com/"),
    ),
    (
        "geo ids",
        lambda sr, sb: sr.geo.regions(-1),
        "country_id",
        lambda sr, sb: sr.geo.regions(2840),
    ),
    (
        "raw path",
        lambda sr, sb: sr.request("GET", "reports", report_type="project_list"),
        "path",
        lambda sr, sb: sr.request("GET", "/management/v1/projects", report_type="project_list"),
    ),
]


async def run(call: Call, sr: SemrushClient, sb: Sandbox) -> Any:
    result = call(sr, sb)
    if isinstance(result, AsyncPaginator):
        return await result.collect()
    return await result


@pytest.mark.parametrize(("rule", "bad", "parameter", "good"), RULES, ids=[r[0] for r in RULES])
async def test_rule(
    rule: str, bad: Call, parameter: str, good: Call, sr: SemrushClient, sb: Sandbox
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        await run(bad, sr, sb)
    assert info.value.parameter == parameter
    assert parameter in str(info.value) and info.value.allowed in str(info.value)
    assert sb.requests == [], "nothing may be sent for bad input"
    assert sr.ledger.requests == 0
    await run(good, sr, sb)


def test_tag_sanitisation_is_applied_and_shown() -> None:
    assert Keyword("  red   shoes ", tags=("My Tag!", "SALE", "a___b", " _x_ ")).tags == (
        "my tag",
        "sale",
        "a__b",
        "x",
    )
    assert Keyword("k", tags=("Brand", "brand!")).tags == ("brand",)
    assert params.sanitize_tag("Zürich & Co.") == "zürich & co."


def test_vocabularies() -> None:
    assert (
        params.regional_database("uk") == "uk"
        and params.regional_database("worldwide") == "worldwide"
    )
    with pytest.raises(InvalidParameterError, match="use 'uk'"):
        params.regional_database("gb")
    assert len(params.REGIONAL_DATABASES) >= 200
    # Semrush's own codes; SE Ranking's names are another vendor's and are refused
    assert params.serp_feature_filter("fsn,0", 1) == "fsn,0"
    assert params.serp_feature_filter(params.SerpFeature.LOCAL_PACK, 1) == "geo"
    assert params.SERP_FEATURES["aio"] == "AI overview" and len(params.SERP_FEATURES) == 36
    for bad in ("featured_snippets", "fsn,1", "xyz", "-fsn,"):
        with pytest.raises(InvalidParameterError, match="serp_feature_filter"):
            params.serp_feature_filter(bad, 1)


def test_mask_builders() -> None:
    assert UrlMask.rootdomain("https://eBay.com/") == "*.ebay.com/*"
    assert UrlMask.subdomain("www.ebay.com") == "www.ebay.com/*"
    assert UrlMask.subfolder("ebay.com/motors/") == "ebay.com/motors/*"
    assert UrlMask.url("http://www.ebay.com/motors/") == "http://www.ebay.com/motors/"
    assert [
        m.url_type for m in params.masks("*.a.com/*:www.a.com/*:a.com/x/*:https://a.com/x")
    ] == [
        "rootdomain",
        "subdomain",
        "subfolder",
        "url",
    ]
    with pytest.raises(InvalidParameterError, match="domain"):
        UrlMask.rootdomain("not a domain")
