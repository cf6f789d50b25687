"""The sandbox behaves like the service: errors, balance, partial answers, limits."""

from __future__ import annotations

import asyncio

import pytest

from asyncsemrush.sandbox import Sandbox

from .conftest import Raw, plain_session

M = "/management/v1/projects"


@pytest.mark.parametrize(
    ("key", "code"),
    [("", 122), ("not-a-hash", 121), ("0" * 32, 120)],
)
async def test_key_checks(raw: Raw, key: str, code: int) -> None:
    status, _, body = await raw.call("GET", M, key=key)
    assert (status, body["code"]) == (400, code)
    assert raw.sb.units_charged == 0


async def test_api_disabled() -> None:
    async with Sandbox(api_disabled=True) as sb, plain_session() as s:
        status, _, body = await Raw(sb, s).call("GET", M)
    assert (status, body["code"]) == (400, 130)


async def test_unknown_project_and_missing_parameters(raw: Raw, sandbox: Sandbox) -> None:
    status, _, body = await raw.call("GET", f"{M}/123")
    assert (status, body["code"]) == (400, 512)
    path, params = raw.report("tracking_position_organic")  # no url
    status, _, body = await raw.call("GET", path, params)
    assert body["code"] == 519
    status, _, body = await raw.call("POST", M, body={"url": "x.com"})
    assert body["code"] == 519
    status, _, body = await raw.call("GET", f"/reports/v1/projects/{sandbox.project_id}/tracking/")
    assert body["code"] == 519
    assert sandbox.units_charged == 0


async def test_project_and_keyword_limits() -> None:
    async with (
        Sandbox(projects_limit=3, keywords_limit=1005, keywords=1000) as sb,
        plain_session() as s,
    ):
        raw = Raw(sb, s)
        await raw.ok("POST", M, body={"project_name": "p3", "url": "p3.com"})
        status, _, body = await raw.call("POST", M, body={"project_name": "p4", "url": "p4.com"})
        assert (status, body["code"]) == (400, 521)
        assert "projects created: 3, user limit are 3" in body["message"]
        kws = {"keywords": [{"keyword": f"kw {n}"} for n in range(6)]}
        status, _, body = await raw.call("PUT", f"{M}/{sb.campaign_id}/keywords", body=kws)
        assert body["code"] == 522
        assert "keywords limit 1005 already tracked keywords 1000" in body["message"]


async def test_existing_campaign_and_invalid_tag(raw: Raw, sandbox: Sandbox) -> None:
    body = {
        "tracking_url": "example.com",
        "tracking_url_type": "rootdomain",
        "country_id": "2840",
        "weekly_notification": "1",
    }
    _, _, answer = await raw.call("POST", f"{M}/{sandbox.project_id}/tracking/enable", body=body)
    assert answer["code"] == 515
    bad_tag = [{"tag": "!!!", "keywords": ["x"]}]
    _status, _, answer = await raw.call("PUT", f"{M}/{sandbox.campaign_id}/tags", body=bad_tag)
    assert answer["code"] == 520


async def test_units_are_charged_by_the_price_table(raw: Raw, sandbox: Sandbox) -> None:
    start = sandbox.balance
    await raw.ok("GET", M)
    path, params = raw.report(
        "tracking_position_organic", url=sandbox.tracked_url, display_limit="7"
    )
    await raw.ok("GET", path, params)
    path, params = raw.report(
        "tracking_competitors_organic", url_type="rootdomain", display_limit="3"
    )
    await raw.ok("GET", path, params)
    assert sandbox.charged_by_type() == {
        "project_list": 100,
        "tracking_position_organic": 700,
        "tracking_competitors_organic": 3000,
    }
    assert sandbox.units_charged == 3800 == start - sandbox.balance
    text = await raw.ok("GET", "/users/countapiunits.html")
    assert text == f"{sandbox.balance:,}" and "," in text
    assert sandbox.units_charged == 3800  # the balance check is free


