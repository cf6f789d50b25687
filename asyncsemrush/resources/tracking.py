"""``sr.tracking(id)``: Position Tracking management and reports.

``id`` is a project ID (older accounts) or a ``"{project}_{n}"`` campaign ID, as an int
or a string; it is never turned into a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from .. import _convert, params
from .._wire import ApiRequest, Method
from ..errors import InvalidParameterError
from ..models import (
    CampaignDates,
    CampaignList,
    CompetitorRow,
    PositionRow,
    TrackedCampaign,
    TrackingOverview,
    VisibilityPoint,
)
from ..pagination import AsyncPaginator
from ..params import DisplayFilter, Keyword, Kind, UrlMask
from ..pricing import Usage
from ._base import MANAGEMENT, REPORTS, Resource, optional_int, query

T = TypeVar("T")
DateLike = dt.date | str
Masks = str | UrlMask | Sequence[str | UrlMask]
Filters = str | DisplayFilter | Sequence[DisplayFilter]


def _linktype(value: int | None, kind: Kind) -> str | None:
    if value is None:
        return None
    params.choice("linktype", value, params.LINKTYPE_FILTERS)
    if kind == "adwords":
        raise InvalidParameterError(
            "linktype", value, "None for AdWords reports (local pack is organic only)"
        )
    return str(value)


def _tags(value: str | Iterable[str] | None) -> str | None:
    return None if value is None else params.tags_param(value)


class TrackingResource(Resource):
    """One Position Tracking campaign (or a project's, addressed by project ID)."""

    def __init__(self, client: Any, campaign_id: int | str) -> None:
        super().__init__(client)
        #: The ID every call uses, as text (``"6647718_272401"`` or ``"6647718"``).
        self.campaign_id = params.tracking_id(campaign_id)
        #: The project part of the ID.
        self.project_id = self.campaign_id.split("_", 1)[0]

    def __repr__(self) -> str:
        return f"<TrackingResource {self.campaign_id}>"

    # ------------------------------------------------------------------ management

    def _campaign(
        self, method: Method, what: str, report_type: str, body: Any, usage: Usage | None = None
    ) -> ApiRequest:
        path = f"{MANAGEMENT}/{self.campaign_id}/{what}"
        return ApiRequest(method, path, report_type, json=body, usage=usage or Usage())

    async def enable(
        self,
        url: str,
        *,
        country_id: int,
        url_type: params.UrlType = "rootdomain",
        region_id: int | None = None,
        city_id: int | None = None,
        weekly_notification: bool = False,
        first_letter: bool = True,
        timezone: int | None = None,
        device: params.Device = "desktop",
    ) -> TrackedCampaign:
        """Enable Position Tracking for the project's ``url`` in a location
        (``country_id`` from ``sr.geo.countries()``). 100 units."""
        params.choice("url_type", url_type, params.URL_TYPES)
        params.choice("device", device, params.DEVICES)
        if not isinstance(url, str) or not url.strip():
            raise InvalidParameterError("url", url, "the tracked URL, such as ebay.com")
        body: dict[str, Any] = {
            "tracking_url": url.strip(),
            "tracking_url_type": url_type,
            "country_id": str(params.integer("country_id", country_id, minimum=1)),
            "weekly_notification": "1" if weekly_notification else "0",
            "first_letter": "1" if first_letter else "0",
            "device": device,
        }
        if region_id is not None:
            body["region_id"] = str(params.integer("region_id", region_id, minimum=1))
        if city_id is not None:
            body["city_id"] = str(params.integer("city_id", city_id, minimum=1))
        if timezone is not None:
            body["timezone"] = str(params.integer("timezone", timezone, minimum=-12, maximum=14))
        request = ApiRequest(
            "POST", f"{MANAGEMENT}/{self.project_id}/tracking/enable", "tracking_enable", json=body
        )
        return await self._get(request, TrackedCampaign)

    async def notifications(self, enabled: bool) -> TrackedCampaign:
        """Turn the weekly statistics email on or off. 100 units."""
        if not isinstance(enabled, bool):
            raise InvalidParameterError("enabled", enabled, "True or False")
        request = ApiRequest(
            "PUT" if enabled else "DELETE",
            f"{MANAGEMENT}/{self.campaign_id}/tracking/notifications",
            "tracking_notification_update",
        )
        return await self._get(request, TrackedCampaign)

    async def campaigns(self) -> CampaignList:
        """The project's Position Tracking campaigns (their ``"{project}_{n}"`` IDs). 100 units."""
        request = ApiRequest(
            "GET", f"{MANAGEMENT}/{self.project_id}/tracking/campaigns", "tracking_campaigns_list"
        )
        return await self._get(request, CampaignList)

    async def add_keywords(
        self, keywords: Iterable[str | Keyword] | str | Keyword
    ) -> TrackedCampaign:
        """Track more keywords (``Keyword("seo", tags=("brand",))`` for tags; tags are
        sanitised as the service does). 100 units per keyword (reserved as if all are new)."""
        kws = params.keywords(keywords)
        body = {"keywords": [k.as_json() for k in kws]}
        request = self._campaign(
            "PUT", "keywords", "project_add_keywords", body, Usage(keywords=len(kws))
        )
        return await self._get(request, TrackedCampaign)

    async def remove_keywords(
        self, keywords: Iterable[str | Keyword] | str | Keyword
    ) -> TrackedCampaign:
        """Stop tracking keywords. 100 units."""
        body = {"keywords": [{"keyword": k.keyword} for k in params.keywords(keywords)]}
        return await self._get(
            self._campaign("DELETE", "keywords", "project_delete_keywords", body), TrackedCampaign
        )

    async def add_competitors(self, domains: Iterable[str] | str) -> TrackedCampaign:
        """Track competitors (at most 20 per campaign). 100 units."""
        body = {"competitors": params.domains(domains)}
        return await self._get(
            self._campaign("PUT", "competitors", "project_add_competitors", body), TrackedCampaign
        )

    async def remove_competitors(self, domains: Iterable[str] | str) -> TrackedCampaign:
        """Stop tracking competitors. 100 units."""
        body = {"competitors": params.domains(domains)}
        return await self._get(
            self._campaign("DELETE", "competitors", "project_delete_competitors", body),
            TrackedCampaign,
        )

    def _tag_body(self, tag: str, keywords: Iterable[str] | str) -> list[dict[str, Any]]:
        clean = params.sanitize_tag(tag) if isinstance(tag, str) else ""
        if not clean:
            raise InvalidParameterError(
                "tag", tag, "a tag with letters or digits (it is empty once sanitised)"
            )
        phrases = [k.keyword for k in params.keywords(keywords)]
        return [{"tag": clean, "keywords": phrases}]

    async def add_tags(self, tag: str, keywords: Iterable[str] | str) -> TrackedCampaign:
        """Tag keywords (at most 5 tags a keyword; the tag is sanitised as the service
        does: ``"Brand!"`` becomes ``"brand"``). 100 units."""
        return await self._get(
            self._campaign("PUT", "tags", "project_add_tags", self._tag_body(tag, keywords)),
            TrackedCampaign,
        )

    async def remove_tags(self, tag: str, keywords: Iterable[str] | str) -> TrackedCampaign:
        """Remove a tag from keywords. 100 units."""
        return await self._get(
            self._campaign("DELETE", "tags", "project_remove_tags", self._tag_body(tag, keywords)),
            TrackedCampaign,
        )

    # ------------------------------------------------------------------ reports

    def _report(
        self, report_type: str, values: dict[str, str], usage: Usage | None = None
    ) -> ApiRequest:
        q = {"action": "report", "type": report_type, **values}
        return ApiRequest(
            "GET",
            f"{REPORTS}/{self.campaign_id}/tracking/",
            report_type,
            params=q,
            usage=usage or Usage(),
        )

    def _report_pages(
        self, report_type: str, values: dict[str, str], row: type[T], **paging: Any
    ) -> AsyncPaginator[T]:
        """A per-line report paged by ``display_offset``/``display_limit``."""

        def request(offset: int, limit: int) -> ApiRequest:
            page = {**values, "display_offset": str(offset), "display_limit": str(limit)}
            return self._report(report_type, page, Usage(lines=limit))

        return self._paginate(request, row, report_type, **paging)

    async def campaign_dates(self) -> CampaignDates:
        """The dates the campaign was collected on. 100 units."""
        return await self._get(self._report("tracking_campaign_dates", {}), CampaignDates)

    async def overview(
        self,
        url: Masks,
        *,
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: str | Iterable[str] | None = None,
        linktype: int | None = None,
    ) -> TrackingOverview:
        """A domain's organic rankings overview: top 3/10/20/100 counts and their moves.
        100 units."""
        values = query(
            url=":".join(params.masks(url)),
            display_tags=_tags(tags),
            linktype_filter=_linktype(linktype, "organic"),
            **params.date_range(date_begin, date_end),
        )
        return await self._get(self._report("tracking_overview_organic", values), TrackingOverview)

    def positions(
        self,
        url: Masks,
        *,
        kind: Kind = "organic",
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: str | Iterable[str] | None = None,
        filters: Filters | None = None,
        sort: str | None = None,
        top_filter: str | None = None,
        linktype: int | None = None,
        page_size: int = 1000,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int = 4,
        start_offset: int = 0,
        speculate: bool = True,
    ) -> AsyncPaginator[PositionRow]:
        """Keywords with the positions of up to 6 domains (``url``: url masks, colon-joined
        or a sequence) per date, as an :class:`AsyncPaginator`. 100 units per row.

        ``filters`` (``DisplayFilter``, at most 25), ``sort`` (``ph_asc``, ``nq_desc``,
        ``0_pos_asc``, ...), ``tags``, ``top_filter`` (``top_10``-style names:
        ``top_3``, ``top_1page``, ...), ``linktype`` (0 include local pack, 1 only, 2
        exclude; organic only).
        """
        k = params.kind(kind)
        masks = params.masks(url)
        values = query(
            url=":".join(masks),
            display_tags=_tags(tags),
            display_filter=params.display_filter(filters),
            display_sort=None if sort is None else params.position_sort(sort, len(masks)),
            top_filter=None if top_filter is None else params.top_filter(top_filter),
            linktype_filter=_linktype(linktype, k),
            **params.date_range(date_begin, date_end),
        )
        report_type = f"tracking_position_{k}"

        return self._report_pages(
            report_type,
            values,
            PositionRow,
            page_size=page_size,
            max_rows=max_rows,
            max_units=max_units,
            prefetch=prefetch,
            start_offset=start_offset,
            speculate=speculate,
        )

    def competitors(
        self,
        *,
        url_type: params.UrlType = "rootdomain",
        url: str | None = None,
        kind: Kind = "organic",
        black_list: Iterable[str] | None = None,
        top_start: int | None = None,
        top_end: int | None = None,
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: str | Iterable[str] | None = None,
        sort: str | None = None,
        linktype: int | None = None,
        page_size: int = 100,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int = 4,
        start_offset: int = 0,
        speculate: bool = True,
    ) -> AsyncPaginator[CompetitorRow]:
        """Domains ranking for the campaign's keywords (competitor discovery), as an
        :class:`AsyncPaginator`; ``page.meta["Md"]`` is your own domain.
        1000 units per row."""
        k = params.kind(kind)
        params.choice("url_type", url_type, params.URL_TYPES)
        start = optional_int("top_start", top_start, minimum=1, maximum=100)
        stop = optional_int("top_end", top_end, minimum=1, maximum=100)
        if start and stop and int(start) > int(stop):
            raise InvalidParameterError("top_start", top_start, f"at most top_end ({top_end})")
        values = query(
            url_type=url_type,
            url=None if url is None else ":".join(params.masks(url)),
            black_list=None
            if black_list is None
            else "|".join(params.domains(black_list, "black_list")),
            top_start=start,
            top_end=stop,
            display_tags=_tags(tags),
            display_sort=None if sort is None else params.competitor_sort(sort),
            linktype_filter=_linktype(linktype, k),
            **params.date_range(date_begin, date_end),
        )
        report_type = f"tracking_competitors_{k}"

        return self._report_pages(
            report_type,
            values,
            CompetitorRow,
            page_size=page_size,
            max_rows=max_rows,
            max_units=max_units,
            prefetch=prefetch,
            start_offset=start_offset,
            speculate=speculate,
        )

    async def visibility(
        self,
        url: Masks,
        *,
        kind: Kind = "organic",
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: str | Iterable[str] | None = None,
        linktype: int | None = None,
    ) -> list[VisibilityPoint]:
        """A domain's visibility index per date. 100 units."""
        k = params.kind(kind)
        values = query(
            url=":".join(params.masks(url)),
            display_tags=_tags(tags),
            linktype_filter=_linktype(linktype, k),
            **params.date_range(date_begin, date_end),
        )
        response = await self._send(self._report(f"tracking_visibility_{k}", values))
        data = response.data
        return _convert.rows(
            data.get("data", {}) if isinstance(data, dict) else data, VisibilityPoint
        )
