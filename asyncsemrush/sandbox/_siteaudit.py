"""Site Audit answers, in the wire format of either edition (epoch-millisecond times).

Today's answers (``CURRENT_V3.md`` §5) drop ``canonical``, the issue rows' title, info
and first/last seen, the issue descriptions' ``desc`` and the page's ``weight``, and add
``current_snapshot``, ``jsRendering`` and more to the info."""

from __future__ import annotations

from typing import Any

from . import _gen as gen
from ._state import (
    ERROR_ISSUES,
    NOTICE_ISSUES,
    WARNING_ISSUES,
    Audit,
    Edition,
    Project,
    Snapshot,
    bad,
)

_TITLES = {
    1: ("HTTP 5XX server errors", "Code"),
    2: ("HTTP 4XX client errors", "Code"),
    8: ("Broken internal links", "Code"),
    101: ("Pages with too much text within the title tags", "Length"),
    110: ("Broken external images", "Code"),
    201: ("Pages with only one incoming internal link", "Links"),
    202: ("Links with non-ASCII characters in URLs", "URL"),
}


def _groups(snapshot: Snapshot, previous: Snapshot | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, ids in (
        ("errors", ERROR_ISSUES),
        ("warnings", WARNING_ISSUES),
        ("notices", NOTICE_ISSUES),
    ):
        rows = []
        for issue_id in ids:
            count = snapshot.issues.get(issue_id)
            if count is None:
                continue
            before = previous.issues.get(issue_id, 0) if previous else count
            rows.append(
                {
                    "id": issue_id,
                    "count": count,
                    "delta": count - before,
                    "checks": snapshot.pages_crawled,
                }
            )
        out[name] = rows
    return out


def snapshot_info(audit: Audit, snapshot: Snapshot) -> dict[str, Any]:
    k = audit.snapshots.index(snapshot)
    previous = audit.snapshots[k - 1] if k else None
    groups = _groups(snapshot, previous)
    return {
        "quality": {
            "value": snapshot.quality,
            "delta": snapshot.quality - (previous.quality if previous else snapshot.quality),
        },
        "errors": groups["errors"],
        "warnings": groups["warnings"],
        "notices": groups["notices"],
        "snapshot_id": snapshot.snapshot_id,
        "pages_crawled": snapshot.pages_crawled,
        "finish_date": snapshot.finish_date,
    }


def find_snapshot(audit: Audit, snapshot_id: str | None) -> Snapshot:
    if not audit.snapshots:
        raise bad("The requested resource could not be found.")
    if not snapshot_id or snapshot_id == "latest":
        return audit.snapshots[-1]
    for s in audit.snapshots:
        if s.snapshot_id == snapshot_id:
            return s
    raise bad("Parameter snapshot_id is invalid.")


def info(project: Project, audit: Audit, edition: Edition) -> dict[str, Any]:
    last = audit.snapshots[-1] if audit.snapshots else None
    prev = audit.snapshots[-2] if len(audit.snapshots) > 1 else None
    groups = _groups(last, prev) if last else {"errors": [], "warnings": [], "notices": []}

    def total(name: str) -> int:
        return sum(int(r["count"]) for r in groups[name])

    def delta(name: str) -> int:
        return sum(int(r["delta"]) for r in groups[name])

    pages = last.pages_crawled if last else 0
    limit = int(audit.settings.get("pageLimit") or 500)
    running = audit.running_until is not None
    defects = dict.fromkeys(map(str, ERROR_ISSUES + WARNING_ISSUES + NOTICE_ISSUES), 0)
    if last:
        defects = {str(k): v for k, v in sorted(last.issues.items())}
    have_issues = min(pages, len(defects) * 3)
    out: dict[str, Any] = {
        "id": project.project_id,
        "name": project.project_name,
        "url": audit.domain,
        "status": "RUNNING" if running else "FINISHED",
        "errors": total("errors"),
        "warnings": total("warnings"),
        "notices": total("notices"),
        "broken": sum(1 for k in defects if k in ("1", "2")),
        "blocked": 0,
        "redirected": pages // 50,
        "healthy": pages - have_issues,
        "haveIssues": have_issues,
        "haveIssuesDelta": 0,
        "defects": defects,
        "markups": {
            "twitterCard": 0,
            "openGraph": pages // 2,
            "schemaOrg": pages // 3,
            "microfomats": 0,
        },
        "depths": {"0": 1, "1": max(pages // 10, 0), "2": max(pages - 1 - pages // 10, 0)},
        "crawlSubdomains": bool(audit.settings.get("crawlSubdomains", True)),
        "respectCrawlDelay": bool(audit.settings.get("respectCrawlDelay", False)),
        "canonical": 0,
        "user_agent_type": int(audit.settings.get("userAgentType", 2)),
        "last_audit": last.finish_date if last else 0,
        "last_failed_audit": audit.last_failed_audit,
        "next_audit": -1
        if not audit.settings.get("scheduleDay")
        else (last.finish_date if last else 0) + 7 * 86_400_000,
        "running_pages_crawled": pages // 2 if running else pages,
        "running_pages_limit": limit,
        "pages_crawled": pages,
        "pages_limit": limit,
        "total_checks": pages * 127,
        "errors_delta": delta("errors"),
        "warnings_delta": delta("warnings"),
        "notices_delta": delta("notices"),
        "mask_allow": list(audit.settings.get("allow") or []),
        "mask_disallow": list(audit.settings.get("disallow") or []),
        "removedParameters": list(audit.settings.get("removedParameters") or []),
        "excluded_checks": None,
    }
    if edition == "today":
        del out["canonical"]
        out["mask_allow"] = "\n".join(out["mask_allow"])  # some answers send one string
        out.update(
            current_snapshot={
                "quality": {"value": last.quality if last else 0, "delta": 0},
                "errors": total("errors"),
                "warnings": total("warnings"),
                "notices": total("notices"),
                "thematicScores": {"performance": {"value": 80, "delta": 0}},
            },
            jsRendering=audit.settings.get("jsRendering", "DISABLED"),
            scheduleDay=int(audit.settings.get("scheduleDay", 0)),
            crawlSourceType="WEBSITE",
        )
    return out


def meta_issues(edition: Edition) -> dict[str, Any]:
    issues = []
    for issue_id in ERROR_ISSUES + WARNING_ISSUES + NOTICE_ISSUES:
        title, column = _TITLES.get(issue_id, (f"Site Audit check #{issue_id}", "Info"))
        if edition == "today":
            issues.append(
                {
                    "id": issue_id,
                    "title": title,
                    "title_page": f"##count## pages: {title.lower()}",
                    "url_column": "Page URL",
                    "info_column": column,
                }
            )
            continue
        issues.append(
            {
                "id": issue_id,
                "title": title,
                "desc": f"{title}: why it matters and how to fix it.",
                "title_page": f"##count## pages: {title.lower()}",
                "title_detailed": f"This page: {title.lower()}",
                "info_column": column,
                "count_description": f"This page: {title.lower()}",
                "multidata": issue_id % 2 == 0,
                "other_problem_link": f"##count## more pages: {title.lower()}",
                "desc_with_link": f" ##count## pages: {title.lower()}",
            }
        )
    return {"issues": issues}


def page_url(domain: str, n: int) -> str:
    return f"http://{domain}/" if n == 0 else f"http://{domain}/page-{n}.html"


def page_id(seed: int, project_id: int, n: int) -> str:
    return gen.hex_id(seed, project_id, n, 3)


def issue_rows(
    seed: int,
    project: Project,
    audit: Audit,
    snapshot: Snapshot,
    issue_id: int,
    sort: str,
    edition: Edition,
) -> list[dict[str, Any]]:
    count = snapshot.issues.get(issue_id, 0)
    pages = max(snapshot.pages_crawled, 1)
    rows: list[dict[str, Any]] = []
    for n in range(count):
        h = gen.mix(seed, project.project_id, issue_id, n)
        page = h % pages
        first_seen = snapshot.finish_date - (h % 30) * 86_400_000
        rows.append(
            {
                "title": f"Page {page} of {audit.domain}",
                "info": str(400 + h % 104) if issue_id < 100 else None,
                "first_seen": first_seen,
                "last_seen": snapshot.finish_date,
                "target_url": page_url(audit.domain, (page * 7 + 3) % pages),
                "page_id": page_id(seed, project.project_id, page),
                "source_url": page_url(audit.domain, page),
            }
        )
    if sort:
        if sort not in (
            "index_asc",
            "index_desc",
            "firstseen_asc",
            "firstseen_desc",
            "ASC",
            "DESC",
        ):
            raise bad(f"Incorrect order field {sort}")
        if sort in ("ASC", "DESC"):
            rows.sort(key=lambda r: int(r["first_seen"]), reverse=sort == "DESC")
        elif sort.startswith("firstseen"):
            rows.sort(key=lambda r: int(r["first_seen"]), reverse=sort.endswith("desc"))
        elif sort.endswith("desc"):
            rows.reverse()
    if edition == "today":  # three fields a row
        keep = ("target_url", "page_id", "source_url")
        rows = [{k: r[k] for k in keep} for r in rows]
    return rows


def page_list(
    seed: int, project: Project, audit: Audit, contains: str, limit: int
) -> dict[str, Any]:
    pages = audit.snapshots[-1].pages_crawled if audit.snapshots else 0
    found = [n for n in range(pages) if contains in page_url(audit.domain, n)]
    return {
        "data": [
            {"url": page_url(audit.domain, n), "page_id": page_id(seed, project.project_id, n)}
            for n in found[:limit]
        ],
        "total": len(found),
    }


def page_info(
    seed: int, project: Project, audit: Audit, pid: str, edition: Edition
) -> dict[str, Any]:
    snapshot = audit.snapshots[-1] if audit.snapshots else None
    pages = snapshot.pages_crawled if snapshot else 0
    for n in range(pages):
        if page_id(seed, project.project_id, n) == pid:
            break
    else:
        raise bad("Parameter pageId is invalid.")
    assert snapshot is not None
    out: dict[str, Any] = {
        "weight": gen.mix(seed, n, 12) % 10,
        "title": f"Page {n} of {audit.domain}",
        "url": page_url(audit.domain, n),
    }
    for name, ids in (
        ("notices", NOTICE_ISSUES),
        ("warnings", WARNING_ISSUES),
        ("errors", ERROR_ISSUES),
    ):
        groups = []
        for issue_id in ids:
            if issue_id in snapshot.issues and gen.mix(seed, n, issue_id) % 4 == 0:
                groups.append(
                    {
                        "id": issue_id,
                        "data": [
                            {
                                "discovered": snapshot.finish_date,
                                "info": str(500 + issue_id % 4) if issue_id < 100 else None,
                                "target_url": page_url(audit.domain, (n + issue_id) % pages),
                            }
                        ],
                        "total": snapshot.issues[issue_id],
                    }
                )
        out[name] = groups
    out["page_id"] = pid
    if edition == "today":
        del out["weight"]
    return out
