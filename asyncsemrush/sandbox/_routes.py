"""Every endpoint of the reference, at its documented path and method."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from ..params import sanitize_tag
from ..pricing import Usage
from . import _gen as gen
from . import _siteaudit as sa
from . import _tracking as tr
from ._geo import cities, countries, location_name, locations, regions
from ._server import Ctx, Reply, SandboxServer
from ._state import SandboxError, bad

URL_TYPES = ("rootdomain", "subdomain", "subfolder", "url")
LINKTYPES = (0, 1, 2, 524288, 524290, 536870912, 536870914, 537395202)
DEVICES = ("desktop", "phone", "tablet")


async def _body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad("Request body is not valid JSON.") from None


def _need(body: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if body.get(name) in (None, ""):
            raise SandboxError(519, f"Missing mandatory URL parameter: {name}")


def _numbered(items: list[Any]) -> dict[str, Any]:
    return {str(k): v for k, v in enumerate(items)}


def _keywords_of(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("keywords"), list):
        raise SandboxError(519, "Missing mandatory URL parameter: keywords")
    out = []
    for kw in body["keywords"]:
        if not isinstance(kw, dict) or not str(kw.get("keyword", "")).strip():
            raise bad("Invalid keywords")
        tags = kw.get("tags") or []
        if not isinstance(tags, list):
            raise bad("Invalid keywords")
        clean = [sanitize_tag(str(t)) for t in tags]
        if len(clean) > 5 or any(not t for t in clean):
            raise SandboxError(520, "Invalid tag name")
        out.append({"keyword": str(kw["keyword"]).strip(), "tags": clean})
    return out


def routes(server: SandboxServer) -> list[web.RouteDef]:
    world = server.world
    w = server.wrap
    ed = world.edition
    today = ed == "today"

    def changed() -> None:
        server.invalidate()
        server.rows.clear()

    # ------------------------------------------------------------ projects

    async def project_list(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("project_list", 0)
        if request.query.get("filter", "own") not in ("own", "all", "shared", "corporate"):
            raise bad("Parameter filter is invalid.")
        return Reply([p.as_json(ed) for p in world.projects.values()], "project_list")

    async def project_get(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("project_get", 0)
        return Reply(world.project(request.match_info["id"]).as_json(ed), "project_get")

    async def project_create(request: web.Request, ctx: Ctx) -> Reply:
        body = await _body(request)
        _need(body, "project_name", "url")
        keywords = _keywords_of(body) if "keywords" in body else []
        competitors = [str(c) for c in body.get("competitors") or []]
        if len(competitors) > 20:
            raise bad("Parameter competitors is invalid: at most 20.")
        usage = Usage(keywords=len(keywords))
        if server.prices.cost("project_create", usage) > server.balance:
            raise SandboxError(132, "API units balance is zero")
        project = world.create_project(
            str(body["project_name"]), str(body["url"]), keywords, competitors
        )
        return Reply(project.as_json(ed), "project_create", usage)

    async def project_update(request: web.Request, ctx: Ctx) -> Reply:
        body = await _body(request)
        raw_id = request.match_info.get("id") or body.get("project_id")
        if raw_id in (None, ""):
            raise SandboxError(519, "Missing mandatory URL parameter: project_id")
        project = world.project(raw_id)
        added = 0
        if "keywords" in body:
            new = [
                k
                for k in _keywords_of(body)
                if k["keyword"] not in {x["keyword"] for x in project.keywords}
            ]
            world.check_keyword_room(len(new))
            added = len(new)
        usage = Usage(keywords=added)
        if server.prices.cost("project_update", usage) > server.balance:
            raise SandboxError(132, "API units balance is zero")
        if body.get("project_name"):
            project.project_name = str(body["project_name"])
        if "competitors" in body:
            project.competitors = [str(c) for c in body["competitors"] or []][:20]
        if added:
            project.keywords.extend(new)
            now = int(time.time())
            for campaign in project.campaigns:
                for kw in new:
                    campaign.add(kw["keyword"], kw["tags"], now)
            changed()
        return Reply(project.as_json(ed), "project_update", usage)

    async def project_delete(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("project_delete", 0)
        world.delete_project(request.match_info["id"])
        changed()
        return Reply({}, "project_delete")

    # ------------------------------------------------------------ tracking management

    async def tracking_enable(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("tracking_enable", 0)
        project = world.project(request.match_info["id"])
        body = await _body(request)
        # today: location_id (int) and a boolean weekly_notification; 2015: country_id
        where = "location_id" if today and "country_id" not in body else "country_id"
        _need(body, "tracking_url", "tracking_url_type", where)
        if body["tracking_url_type"] not in URL_TYPES:
            raise bad("Parameter tracking_url_type is invalid.")
        device = body.get("device", "desktop")
        if device not in DEVICES:
            raise bad("Parameter device is invalid.")
        try:
            location = int(body[where])
        except (TypeError, ValueError):
            raise bad(f"Parameter {where} is invalid.") from None
        if where == "location_id":
            if location_name(location) is None:
                raise bad("Parameter location_id is invalid.")
            weekly = body.get("weekly_notification", True)
            if not isinstance(weekly, bool):
                raise bad("Parameter weekly_notification is invalid.")
        else:
            _need(body, "weekly_notification")
            weekly = str(body["weekly_notification"]) == "1"
        world.check_keyword_room(len(project.keywords))
        campaign = world.enable_tracking(
            project, str(body["tracking_url"]), str(body["tracking_url_type"]), location, device
        )
        campaign.notifications = weekly
        if today:
            return Reply(
                {
                    "status": "SUCCESS",
                    "action": "tracking_enable",
                    "result": {"campaign_id": campaign.campaign_id},
                },
                "tracking_enable",
            )
        return Reply(campaign.as_json(project, ed), "tracking_enable")

    async def notifications(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("tracking_notification_update", 0)
        project, campaign = world.campaign(request.match_info["id"])
        campaign.notifications = request.method == "PUT"
        return Reply(campaign.as_json(project, ed), "tracking_notification_update")

    async def campaigns(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("tracking_campaigns_list", 0)
        project = world.project(request.match_info["id"])
        items = []
        for c in project.campaigns:
            name, kind, code = location_name(c.country_id) or ("Unknown", "country", "us")
            items.append(
                {
                    "id": c.campaign_id,
                    "url": c.url,
                    "type": c.url_type,
                    "engine": "google",
                    "location": {"id": c.country_id, "name": name, "type": kind, "code": code}
                    | {"hl": "en"},
                    "isGathering": False,
                    "language": "English" if today else "en",
                    "device": c.device,
                    "keywords_count": c.count(),
                }
            )
        return Reply(
            {
                "project_id": str(project.project_id) if today else project.project_id,
                "campaigns": items,
                "limits": {"targets": world.keywords_limit},
            },
            "tracking_campaigns_list",
        )

    def project_level(raw_id: str) -> Any:
        """A project addressed by its ID before it has a campaign: its keywords and
        competitors wait there for tracking/enable (as 2015's create stored them)."""
        project = world.project(raw_id)
        return project if not project.campaigns and "_" not in raw_id else None

    async def project_keywords(request: web.Request, ctx: Ctx, project: Any) -> Reply:
        body = await _body(request)
        known = {k["keyword"] for k in project.keywords}
        if request.method == "PUT":
            fresh = [k for k in _keywords_of(body) if k["keyword"] not in known]
            world.check_keyword_room(len(fresh))
            usage = Usage(keywords=len(fresh))
            if server.prices.cost("project_add_keywords", usage) > server.balance:
                raise SandboxError(132, "API units balance is zero")
            now = int(time.time())
            project.keywords.extend({**k, "timestamp": now} for k in fresh)
            return Reply(project.keywords_json(ed), "project_add_keywords", usage)
        ctx.affordable("project_delete_keywords", 0)
        gone = {k["keyword"] for k in _keywords_of(body)}
        project.keywords[:] = [k for k in project.keywords if k["keyword"] not in gone]
        return Reply(project.keywords_json(ed), "project_delete_keywords")

    async def keywords(request: web.Request, ctx: Ctx) -> Reply:
        waiting = project_level(request.match_info["id"])
        if waiting is not None:
            return await project_keywords(request, ctx, waiting)
        project, campaign = world.campaign(request.match_info["id"])
        body = await _body(request)
        if request.method == "PUT":
            wanted = _keywords_of(body)
            fresh = [k for k in wanted if campaign.find(k["keyword"]) is None]
            world.check_keyword_room(len(fresh))
            usage = Usage(keywords=len(fresh))
            if server.prices.cost("project_add_keywords", usage) > server.balance:
                raise SandboxError(132, "API units balance is zero")
            now = int(time.time())
            for kw in fresh:
                campaign.add(kw["keyword"], kw["tags"], now)
            changed()
            named = [k["keyword"] for k in wanted]
            return Reply(campaign.as_json(project, ed, named), "project_add_keywords", usage)
        ctx.affordable("project_delete_keywords", 0)
        for kw in _keywords_of(body):
            index = campaign.find(kw["keyword"])
            if index is not None:
                campaign.removed.add(index)
        changed()
        return Reply(campaign.as_json(project, ed), "project_delete_keywords")

    async def competitors(request: web.Request, ctx: Ctx) -> Reply:
        body = await _body(request)
        names = body.get("competitors") if isinstance(body, dict) else None
        if not isinstance(names, list):
            raise SandboxError(519, "Missing mandatory URL parameter: competitors")
        waiting = project_level(request.match_info["id"])
        if waiting is not None:
            adding = request.method == "PUT"
            rtype = "project_add_competitors" if adding else "project_delete_competitors"
            ctx.affordable(rtype, 0)
            wanted = [str(n) for n in names]
            if adding:
                merged = waiting.competitors + [n for n in wanted if n not in waiting.competitors]
                if len(merged) > 20:
                    raise bad("Parameter competitors is invalid: at most 20.")
                waiting.competitors = merged
            else:
                waiting.competitors = [c for c in waiting.competitors if c not in set(wanted)]
            return Reply(waiting.keywords_json(ed), rtype)
        project, campaign = world.campaign(request.match_info["id"])
        if request.method == "PUT":
            ctx.affordable("project_add_competitors", 0)
            merged = campaign.competitors + [
                str(n) for n in names if str(n) not in campaign.competitors
            ]
            if len(merged) > 20:
                raise bad("Parameter competitors is invalid: at most 20.")
            campaign.competitors = merged
            rtype = "project_add_competitors"
        else:
            ctx.affordable("project_delete_competitors", 0)
            campaign.competitors = [
                c for c in campaign.competitors if c not in set(map(str, names))
            ]
            rtype = "project_delete_competitors"
        project.competitors = list(campaign.competitors)
        changed()
        return Reply(campaign.as_json(project, ed), rtype)

    async def tags(request: web.Request, ctx: Ctx) -> Reply:
        project, campaign = world.campaign(request.match_info["id"])
        body = await _body(request)
        if not isinstance(body, list):
            raise SandboxError(519, "Missing mandatory URL parameter: tags")
        adding = request.method == "PUT"
        ctx.affordable("project_add_tags" if adding else "project_remove_tags", 0)
        for item in body:
            if not isinstance(item, dict) or not isinstance(item.get("keywords"), list):
                raise SandboxError(519, "Missing mandatory URL parameter: keywords")
            tag = sanitize_tag(str(item.get("tag", "")))
            if not tag:
                raise SandboxError(520, "Invalid tag name")
            for phrase in item["keywords"]:
                index = campaign.find(str(phrase))
                if index is None:
                    continue
                current = list(campaign.tags(index))
                if adding and tag not in current:
                    if len(current) >= 5:
                        raise SandboxError(520, "Invalid tag name: at most 5 tags per keyword")
                    current.append(tag)
                elif not adding and tag in current:
                    current.remove(tag)
                campaign.tag_overrides[index] = current
        changed()
        return Reply(
            campaign.as_json(project, ed), "project_add_tags" if adding else "project_remove_tags"
        )

    # ------------------------------------------------------------ geo

    async def geo_countries(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("get_countries", 0)
        return Reply(_numbered(countries()), "get_countries")

    async def geo_regions(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("get_regions", 0)
        return Reply(_numbered(regions(request.match_info["country"])), "get_regions")

    async def geo_cities(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("get_cities", 0)
        found = cities(request.match_info["country"], request.match_info["region"])
        return Reply(_numbered(found), "get_cities")

    async def geo_locations(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("location_search", 0)
        return Reply(locations(request.query), "location_search")

    # ------------------------------------------------------------ tracking reports

    async def tracking_report(request: web.Request, ctx: Ctx) -> Reply:
        q = request.query
        if q.get("action") != "report" or not q.get("type"):
            raise SandboxError(519, "Missing mandatory URL parameter: action, type")
        rtype = q["type"]
        if (
            rtype not in server.prices
            or not rtype.startswith("tracking_")
            or rtype in ("tracking_enable", "tracking_notification_update")
            or (not today and rtype.startswith(("tracking_landing", "tracking_overview_adwords")))
        ):
            raise bad("Parameter type is invalid.")
        _, campaign = world.campaign(request.match_info["id"])
        period = tr.Period.of(campaign, q)
        _check_new_parameters(q)
        if rtype == "tracking_campaign_dates":
            ctx.affordable(rtype, 0)
            dates = [{"Dt": gen.ymd(d)} for d in campaign.dates]
            return Reply(
                {"total": str(len(dates)), "last_crawl": "2", "data": _numbered(dates)}, rtype
            )
        if rtype in ("tracking_position_organic", "tracking_position_adwords"):
            return positions(q, ctx, campaign, period, rtype)
        if rtype in ("tracking_competitors_organic", "tracking_competitors_adwords"):
            return competitor_report(q, ctx, campaign, period, rtype)
        if rtype.startswith("tracking_landing_pages_"):
            return landing_report(q, ctx, campaign, period, rtype)
        masks = tr.masks_of(q, campaign if today else None)
        ctx.affordable(rtype, 0)
        if rtype.startswith("tracking_overview_"):
            return Reply(tr.overview(campaign, masks, period), rtype)
        if rtype in ("tracking_visibility_organic", "tracking_visibility_adwords"):
            rows = tr.visibility_rows(campaign, masks, period, ed)
            body: dict[str, Any] = {"total": str(len(rows)), "data": _numbered(rows)}
            return Reply(body | ({"state": "0"} if today else {}), rtype)
        raise bad("Parameter type is invalid.")

    def _check_new_parameters(q: Mapping[str, str]) -> None:
        """Today's report parameters, refused by the 2015 edition, checked by today's."""
        new = (
            "use_volume", "serp_feature_filter", "display_tags_condition", "main_domain",
            "newlost_filter", "business_name",
        )  # fmt: skip
        for name in new:
            if name in q and not today:
                raise bad(f"Parameter {name} is invalid.")
        if q.get("use_volume", "national") not in ("national", "regional", "local"):
            raise bad("Parameter use_volume is invalid.")
        if q.get("newlost_filter", "new") not in ("new", "lost"):
            raise bad("Parameter newlost_filter is invalid.")
        sff = q.get("serp_feature_filter")
        if sff is not None and not re.fullmatch(r"-?[a-z]{3}(,\d)?", sff):
            raise bad("Parameter serp_feature_filter is invalid.")

    def _linktype(q: Mapping[str, str]) -> int:
        value = tr.int_param(q, "linktype_filter", 0)
        allowed = LINKTYPES if today else (0, 1, 2)
        if value not in allowed:
            raise bad("Parameter linktype_filter is invalid.")
        return value

    def _display_limit(q: Mapping[str, str]) -> int:
        """The rows a page asked for, at most the page size the service serves (its
        answer then echoes the size it served)."""
        limit = tr.int_param(q, "display_limit", 10)
        most = server.max_page_size
        return limit if most is None else min(limit, most)

    def _page_meta(total: int, limit: int, offset: int) -> dict[str, Any]:
        if today:
            return {"total": total, "state": "0", "limit": limit, "offset": offset}
        return {"total": str(total), "limit": str(limit), "offset": str(offset)}

    def positions(
        q: Mapping[str, str], ctx: Ctx, campaign: Any, period: tr.Period, rtype: str
    ) -> Reply:
        masks = tr.masks_of(q, campaign if today else None)
        linktype = _linktype(q) & 3  # the bits beyond local pack filter nothing here
        offset = tr.int_param(q, "display_offset", 0)
        limit = _display_limit(q)
        rows = tr.select_rows(campaign, q, masks, period, server.rows)
        page = rows[offset : offset + limit]
        lines = ctx.affordable(rtype, len(page))
        key = (
            campaign.campaign_id,
            tuple(sorted((k, v) for k, v in q.items() if k != "key")),
            lines,
        )
        hit = server.cached_page(key)
        if hit is not None:
            return Reply(None, rtype, Usage(lines=hit[1]), body=hit[0])
        adwords = rtype.endswith("adwords")
        data = {
            str(n): tr.position_row(campaign, i, masks, period, adwords, linktype, ed)
            for n, i in enumerate(page[:lines])
        }
        body = orjson.dumps({**_page_meta(len(rows), limit, offset), "data": data})
        server.cache_page(key, body, lines)
        return Reply(None, rtype, Usage(lines=lines), body=body)

    def competitor_report(
        q: Mapping[str, str], ctx: Ctx, campaign: Any, period: tr.Period, rtype: str
    ) -> Reply:
        if not q.get("url_type") and not today:
            raise SandboxError(519, "Missing mandatory URL parameter: url_type")
        if q.get("url_type", "rootdomain") not in URL_TYPES:
            raise bad("Parameter url_type is invalid.")
        _linktype(q)
        offset = tr.int_param(q, "display_offset", 0)
        limit = _display_limit(q)
        adwords = rtype.endswith("adwords")
        order = tr.competitor_order(campaign, q, period)
        page = order[offset : offset + limit]
        lines = ctx.affordable(rtype, len(page))
        data = {
            str(n): tr.competitor_row(campaign, i, period, adwords, ed)
            for n, i in enumerate(page[:lines])
        }
        out: dict[str, Any] = {}
        if not today or q.get("main_domain"):  # today: only when main_domain is asked for
            out["Md"] = tr.competitor_row(
                campaign, -1, period, adwords, ed, with_ps=adwords or today
            )
        out |= _page_meta(len(order), limit, offset)
        if today:
            out["keywords_count"] = campaign.count()
        out["data"] = data
        return Reply(out, rtype, Usage(lines=lines))

    def landing_report(
        q: Mapping[str, str], ctx: Ctx, campaign: Any, period: tr.Period, rtype: str
    ) -> Reply:
        url = q.get("url", "")
        if not url:
            raise SandboxError(519, "Missing mandatory URL parameter: url")
        if "*" in url or "/" in url:
            raise bad("Parameter url is invalid.")  # a domain without a mask
        _linktype(q)
        adwords = rtype.endswith("adwords")
        domain = url.split(":")[0]
        offset = tr.int_param(q, "display_offset", 0)
        limit = _display_limit(q)
        rows = [
            tr.landing_row(campaign, i, domain, period, adwords)
            for i in range(tr.landing_total(campaign))
        ]
        wanted = q.get("newlost_filter")
        if wanted:
            rows = [r for r in rows if r["Tp"] == wanted]
        page = rows[offset : offset + limit]
        lines = ctx.affordable(rtype, len(page))
        out = _page_meta(len(rows), limit, offset) | {
            "new": sum(r["Tp"] == "new" for r in rows),
            "lost": sum(r["Tp"] == "lost" for r in rows),
            "keywords": campaign.count(),
            "Pc": {"http": 0, "https": len(rows)},
            "data": _numbered(page[:lines]),
        }
        return Reply(out, rtype, Usage(lines=lines))

    # ------------------------------------------------------------ site audit

    def _audit_settings(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad("Request body is not valid JSON.")
        _need(body, "domain")
        if "scheduleDay" in body and (
            not isinstance(body["scheduleDay"], int) or not 0 <= body["scheduleDay"] <= 7
        ):
            raise bad("Parameter scheduleDay is invalid.")
        agents = (2, 3, 7, 8, 9) if today else (0, 1, 2, 3)
        if "userAgentType" in body and body["userAgentType"] not in agents:
            raise bad("Parameter userAgentType is invalid.")
        if "jsRendering" in body and (
            not today or body["jsRendering"] not in ("RENDER_ALL", "DISABLED")
        ):
            raise bad("Parameter jsRendering is invalid.")
        if "pageLimit" in body and (
            not isinstance(body["pageLimit"], int) or body["pageLimit"] <= 0
        ):
            raise bad("Parameter pageLimit is invalid.")
        return dict(body)

    async def audit_enable(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_campaign_save", 0)
        project = world.project(request.match_info["id"])
        settings = _audit_settings(await _body(request))
        if project.audit is not None:
            raise SandboxError(515, "Campaign already exists")
        audit = world.enable_audit(project, settings)
        return Reply(sa.info(project, audit, ed), "siteaudit_campaign_save")

    async def audit_save(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_campaign_save", 0)
        project, audit = world.audit(request.match_info["id"])
        audit.settings.update(_audit_settings(await _body(request)))
        audit.domain = str(audit.settings["domain"])
        return Reply(sa.info(project, audit, ed), "siteaudit_campaign_save")

    async def audit_launch(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_launch", 0)
        project, _ = world.audit(request.match_info["id"])
        return Reply({"snapshot_id": world.launch_audit(project)}, "siteaudit_launch")

    async def audit_info(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_campaign_info", 0)
        project, audit = world.audit(request.match_info["id"])
        return Reply(sa.info(project, audit, ed), "siteaudit_campaign_info")

    async def audit_snapshots(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_snapshot_list", 0)
        _, audit = world.audit(request.match_info["id"])
        snaps = [
            {"snapshot_id": s.snapshot_id, "finish_date": s.finish_date} for s in audit.snapshots
        ]
        return Reply({"snapshots": snaps}, "siteaudit_snapshot_list")

    async def audit_snapshot(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_snapshot_info", 0)
        _, audit = world.audit(request.match_info["id"])
        snap = sa.find_snapshot(audit, request.query.get("snapshot_id"))
        return Reply(sa.snapshot_info(audit, snap), "siteaudit_snapshot_info")

    async def audit_meta(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_meta", 0)
        world.audit(request.match_info["id"])
        return Reply(sa.meta_issues(ed), "siteaudit_meta")

    async def audit_issue(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_snapshot_issue", 0)
        project, audit = world.audit(request.match_info["id"])
        snap = sa.find_snapshot(audit, request.match_info["snapshot"])
        try:
            issue_id = int(request.match_info["issue"])
        except ValueError:
            raise bad("Parameter issueId is invalid.") from None
        q = request.query
        page = tr.int_param(q, "page", 1)
        limit = tr.int_param(q, "limit", 10)
        if page < 1 or limit < 1:
            raise bad("Parameter page is invalid." if page < 1 else "Parameter limit is invalid.")
        rows = sa.issue_rows(world.seed, project, audit, snap, issue_id, q.get("sort", ""), ed)
        if q.get("filter"):
            rows = [r for r in rows if q["filter"] in str(r["source_url"])]
        chunk = rows[(page - 1) * limit : page * limit]
        return Reply(
            {"limit": limit, "page": page, "total": len(rows), "data": chunk, "issue_id": issue_id},
            "siteaudit_snapshot_issue",
        )

    async def audit_page_list(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_page_list", 0)
        project, audit = world.audit(request.match_info["id"])
        q = request.query
        if "url_contains" not in q and "url" not in q:
            raise SandboxError(519, "Missing mandatory URL parameter: url")
        contains = q.get("url_contains", q.get("url", ""))
        limit = tr.int_param(q, "limit", 10)
        return Reply(
            sa.page_list(world.seed, project, audit, contains, limit), "siteaudit_page_list"
        )

    async def audit_page(request: web.Request, ctx: Ctx) -> Reply:
        ctx.affordable("siteaudit_page_info", 0)
        project, audit = world.audit(request.match_info["id"])
        return Reply(
            sa.page_info(world.seed, project, audit, request.match_info["page"], ed),
            "siteaudit_page_info",
        )

    async def audit_history(request: web.Request, ctx: Ctx) -> Reply:
        _, audit = world.audit(request.match_info["id"])
        limit = tr.int_param(request.query, "limit", 7)
        offset = tr.int_param(request.query, "offset", 0)
        newest_first = list(reversed(audit.snapshots))
        chunk = newest_first[offset : offset + limit]
        n = ctx.affordable("siteaudit_campaign_history", len(chunk))
        data = [sa.snapshot_info(audit, s) for s in chunk[:n]]
        return Reply(
            {"data": data, "total": len(newest_first), "limit": limit, "offset": offset},
            "siteaudit_campaign_history",
            Usage(snapshots=len(data)),
        )

    # ------------------------------------------------------------ balance

    async def balance(request: web.Request, ctx: Ctx) -> Reply:
        return Reply(f"{max(server.balance, 0):,}", "balance", text=True)

    m, r = "/management/v1/projects", "/reports/v1/projects"
    return [
        web.get(m, w(project_list)),
        web.post(m, w(project_create)),
        web.put(m, w(project_update)),
        web.get(m + "/{id}", w(project_get)),
        web.put(m + "/{id}", w(project_update)),
        web.delete(m + "/{id}", w(project_delete)),
        web.post(m + "/{id}/tracking/enable", w(tracking_enable)),
        web.put(m + "/{id}/tracking/notifications", w(notifications)),
        web.delete(m + "/{id}/tracking/notifications", w(notifications)),
        web.get(m + "/{id}/tracking/campaigns", w(campaigns)),
        web.put(m + "/{id}/keywords", w(keywords)),
        web.delete(m + "/{id}/keywords", w(keywords)),
        web.put(m + "/{id}/competitors", w(competitors)),
        web.delete(m + "/{id}/competitors", w(competitors)),
        web.put(m + "/{id}/tags", w(tags)),
        web.delete(m + "/{id}/tags", w(tags)),
        web.post(m + "/{id}/siteaudit/enable", w(audit_enable)),
        web.post(m + "/{id}/siteaudit/save", w(audit_save)),
        web.get("/position-tracking/management/v1/info/locations", w(geo_locations)),
        web.get("/management/v1/info/countries", w(geo_countries)),
        web.get("/management/v1/info/countries/{country}/regions", w(geo_regions)),
        web.get("/management/v1/info/countries/{country}/regions/{region}/cities", w(geo_cities)),
        web.get(r + "/{id}/tracking/", w(tracking_report)),
        web.get(r + "/{id}/tracking", w(tracking_report)),
        web.get(r + "/{id}/siteaudit/snapshots", w(audit_snapshots)),
        web.get(r + "/{id}/siteaudit/meta/issues", w(audit_meta)),
        web.post(r + "/{id}/siteaudit/launch", w(audit_launch)),
        web.get(r + "/{id}/siteaudit/info", w(audit_info)),
        web.get(r + "/{id}/siteaudit/snapshot", w(audit_snapshot)),
        web.get(r + "/{id}/siteaudit/snapshot/{snapshot}/issue/{issue}", w(audit_issue)),
        web.get(r + "/{id}/siteaudit/page/list", w(audit_page_list)),
        web.get(r + "/{id}/siteaudit/page/{page}", w(audit_page)),
        web.get(r + "/{id}/siteaudit/history", w(audit_history)),
        web.get("/users/countapiunits.html", w(balance)),
    ]