async def test_partial_response_then_132() -> None:
    async with Sandbox(units=1_050, keywords=100, rate_limit=None) as sb, plain_session() as s:
        raw = Raw(sb, s)
        path, params = raw.report(
            "tracking_position_organic", url=sb.tracked_url, display_limit="20"
        )
        page = await raw.ok("GET", path, params)
        assert len(page["data"]) == 10  # 1,050 units pay for 10 lines
        assert int(page["total"]) == 100  # total unchanged
        assert sb.balance == 50
        status, _, body = await raw.call("GET", path, params)
        assert (status, body["code"]) == (400, 132)
        assert sb.balance == 50


async def test_rate_limit_answers_429() -> None:
    async with Sandbox(rate_limit=5) as sb, plain_session() as s:
        raw = Raw(sb, s)
        statuses = [(await raw.call("GET", "/users/countapiunits.html"))[0] for _ in range(8)]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    assert [r.fault for r in sb.requests[5:]] == ["rate"] * 3


async def test_concurrency_cap_answers_429() -> None:
    from asyncsemrush.sandbox import Faults

    async with (
        Sandbox(rate_limit=None, max_concurrent=3, faults=Faults(latency=0.2)) as sb,
        plain_session() as s,
    ):
        raw = Raw(sb, s)
        results = await asyncio.gather(*(raw.call("GET", M) for _ in range(5)))
    assert sorted(r[0] for r in results) == [200, 200, 200, 429, 429]
    assert sb.server.max_in_flight == 3


async def test_requests_are_recorded_with_the_key_redacted(raw: Raw, sandbox: Sandbox) -> None:
    path, params = raw.report(
        "tracking_position_organic", url=sandbox.tracked_url, display_limit="2"
    )
    await raw.ok("GET", path, params)
    rec = sandbox.requests[-1]
    assert rec.query["key"] == "REDACTED"
    assert sandbox.api_key not in repr(sandbox.requests)
    assert (rec.method, rec.path, rec.status, rec.units) == ("GET", path, 200, 200)
    assert rec.report_type == "tracking_position_organic"


async def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    bodies = []
    for seed in (7, 7, 8):
        async with Sandbox(seed=seed, keywords=300) as sb, plain_session() as s:
            raw = Raw(sb, s)
            path, params = raw.report(
                "tracking_position_organic",
                url=f"{sb.tracked_url}:{sb.competitor_urls[0]}",
                display_limit="100",
                display_sort="nq_desc",
            )
            _, page, _ = await raw.call("GET", path, params)
            _, audit, _ = await raw.call(
                "GET", f"/reports/v1/projects/{sb.audit_project_id}/siteaudit/history"
            )
            bodies.append(page + audit)
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


async def test_project_and_campaign_ids_both_address_tracking(raw: Raw, sandbox: Sandbox) -> None:
    params = {"action": "report", "type": "tracking_campaign_dates"}
    by_campaign = await raw.ok(
        "GET", f"/reports/v1/projects/{sandbox.campaign_id}/tracking/", params
    )
    by_project = await raw.ok("GET", f"/reports/v1/projects/{sandbox.project_id}/tracking/", params)
    assert by_campaign == by_project
    assert by_campaign["total"] == "30"


async def test_big_campaign_is_lazy() -> None:
    async with (
        Sandbox(keywords=200_000, competitors=5, rate_limit=None) as sb,
        plain_session() as s,
    ):
        raw = Raw(sb, s)
        url = ":".join([sb.tracked_url, *sb.competitor_urls])
        path, params = raw.report(
            "tracking_position_organic",
            url=url,
            display_limit="100",
            display_offset="199950",
            date_begin="20260102",
            date_end="20260131",
        )
        page = await raw.ok("GET", path, params)
    assert int(page["total"]) == 200000
    assert len(page["data"]) == 50
    assert len(page["data"]["0"]["Dt"]) == 30
    assert len(page["data"]["0"]["Dt"]["20260131"]) == 6
