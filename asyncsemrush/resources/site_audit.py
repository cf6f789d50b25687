"""``sr.site_audit(project_id)``: Site Audit settings, runs and reports."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, Literal

from .. import _convert, params
from .._wire import ApiRequest
from ..errors import InvalidParameterError, RequestTimeoutError
from ..models import (
    IssueMeta,
    IssueRow,
    PageInfo,
    PageList,
    SiteAuditInfo,
    Snapshot,
    SnapshotInfo,
)
from ..pagination import AsyncPaginator
from ..pricing import Usage
from ._base import MANAGEMENT, REPORTS, Resource

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
log = logging.getLogger("asyncsemrush")


def _strings(parameter: str, value: Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, (str, Iterable)):
        raise InvalidParameterError(parameter, value, "a string or a sequence of strings")
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) for v in items):
        raise InvalidParameterError(parameter, value, "strings")
    return items


def _hex_id(parameter: str, value: object) -> str:
    if not isinstance(value, str) or not value.isalnum():
        raise InvalidParameterError(parameter, value, "an ID such as 54102d92e4b0f889a040c9c8")
    return value


class SiteAuditResource(Resource):
    """The Site Audit of one project."""

    def __init__(self, client: Any, project_id: int | str) -> None:
        super().__init__(client)
        #: The project's ID, as text.
        self.project_id = params.project_id(project_id)
        self._reports = f"{REPORTS}/{self.project_id}/siteaudit"

    def __repr__(self) -> str:
        return f"<SiteAuditResource {self.project_id}>"

    def _settings(
        self,
        domain: str,
        schedule_day: int,
        notify: bool,
        allow: Iterable[str] | None,
        disallow: Iterable[str] | None,
        page_limit: int,
        user_agent_type: int,
        removed_parameters: Iterable[str] | None,
        crawl_subdomains: bool,
        respect_crawl_delay: bool,
        js_rendering: bool | None = None,
    ) -> dict[str, Any]:
        for name, flag in (
            ("notify", notify),
            ("crawl_subdomains", crawl_subdomains),
            ("respect_crawl_delay", respect_crawl_delay),
        ):
            if not isinstance(flag, bool):
                raise InvalidParameterError(name, flag, "True or False")
        if js_rendering is not None and not isinstance(js_rendering, bool):
            raise InvalidParameterError("js_rendering", js_rendering, "True, False or None")
        params.choice("user_agent_type", user_agent_type, params.USER_AGENT_TYPES)
        body: dict[str, Any] = {
            "domain": params.domain_name("domain", domain),
            "scheduleDay": params.integer("schedule_day", schedule_day, minimum=0, maximum=7),
            "notify": notify,
            "allow": _strings("allow", allow),
            "disallow": _strings("disallow", disallow),
            "pageLimit": params.integer("page_limit", page_limit, minimum=1),
            "userAgentType": user_agent_type,
            "removedParameters": _strings("removed_parameters", removed_parameters),
            "crawlSubdomains": crawl_subdomains,
            "respectCrawlDelay": respect_crawl_delay,
        }
        if js_rendering is not None:
            body["jsRendering"] = "RENDER_ALL" if js_rendering else "DISABLED"
        return body

    async def _post_settings(self, what: str, body: dict[str, Any]) -> None:
        path = f"{MANAGEMENT}/{self.project_id}/siteaudit/{what}"
        request = ApiRequest(
            "POST", path, "siteaudit_campaign_save", json=body, expect="json_or_empty"
        )
        await self._send(request)

    async def enable(
        self,
        domain: str,
        *,
        schedule_day: int = 0,
        notify: bool = False,
        allow: Iterable[str] | None = None,
        disallow: Iterable[str] | None = None,
        page_limit: int = 100,
        user_agent_type: int = 2,
        removed_parameters: Iterable[str] | None = None,
        crawl_subdomains: bool = True,
        respect_crawl_delay: bool = False,
        js_rendering: bool | None = None,
    ) -> None:
        """Enable Site Audit for the project. ``schedule_day`` 1-7 runs it weekly on that
        day (0: manual); ``user_agent_type`` 2 GoogleBot desktop, 3 GoogleBot mobile,
        7 SiteAuditBot desktop, 8 SiteAuditBot mobile, 9 OpenAI search; ``page_limit``
        pages to crawl; ``js_rendering`` renders JavaScript (``RENDER_ALL``) or not
        (``DISABLED``; None leaves the service's default). 100 units."""
        body = self._settings(
            domain,
            schedule_day,
            notify,
            allow,
            disallow,
            page_limit,
            user_agent_type,
            removed_parameters,
            crawl_subdomains,
            respect_crawl_delay,
            js_rendering,
        )
        await self._post_settings("enable", body)

    async def save(
        self,
        domain: str,
        *,
        schedule_day: int = 0,
        notify: bool = False,
        allow: Iterable[str] | None = None,
        disallow: Iterable[str] | None = None,
        page_limit: int = 100,
        user_agent_type: int = 2,
        removed_parameters: Iterable[str] | None = None,
        crawl_subdomains: bool = True,
        respect_crawl_delay: bool = False,
        js_rendering: bool | None = None,
    ) -> None:
        """Change the Site Audit settings (same options as :meth:`enable`). 100 units."""
        body = self._settings(
            domain,
            schedule_day,
            notify,
            allow,
            disallow,
            page_limit,
            user_agent_type,
            removed_parameters,
            crawl_subdomains,
            respect_crawl_delay,
            js_rendering,
        )
        await self._post_settings("save", body)

    async def launch(self) -> str | None:
        """Start an audit; returns the ID its snapshot will have (None, logged, if the
        answer carried none: the audit was started and paid for all the same).
        100 units. Never retried once it may have reached the server."""
        response = await self._send(
            ApiRequest("POST", f"{self._reports}/launch", "siteaudit_launch")
        )
        data = response.data
        snapshot_id = data.get("snapshot_id") if isinstance(data, dict) else None
        if isinstance(snapshot_id, int) and not isinstance(snapshot_id, bool):
            snapshot_id = str(snapshot_id)
        if not isinstance(snapshot_id, str) or not snapshot_id:
            log.warning("siteaudit launch succeeded but answered no snapshot_id: %.200r", data)
            return None
        return snapshot_id

    async def info(self) -> SiteAuditInfo:
        """The audit's state and its last crawl's figures. 100 units."""
        return await self._get(
            ApiRequest("GET", f"{self._reports}/info", "siteaudit_campaign_info"), SiteAuditInfo
        )

    async def snapshots(self) -> list[Snapshot]:
        """Past audits (snapshot IDs and finish times). 100 units."""
        response = await self._send(
            ApiRequest("GET", f"{self._reports}/snapshots", "siteaudit_snapshot_list")
        )
        data = response.data if isinstance(response.data, dict) else {}
        return list(
            _convert.structure(data.get("snapshots", []), tuple[Snapshot, ...], "$.snapshots")
        )

    async def snapshot(self, snapshot_id: str | None = None) -> SnapshotInfo:
        """A snapshot's score and issues (the latest when ``snapshot_id`` is None).
        10,000 units."""
        q = {} if snapshot_id is None else {"snapshot_id": _hex_id("snapshot_id", snapshot_id)}
        return await self._get(
            ApiRequest("GET", f"{self._reports}/snapshot", "siteaudit_snapshot_info", params=q),
            SnapshotInfo,
        )

    async def issues_meta(self) -> list[IssueMeta]:
        """What every issue ID means and how to fix it. 100 units."""
        response = await self._send(
            ApiRequest("GET", f"{self._reports}/meta/issues", "siteaudit_meta")
        )
        data = response.data if isinstance(response.data, dict) else {}
        return list(_convert.structure(data.get("issues", []), tuple[IssueMeta, ...], "$.issues"))

    def issue(
        self,
        snapshot_id: str,
        issue_id: int,
        *,
        sort: str | None = None,
        filter: str | None = None,
        page_size: int = 100,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int | None = None,
        start_offset: int = 0,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> AsyncPaginator[IssueRow]:
        """The pages affected by one issue of a snapshot, as an :class:`AsyncPaginator`
        (``sort``: ``index_asc``/``index_desc``/``firstseen_asc``/``firstseen_desc``).
        100 units per page of rows."""
        sid = _hex_id("snapshot_id", snapshot_id)
        iid = params.integer("issue_id", issue_id, minimum=1)
        values: dict[str, str] = {}
        if sort is not None:
            values["sort"] = params.issue_sort(sort)
        if filter is not None:
            if not isinstance(filter, str) or not filter:
                raise InvalidParameterError("filter", filter, "a non-empty text")
            values["filter"] = filter
        path = f"{self._reports}/snapshot/{sid}/issue/{iid}"

        def request(offset: int, limit: int) -> ApiRequest:
            page = {**values, "page": str(offset // limit + 1), "limit": str(limit)}
            return ApiRequest("GET", path, "siteaudit_snapshot_issue", params=page)

        return self._paginate(
            request,
            IssueRow,
            "siteaudit_snapshot_issue",
            page_size=page_size,
            max_rows=max_rows,
            max_units=max_units,
            prefetch=prefetch,
            start_offset=start_offset,
            page_mode=True,
            on_max_units=on_max_units,
        )

    async def pages(self, url: str, *, limit: int = 10) -> PageList:
        """Crawled pages whose URL contains ``url`` (a text), with their IDs (sent as
        ``url``, as the service documents it today). 100 units."""
        if not isinstance(url, str) or not url:
            raise InvalidParameterError("url", url, "a non-empty text")
        q = {"url": url, "limit": str(params.integer("limit", limit, minimum=1))}
        return await self._get(
            ApiRequest("GET", f"{self._reports}/page/list", "siteaudit_page_list", params=q),
            PageList,
        )

    async def page(self, page_id: str) -> PageInfo:
        """A crawled page and its issues. 1,000 units."""
        pid = _hex_id("page_id", page_id)
        return await self._get(
            ApiRequest("GET", f"{self._reports}/page/{pid}", "siteaudit_page_info"), PageInfo
        )

    def history(
        self,
        *,
        page_size: int = 7,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int = 2,
        start_offset: int = 0,
        speculate: bool = False,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> AsyncPaginator[SnapshotInfo]:
        """Past audits' scores and issues, newest first, as an :class:`AsyncPaginator`.
        10,000 units per snapshot: mind ``max_units``."""

        def request(offset: int, limit: int) -> ApiRequest:
            q = {"limit": str(limit), "offset": str(offset)}
            return ApiRequest(
                "GET",
                f"{self._reports}/history",
                "siteaudit_campaign_history",
                params=q,
                usage=Usage(snapshots=limit),
            )

        return self._paginate(
            request,
            SnapshotInfo,
            "siteaudit_campaign_history",
            page_size=page_size,
            max_rows=max_rows,
            max_units=max_units,
            prefetch=prefetch,
            start_offset=start_offset,
            speculate=speculate,
            on_max_units=on_max_units,
        )

    async def launch_and_wait(self, *, poll: float = 10.0, timeout: float = 3600.0) -> Snapshot:
        """Launch an audit, poll :meth:`info` every ``poll`` seconds until it finished,
        and return its snapshot. 100 units to launch, 100 per poll, 100 for the list.

        Raises :class:`~asyncsemrush.errors.RequestTimeoutError` after ``timeout``
        seconds (the audit goes on at Semrush).
        """
        for name, value in (("poll", poll), ("timeout", timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InvalidParameterError(name, value, "seconds, a number > 0")
        snapshot_id = await self.launch()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await asyncio.sleep(min(poll, max(deadline - loop.time(), 0)))
            if not (await self.info()).is_running:
                snaps = await self.snapshots()
                for snap in snaps:
                    if snap.snapshot_id == snapshot_id:
                        return snap
                if snapshot_id is None and snaps:  # launch did not say: the newest one
                    return max(snaps, key=lambda s: s.finish_date or _EPOCH)
            if loop.time() >= deadline:
                raise RequestTimeoutError(
                    f"audit {snapshot_id} of project {self.project_id} "
                    f"did not finish within {timeout} s"
                )
