"""Sorting, filtering, paging and the management calls changing what reports show."""

from __future__ import annotations

import asyncio

from asyncsemrush.sandbox import Sandbox

from .conftest import Raw

M = "/management/v1/projects"


async def positions(raw: Raw, **params: str) -> dict:  # type: ignore[type-arg]
    path, query = raw.report("tracking_position_organic", url=raw.sb.tracked_url, **params)
    return await raw.ok("GET", path, query)  # type: ignore[no-any-return]


def rows(page: dict) -> list[dict]:  # type: ignore[type-arg]
    return [page["data"][k] for k in sorted(page["data"], key=int)]


async def test_offset_and_limit_page_through_in_order(raw: Raw) -> None:
    whole = rows(await positions(raw, display_limit="500"))
    pages = []
    for offset in range(0, 500, 120):
        pages += rows(await positions(raw, display_limit="120", display_offset=str(offset)))
    assert [r["Ph"] for r in pages] == [r["Ph"] for r in whole]
    assert len({r["Pi"] for r in whole}) == 500


async def test_sorts(raw: Raw) -> None:
    by_phrase = [
        r["Ph"] for r in rows(await positions(raw, display_limit="500", display_sort="ph_asc"))
    ]
    assert by_phrase == sorted(by_phrase)
    volumes = [
        int(r["Nq"])
        for r in rows(await positions(raw, display_limit="500", display_sort="nq_desc"))
    ]
    assert volumes == sorted(volumes, reverse=True)
    cpcs = [
        float(r["Cp"])
        for r in rows(await positions(raw, display_limit="500", display_sort="cp_asc"))
    ]
    assert cpcs == sorted(cpcs)
    page = await positions(raw, display_limit="500", display_sort="0_pos_asc")
    finals = [r["Fi"][raw.sb.tracked_url] for r in rows(page)]
    ranked = [int(f) for f in finals if f]
    assert ranked == sorted(ranked)
    assert finals[len(ranked) :] == [""] * (len(finals) - len(ranked))  # not ranking: last


async def test_filters_and_tags(raw: Raw) -> None:
    page = await positions(raw, display_limit="500", display_filter="+|Nq|Gt|1000|-|Ph|Co|drone")
    got = rows(page)
    assert got and all(int(r["Nq"]) > 1000 and "drone" not in r["Ph"] for r in got)
    assert int(page["total"]) == len(got) < 500
    tagged = rows(await positions(raw, display_limit="500", display_tags="sale|seo"))
    assert tagged and all({"sale", "seo"} & set(r["Tg"].values()) for r in tagged)
    top = rows(await positions(raw, display_limit="500", top_filter="top_3"))
    assert top and all(
        r["Fi"][raw.sb.tracked_url] and int(r["Fi"][raw.sb.tracked_url]) <= 3 for r in top
    )
    status, _, _body = await raw.call(
        "GET",
        *raw.report(
            "tracking_position_organic", url=raw.sb.tracked_url, display_filter="+|Xx|Eq|1"
        ),
    )
    assert status == 400


async def test_competitors_and_visibility(raw: Raw) -> None:
    path, q = raw.report(
        "tracking_competitors_organic",
        url_type="rootdomain",
        display_limit="20",
        display_sort="cl_desc",
    )
    page = await raw.ok("GET", path, q)
    last = max(page["data"]["0"]["Dt"])
    cls = [float(page["data"][str(n)]["Dt"][last]["Cl"]) for n in range(20)]
    assert cls == sorted(cls, reverse=True)
    assert page["Md"]["Ur"] == "example.com"
    path, q = raw.report(
        "tracking_visibility_organic",
        url=raw.sb.tracked_url,
        date_begin="20260101",
        date_end="20260131",
    )
    vis = await raw.ok("GET", path, q)
    assert vis["total"] == "30" and len(vis["data"]) == 30


async def test_keyword_tag_and_competitor_management(raw: Raw, sandbox: Sandbox) -> None:
    cid = sandbox.campaign_id
    added = await raw.ok(
        "PUT",
        f"{M}/{cid}/keywords",
        body={"keywords": [{"keyword": "brand new thing", "tags": ["  My__Tag!!  "]}]},
    )
    assert added["campaign_id"] == cid
    page = await positions(raw, display_limit="1", display_filter="+|Ph|Eq|brand new thing")
    assert page["total"] == "1"
    assert list(rows(page)[0]["Tg"].values()) == ["my__tag"]  # sanitised as the service does
    charged = sandbox.charged_by_type()["project_add_keywords"]
    assert charged == 100
    await raw.ok(
        "PUT", f"{M}/{cid}/tags", body=[{"tag": "Extra Tag", "keywords": ["brand new thing"]}]
    )
    page = await positions(raw, display_limit="1", display_tags="extra tag")
    assert rows(page)[0]["Ph"] == "brand new thing"
    await raw.ok(
        "DELETE", f"{M}/{cid}/keywords", body={"keywords": [{"keyword": "brand new thing"}]}
    )
    assert (await positions(raw, display_limit="1"))["total"] == "500"
    many = {"competitors": [f"c{n}.com" for n in range(25)]}
    status, _, _ = await raw.call("PUT", f"{M}/{cid}/competitors", body=many)
    assert status == 400


async def test_audit_launch_finishes_with_the_announced_snapshot(
    raw: Raw, sandbox: Sandbox
) -> None:
    r = f"/reports/v1/projects/{sandbox.audit_project_id}/siteaudit"
    launched = await raw.ok("POST", f"{r}/launch")
    assert (await raw.ok("GET", f"{r}/info"))["status"] == "RUNNING"
    await asyncio.sleep(0.25)
    assert (await raw.ok("GET", f"{r}/info"))["status"] == "FINISHED"
    snapshots = (await raw.ok("GET", f"{r}/snapshots"))["snapshots"]
    assert snapshots[-1]["snapshot_id"] == launched["snapshot_id"]
    assert len(snapshots) == 4


async def test_issue_pages_and_history_paging(raw: Raw, sandbox: Sandbox) -> None:
    r = f"/reports/v1/projects/{sandbox.audit_project_id}/siteaudit"
    snap = await raw.ok("GET", f"{r}/snapshot")
    issue = max(snap["errors"], key=lambda e: e["count"])
    base = f"{r}/snapshot/{snap['snapshot_id']}/issue/{issue['id']}"
    seen = []
    page = 1
    while True:
        answer = await raw.ok("GET", base, {"page": str(page), "limit": "7"})
        seen += answer["data"]
        if page * 7 >= answer["total"]:
            break
        page += 1
    assert len(seen) == issue["count"] == answer["total"]
    history = await raw.ok("GET", f"{r}/history", {"limit": "2", "offset": "1"})
    assert (history["total"], history["limit"], history["offset"], len(history["data"])) == (
        3,
        2,
        1,
        2,
    )
    assert sandbox.charged_by_type()["siteaudit_campaign_history"] == 20_000
