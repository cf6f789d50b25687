"""Every endpoint's answer has the structure of the reference's example.

Same keys, same JSON types per key; numbered keys, dates and url masks used as keys
are compared as one class each.
"""

from __future__ import annotations

import pytest

from asyncsemrush.sandbox import Sandbox

from .conftest import Raw
from .reference_examples import EXAMPLE_ORDER, differences, load_examples, shape

EXAMPLES = load_examples()


def test_every_example_is_covered() -> None:
    assert set(EXAMPLES) == set(EXAMPLE_ORDER)
    assert EXAMPLES["tracking_position_organic"]["data"]["0"]["Ph"] == "pig trough"


async def fetch(name: str, raw: Raw, sb: Sandbox) -> object:
    m, r = "/management/v1/projects", f"/reports/v1/projects/{sb.audit_project_id}/siteaudit"
    masks = f"{sb.tracked_url}:{sb.competitor_urls[0]}"
    if name == "project_list":
        return (await raw.ok("GET", m))[0]
    if name == "project_get":
        return await raw.ok("GET", f"{m}/{sb.project_id}")
    if name == "project_create":
        return await raw.ok("POST", m, body={"project_name": "myproject", "url": "mysite.com"})
    if name == "project_update":
        body = {"project_id": sb.project_id, "project_name": "renamed", "competitors": ["bing.com"]}
        return await raw.ok("PUT", m, body=body)
    if name == "get_countries":
        return await raw.ok("GET", "/management/v1/info/countries")
    if name == "get_regions":
        return await raw.ok("GET", "/management/v1/info/countries/2840/regions")
    if name == "get_cities":
        return await raw.ok("GET", "/management/v1/info/countries/2840/regions/21133/cities")
    if name.startswith("tracking_"):
        extra = {
            "url": masks,
            "display_limit": "3",
            "date_begin": "20260120",
            "date_end": "20260131",
        }
        if "competitors" in name:
            extra = {"url_type": "rootdomain", "display_limit": "3"}
        if name == "tracking_campaign_dates":
            extra = {}
        path, params = raw.report(name, **extra)
        return await raw.ok("GET", path, params)
    if name == "siteaudit_snapshot_list":
        return await raw.ok("GET", f"{r}/snapshots")
    if name == "siteaudit_meta":
        return await raw.ok("GET", f"{r}/meta/issues")
    if name == "siteaudit_launch":
        return await raw.ok("POST", f"{r}/launch")
    if name == "siteaudit_campaign_info":
        return await raw.ok("GET", f"{r}/info")
    if name == "siteaudit_snapshot_info":
        return await raw.ok("GET", f"{r}/snapshot")
    if name == "siteaudit_snapshot_issue":
        snap = await raw.ok("GET", f"{r}/snapshot")
        issue = snap["errors"][0]["id"]
        return await raw.ok("GET", f"{r}/snapshot/{snap['snapshot_id']}/issue/{issue}")
    if name == "siteaudit_page_list":
        return await raw.ok("GET", f"{r}/page/list", {"url_contains": "example"})
    if name == "siteaudit_page_info":
        pages = await raw.ok("GET", f"{r}/page/list", {"url_contains": "page-1"})
        # a page with issues of every kind, like the example
        for page in pages["data"]:
            info = await raw.ok("GET", f"{r}/page/{page['page_id']}")
            if info["notices"] and info["warnings"] and info["errors"]:
                return info
        raise AssertionError("no page with notices, warnings and errors")
    if name == "siteaudit_campaign_history":
        return await raw.ok("GET", f"{r}/history")
    raise AssertionError(name)


@pytest.mark.parametrize("name", EXAMPLE_ORDER)
async def test_structure_matches_reference(name: str, raw: Raw, sandbox: Sandbox) -> None:
    answer = await fetch(name, raw, sandbox)
    assert differences(shape(EXAMPLES[name]), shape(answer)) == []


async def test_campaign_list_matches_supplement(raw: Raw, sandbox: Sandbox) -> None:
    answer = await raw.ok("GET", f"/management/v1/projects/{sandbox.project_id}/tracking/campaigns")
    assert set(answer) == {"project_id", "campaigns", "limits"}
    assert set(answer["limits"]) == {"targets"}
    campaign = answer["campaigns"][0]
    assert set(campaign) == {
        "id",
        "url",
        "type",
        "engine",
        "location",
        "isGathering",
        "language",
        "device",
        "keywords_count",
    }
    assert set(campaign["location"]) == {"id", "name", "type", "code", "hl"}
    assert campaign["id"] == sandbox.campaign_id


async def test_wire_quirks_are_kept(raw: Raw, sandbox: Sandbox) -> None:
    path, params = raw.report(
        "tracking_position_organic",
        url=sandbox.tracked_url,
        display_limit="50",
        date_begin="20260125",
        date_end="20260131",
    )
    page = await raw.ok("GET", path, params)
    assert page["total"] == "500" and page["limit"] == "50" and page["offset"] == "0"
    assert list(page["data"]) == [str(n) for n in range(50)]
    cells = [c for row in page["data"].values() for day in row["Dt"].values() for c in day.values()]
    assert "" in cells  # not ranking
    assert all(c == "" or c.isdigit() for c in cells)
    row = page["data"]["0"]
    assert list(row["Dt"]) == [f"202601{d}" for d in range(25, 32)]
    assert set(row["Be"]) == {sandbox.tracked_url}
    info = await raw.ok("GET", f"/reports/v1/projects/{sandbox.audit_project_id}/siteaudit/info")
    assert info["last_audit"] > 10**12  # epoch milliseconds


def test_the_comparison_catches_departures() -> None:
    reference = shape(EXAMPLES["tracking_position_organic"])
    row = dict(EXAMPLES["tracking_position_organic"]["data"]["0"])
    assert differences(reference, shape(EXAMPLES["tracking_position_organic"])) == []
    wrong_type = {**EXAMPLES["tracking_position_organic"], "total": 199}
    assert differences(reference, shape(wrong_type)) == ["$.total: reference str, sandbox int"]
    row["Cp"] = 0.25
    del row["Lu"]
    row["Extra"] = "x"
    page = {**EXAMPLES["tracking_position_organic"], "data": {"0": row}}
    found = sorted(differences(reference, shape(page)))
    assert found == [
        "$.data.<n>.Cp: reference str, sandbox float",
        "$.data.<n>.Extra: not in the reference",
        "$.data.<n>.Lu: missing",
    ]
