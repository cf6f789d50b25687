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
    assert sb.charged_by_type()["project_create"] == 300  # 100 + 2 keywords
    renamed = await sr.projects.update(str(created.project_id), name="shop 2")
    assert renamed.project_name == "shop 2"
    await sr.projects.delete(created.project_id)
    with pytest.raises(errors.ProjectNotFoundError):
        await sr.projects.get(created.project_id)
    assert sr.ledger.spent == sb.units_charged


async def test_tracking_management(sr: SemrushClient, sb: Sandbox) -> None:
    project = await sr.projects.create("new", "fresh.example.com", keywords=["k one", "k two"])
    t = sr.tracking(project.project_id)
    enabled = await t.enable(
        "fresh.example.com", country_id=2840, device="phone", weekly_notification=True
    )
    assert enabled.campaign_id and enabled.campaign_id.startswith(f"{project.project_id}_")
    assert {k.keyword for k in enabled.keywords} == {"k one", "k two"}
    with pytest.raises(errors.CampaignExistsError):
        await t.enable("fresh.example.com", country_id=2840, device="phone")
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
    assert len(paid) == 5 and paid[0].ranking_types == {}
    pager = t.competitors(page_size=40, max_rows=100, sort="cl_desc")
    pages = [page async for page in pager.pages()]
    assert [len(p.rows) for p in pages] == [40, 40, 20]
    assert pages[0].meta["Md"]["Ur"] == "example.com"
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
    rows = await audit.issue(
        latest.snapshot_id, worst.id, page_size=7, sort="firstseen_desc"
    ).collect()
    assert len(rows) == worst.count
    firsts = [r.first_seen for r in rows]
    assert firsts == sorted(firsts, reverse=True)  # type: ignore[type-var]
    listed = await audit.pages("page-2", limit=5)
    assert listed.total > 5 and len(listed.pages) == 5
    page = await audit.page(listed.pages[0].page_id)
    assert page.url == listed.pages[0].url
    history = await audit.history(page_size=2).collect()
    assert [h.snapshot_id for h in history] == [s.snapshot_id for s in reversed(snaps)]
    new = await audit.launch_and_wait(poll=0.05, timeout=5)
    assert new.snapshot_id not in {s.snapshot_id for s in snaps}
    await audit.save("example.org", schedule_day=3, page_limit=150)
    other = await sr.projects.create("audit me", "audit.example.com")
    await sr.site_audit(other.project_id).enable("audit.example.com", user_agent_type=1)
    assert (await sr.site_audit(other.project_id).info()).user_agent_type == 1
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
