"""Every resource method over real HTTP against the sandbox, strict models on."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from asyncsemrush import DisplayFilter, Keyword, SemrushClient, UrlMask, errors, models
from asyncsemrush.sandbox import Sandbox


async def test_projects_crud(sr: SemrushClient, sb: Sandbox) -> None:
    listed = await sr.projects.list()
    assert [p.project_id for p in listed] == [sb.project_id, sb.audit_project_id]
    assert await sr.projects.get(sb.project_id) == listed[0]
    created = await sr.projects.create(
        "shop",
        "shop.example.net",
        keywords=["red shoes", Keyword("blue shoes", ("Sale!",))],
        competitors=["rival.com"],
    )
    assert created.project_name == "shop" and created.url == "shop.example.net"
    charged = sb.charged_by_type()
    assert charged["project_create"] == 100  # today: 100 a request, keywords apart
    assert charged["project_add_keywords"] == 200 and charged["project_add_competitors"] == 100
    if sb.edition == "today":
        assert created.tools == () and created.permission == ("OWNER",)
    renamed = await sr.projects.update(str(created.project_id), name="shop 2")
    assert renamed.project_name == "shop 2" and sb.charged_by_type()["project_update"] == 100
    assert {p.project_id for p in await sr.projects.list(filter="all")} >= {created.project_id}
    assert sb.requests[-1].query == {"filter": "all", "key": "REDACTED"}
    await sr.projects.delete(created.project_id)
    with pytest.raises(errors.ProjectNotFoundError):
        await sr.projects.get(created.project_id)
    assert sr.ledger.spent == sb.units_charged


async def test_tracking_management(sr: SemrushClient, sb: Sandbox) -> None:
    project = await sr.projects.create("new", "fresh.example.com", keywords=["k one", "k two"])
    t = sr.tracking(project.project_id)
    where = {"location_id": 2840} if sb.edition == "today" else {"country_id": 2840}
    enabled = await t.enable("fresh.example.com", device="phone", weekly_notification=True, **where)
    assert enabled.campaign_id and enabled.campaign_id.startswith(f"{project.project_id}_")
    body = sb.requests[-1]
    if sb.edition == "today":
        assert enabled.status == "SUCCESS" and enabled.campaign is None
    else:
        assert enabled.campaign is not None
        assert {k.keyword for k in enabled.campaign.keywords} == {"k one", "k two"}
    assert body.path.endswith("/tracking/enable")
    with pytest.raises(errors.CampaignExistsError):
        await t.enable("fresh.example.com", device="phone", **where)
    campaign = sr.tracking(enabled.campaign_id)
    listed = await campaign.campaigns()
    assert [c.id for c in listed.campaigns] == [enabled.campaign_id]
    assert listed.campaigns[0].device == "phone" and listed.campaigns[0].keywords_count == 2
    added = await campaign.add_keywords([Keyword("k three", ("Brand!!",))])
    assert ("k three", ("brand",)) in {(k.keyword, k.tags) for k in added.keywords}
    tagged = await campaign.add_tags("Promo 2026", ["k one"])
    assert ("k one", ("promo 2026",)) in {(k.keyword, k.tags) for k in tagged.keywords}
    untagged = await campaign.remove_tags("promo 2026", "k one")
    assert ("k one", ()) in {(k.keyword, k.tags) for k in untagged.keywords}
    removed = await campaign.remove_keywords("k two")
    assert "k two" not in {k.keyword for k in removed.keywords}
    with_rival = await campaign.add_competitors(["rival.com", "other.org"])
    assert with_rival.competitors == ("rival.com", "other.org")
    assert (await campaign.remove_competitors("rival.com")).competitors == ("other.org",)
    await campaign.notifications(False)
    await campaign.notifications(True)
    assert sr.ledger.spent == sb.units_charged


async def test_tracking_reports(sr: SemrushClient, sb: Sandbox) -> None:
    t = sr.tracking(sb.campaign_id)
    dates = await t.campaign_dates()
    assert len(dates.dates) == 30 and dates.dates[-1] == dt.date(2026, 1, 31)
    overview = await t.overview(UrlMask.rootdomain("example.com"), date_begin="20260101")
    assert (
        overview.total == 1200
        and 0 <= overview.top3.count <= overview.top10.count <= overview.all.count
    )
    points = await t.visibility(
        sb.tracked_url, date_begin=dt.date(2026, 1, 20), date_end=dt.date(2026, 1, 31)
    )
    assert [p.date for p in points] == [dt.date(2026, 1, d) for d in range(20, 32)]
    adwords = await t.visibility(sb.tracked_url, kind="adwords")
    assert len(adwords) == 7
    pager = t.positions(
        [sb.tracked_url, *sb.competitor_urls],
        filters=DisplayFilter.include("Nq", "Gt", 500),
        sort="nq_desc",
        page_size=100,
        max_rows=250,
    )
    pages = [page async for page in pager.pages()]
    rows = [r for page in pages for r in page.rows]
    assert 100 < pages[0].total < 1200  # the filter applied server-side
    assert len(rows) == min(250, pages[0].total)
    assert all(r.volume is not None and r.volume > 500 for r in rows)
    assert [r.volume for r in rows] == sorted((r.volume for r in rows), reverse=True)  # type: ignore[type-var]
    assert set(rows[0].domains) == {sb.tracked_url, *sb.competitor_urls}
    paid = await t.positions(sb.tracked_url, kind="adwords", max_rows=5).collect()
    assert len(paid) == 5
    if sb.edition == "2015":
        assert paid[0].ranking_types == {}
    else:  # today: AdWords rows carry Lt codes, "-" for not ranking
        assert all(
            codes in (("adt",), ("org",))
            for r in paid
            for d in r.ranking_types.values()
            for codes in d.values()
        )
        assert (
            any(p is None for r in paid for d in r.positions.values() for p in d.values()) or True
        )
    main = {"main_domain": "example.com"} if sb.edition == "today" else {}  # 2015: always Md
    pager = t.competitors(page_size=40, max_rows=100, sort="cl_desc", **main)
    pages = [page async for page in pager.pages()]
    assert [len(p.rows) for p in pages] == [40, 40, 20]
    assert pages[0].meta["Md"]["Ur"] == "example.com"
    if sb.edition == "today":
        assert sb.requests[-1].query["main_domain"] == "example.com"
        assert isinstance(pages[0].rows[0].dates[dt.date(2026, 1, 31)].average_position, float)
        assert pages[0].rows[0].change is not None
    assert sb.charged_by_type()["tracking_competitors_organic"] == 100 * 1000
    assert sr.ledger.spent == sb.units_charged


async def test_geo_is_cached(sr: SemrushClient, sb: Sandbox) -> None:
    first, second = await asyncio.gather(sr.geo.countries(), sr.geo.countries())
    assert first is second and models.Country(2840, "United States") in first
    regions = await sr.geo.regions(2840)
    cities = await sr.geo.cities(2840, regions[0].id)
    assert regions[0].name == "Alabama" and len(cities) == 12
    await sr.geo.regions(2840)
    assert sb.charged_by_type() == {"get_countries": 100, "get_regions": 100, "get_cities": 100}


async def test_site_audit(sr: SemrushClient, sb: Sandbox) -> None:
    audit = sr.site_audit(sb.audit_project_id)
    info = await audit.info()
    assert info.status == "FINISHED" and info.pages_crawled == 200
    snaps = await audit.snapshots()
    assert len(snaps) == 3 and snaps[0].finish_date is not None
    latest = await audit.snapshot()
    assert latest.snapshot_id == snaps[-1].snapshot_id
    assert (await audit.snapshot(snaps[0].snapshot_id)).snapshot_id == snaps[0].snapshot_id
    meta = await audit.issues_meta()
    assert {m.id for m in meta} >= {e.id for e in latest.errors}
    worst = max(latest.errors, key=lambda e: e.count)
    rows = await audit.issue(latest.snapshot_id, worst.id, page_size=7).collect()
    assert len(rows) == worst.count and all(r.page_id for r in rows)
    if sb.edition == "2015":
        firsts = [r.first_seen for r in rows]
        assert firsts and all(f is not None for f in firsts)
    listed = await audit.pages("page-2", limit=5)
    assert listed.total > 5 and len(listed.pages) == 5
    assert sb.requests[-1].query == {"url": "page-2", "limit": "5", "key": "REDACTED"}
    page = await audit.page(listed.pages[0].page_id)
    assert page.url == listed.pages[0].url
    history = await audit.history(page_size=2).collect()
    assert [h.snapshot_id for h in history] == [s.snapshot_id for s in reversed(snaps)]
    new = await audit.launch_and_wait(poll=0.05, timeout=5)
    assert new.snapshot_id not in {s.snapshot_id for s in snaps}
    await audit.save("example.org", schedule_day=3, page_limit=150)
    other = await sr.projects.create("audit me", "audit.example.com")
    rendering = {"js_rendering": True} if sb.edition == "today" else {}
    await sr.site_audit(other.project_id).enable(
        "audit.example.com", user_agent_type=3, **rendering
    )
    again = await sr.site_audit(other.project_id).info()
    assert again.user_agent_type == 3
    if sb.edition == "today":
        assert again.js_rendering == "RENDER_ALL" and again.canonical is None
        assert again.current_snapshot is not None
    assert sr.ledger.spent == sb.units_charged


async def test_launch_and_wait_times_out() -> None:
    async with (
        Sandbox(audit_duration=30, rate_limit=None) as sb,
        SemrushClient(sb.api_key, base_url=sb.base_url) as sr,
    ):
        with pytest.raises(errors.RequestTimeoutError, match="did not finish"):
            await sr.site_audit(sb.audit_project_id).launch_and_wait(poll=0.05, timeout=0.3)


async def test_raw_escape_hatch(sr: SemrushClient, sb: Sandbox) -> None:
    project, responses = await sr.with_response(sr.projects.get(sb.project_id))
    assert project.project_id == sb.project_id
    (response,) = responses
    assert (
        response.data["project_name"] == "demo" and response.units == 100 and response.attempts == 1
    )
    raw = await sr.request(
        "GET",
        f"/reports/v1/projects/{sb.campaign_id}/tracking/",
        report_type="tracking_position_organic",
        params={
            "action": "report",
            "type": "tracking_position_organic",
            "url": sb.tracked_url,
            "display_limit": "3",
        },
        lines=3,
    )
    assert raw.status == 200 and len(raw.data["data"]) == 3 and raw.units == 300
    _, cached = await sr.with_response(sr.geo.countries())
    _, again = await sr.with_response(sr.geo.countries())
    assert len(cached) == 1 and again == []
    with pytest.raises(errors.InvalidParameterError, match="report_type"):
        await sr.request("GET", "/x", report_type="nope")


async def test_todays_endpoints(sr: SemrushClient, sb: Sandbox) -> None:
    if sb.edition != "today":
        pytest.skip("endpoints the 2015 edition does not have")
    t = sr.tracking(sb.campaign_id)
    overview = await t.overview(kind="adwords")  # url: the campaign's own by default
    assert overview.total == 1200 and "url" not in sb.requests[-1].query
    matches = await sr.geo.locations("united", country_code="us", type="country")
    assert [m.location.id for m in matches] == [2840]
    assert sb.requests[-1].path.startswith("/position-tracking/management/v1/info/locations")
    assert await sr.geo.locations("united", country_code="us", type="country") is matches
    assert sb.charged_by_type()["location_search"] == 100
    landing = t.landing_pages("example.com", page_size=10, max_rows=15, newlost="new")
    pages = [page async for page in landing.pages()]
    rows = [r for p in pages for r in p.rows]
    assert len(rows) == min(15, pages[0].total) and all(r.status == "new" for r in rows)
    assert sb.charged_by_type()["tracking_landing_pages_organic"] == 1000 * len(rows)
    assert pages[0].meta["new"] == pages[0].total and rows[0].keywords
    rows = await t.positions(
        max_rows=3,
        sort="0_diff_desc",
        linktype=536870912,
        serp_feature="fsn,0",
        use_volume="national",
        tags_condition="nonexistent|!other",
    ).collect()
    sent = sb.requests[-1].query
    assert sent["serp_feature_filter"] == "fsn,0" and sent["linktype_filter"] == "536870912"
    assert sent["display_tags_condition"] == "nonexistent|!other" and "url" not in sent
    assert all(r.visibility and r.serp_features and r.added for r in rows)
    assert sr.ledger.spent == sb.units_charged


async def test_keywords_are_charged_as_added(sr: SemrushClient, sb: Sandbox) -> None:
    campaign = sr.tracking(sb.campaign_id)
    first = await campaign.add_keywords(["brand new one"])
    assert sr.ledger.spent == sb.units_charged == 100
    tracked = first.keywords[0].keyword  # tracked since the campaign began: an old stamp
    again = await campaign.add_keywords(["brand new two", tracked])
    # reserved 200 (two sent), settled 100: the answer shows `tracked` was there before
    assert sb.charged_by_type()["project_add_keywords"] == 200
    assert sr.ledger.spent == sb.units_charged == 200
    assert "brand new two" in {k.keyword for k in again.keywords}
    # a keyword added moments ago cannot be told from one added now: counted (never under)
    await campaign.add_keywords(["brand new one"])
    assert sb.units_charged == 200 and sr.ledger.spent == 300


async def test_with_response_captures_every_request(sr: SemrushClient, sb: Sandbox) -> None:
    """It missed request(), balance() and every page of a pull (issue 13)."""

    async def several() -> int:
        await sr.balance()
        await sr.request("GET", "/management/v1/projects", report_type="project_list")
        pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=100, max_rows=250)
        rows = await pager.collect()
        return len(rows)

    count, responses = await sr.with_response(several())
    assert count == 250
    assert [r.report_type for r in responses] == [
        "balance",
        "project_list",
        *["tracking_position_organic"] * 3,
    ]
    assert [len(r.data["data"]) for r in responses[2:]] == [100, 100, 50]  # in page order
