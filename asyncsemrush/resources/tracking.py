"""``sr.tracking(id)``: Position Tracking management and reports.

``id`` is a project ID (older accounts) or a ``"{project}_{n}"`` campaign ID, as an int
or a string; it is never turned into a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeVar

import attrs

from .. import _convert, params
from .._wire import ApiRequest, Method
from ..errors import InvalidParameterError
from ..models import (
    CampaignDates,
    CampaignList,
    CompetitorRow,
    EnabledTracking,
    LandingPageRow,
    PositionRow,
    TrackedCampaign,
    TrackingOverview,
    VisibilityPoint,
)
from ..pagination import AsyncPaginator
from ..params import DisplayFilter, Keyword, Kind, SerpFeature, UrlMask
from ..pricing import Usage
from ..sync._sync import SyncResult, SyncStore
from ._base import MANAGEMENT, REPORTS, Resource, optional_int, query

T = TypeVar("T")
DateLike = dt.date | str
Masks = str | UrlMask | Sequence[str | UrlMask]
Filters = str | DisplayFilter | Sequence[DisplayFilter]
Tags = str | Iterable[str]


def _linktype(value: int | None, kind: Kind) -> str | None:
    if value is None:
        return None
    params.choice("linktype", value, params.LINKTYPE_FILTERS)
    if kind == "adwords":
        raise InvalidParameterError(
            "linktype", value, "None for AdWords reports (local pack is organic only)"
        )
    return str(value)


def _common(
    *,
    date_begin: DateLike | None,
    date_end: DateLike | None,
    tags: Tags | None = None,
    tags_condition: str | None = None,
    linktype: int | None = None,
    kind: Kind = "organic",
    use_volume: str | None = None,
    serp_feature: str | SerpFeature | None = None,
    domains: int = 1,
    filters: Filters | None = None,
) -> dict[str, Any]:
    """The report parameters most reports share, validated, as query values."""
    if tags is not None and tags_condition is not None:
        raise InvalidParameterError(
            "tags_condition", tags_condition, "None when tags is given (one tag filter)"
        )
    if use_volume is not None:
        params.choice("use_volume", use_volume, params.USE_VOLUME)
    return dict(
        display_tags=None if tags is None else params.tags_param(tags),
        display_tags_condition=None
        if tags_condition is None
        else params.tags_condition(tags_condition),
        display_filter=params.display_filter(filters),
        linktype_filter=_linktype(linktype, kind),
        use_volume=use_volume,
        serp_feature_filter=None
        if serp_feature is None
        else params.serp_feature_filter(serp_feature, domains),
        **params.date_range(date_begin, date_end),
    )


def _url(url: Masks | None) -> tuple[str | None, int]:
    """``url`` as sent (masks colon-joined), and how many domains it names; ``None``
    leaves it out (the service then reports the campaign's own URL)."""
    if url is None:
        return None, 1
    masks = params.masks(url)
    return ":".join(masks), len(masks)


def _bare_domains(url: str | Sequence[str], parameter: str = "url") -> str:
    """Domains without a mask, colon-joined (landing pages, main_domain)."""
    if not isinstance(url, (str, Sequence)) or (not isinstance(url, str) and not url):
        raise InvalidParameterError(parameter, url, "a domain without a mask, or a list of them")
    items = [url] if isinstance(url, str) else list(url)
    return ":".join(params.domain_name(parameter, item) for item in items)


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
        location_id: int | None = None,
        url_type: params.UrlType = "rootdomain",
        device: params.Device = "desktop",
        weekly_notification: bool = False,
        timezone: int | None = None,
        business_name: str | None = None,
        country_id: int | None = None,
        region_id: int | None = None,
        city_id: int | None = None,
        first_letter: bool = True,
    ) -> EnabledTracking:
        """Create a Position Tracking campaign in the project for ``url`` at
        ``location_id`` (from ``sr.geo.locations()``); returns the new campaign's ID
        (``.campaign_id``), which the other calls take. A second campaign of a project
        must differ in location and device. ``business_name`` (as in the Google Business
        Profile) tracks the local pack. 100 units.

        ``country_id`` / ``region_id`` / ``city_id`` (from ``sr.geo.countries()``) are the
        2015 edition's way to place a campaign, kept for the accounts that still take it;
        give either ``location_id`` or ``country_id``.
        """
        params.choice("url_type", url_type, params.URL_TYPES)
        params.choice("device", device, params.DEVICES)
        if not isinstance(url, str) or not url.strip():
            raise InvalidParameterError("url", url, "the tracked URL, such as ebay.com")
        for name, flag in (
            ("weekly_notification", weekly_notification),
            ("first_letter", first_letter),
        ):
            if not isinstance(flag, bool):
                raise InvalidParameterError(name, flag, "True or False")
        if (location_id is None) == (country_id is None):
            raise InvalidParameterError(
                "location_id",
                location_id,
                "a location ID from sr.geo.locations() (or, for "
                "the 2015 edition, country_id instead: one of the two)",
            )
        body: dict[str, Any] = {"tracking_url": url.strip(), "tracking_url_type": url_type}
        if location_id is not None:
            for name, value in (("region_id", region_id), ("city_id", city_id)):
                if value is not None:
                    raise InvalidParameterError(name, value, "None with location_id")
            body["location_id"] = params.integer("location_id", location_id, minimum=1)
            body["weekly_notification"] = weekly_notification
            body["device"] = device
            if business_name is not None:
                if not isinstance(business_name, str) or not business_name.strip():
                    raise InvalidParameterError("business_name", business_name, "a non-empty name")
                body["business_name"] = business_name.strip()
            if timezone is not None:
                body["timezone"] = params.integer("timezone", timezone, minimum=-12, maximum=14)
        else:
            if business_name is not None:
                raise InvalidParameterError("business_name", business_name, "None with country_id")
            body["country_id"] = str(params.integer("country_id", country_id, minimum=1))
            body["weekly_notification"] = "1" if weekly_notification else "0"
            body["first_letter"] = "1" if first_letter else "0"
            body["device"] = device
            if region_id is not None:
                body["region_id"] = str(params.integer("region_id", region_id, minimum=1))
            if city_id is not None:
                body["city_id"] = str(params.integer("city_id", city_id, minimum=1))
            if timezone is not None:
                body["timezone"] = str(
                    params.integer("timezone", timezone, minimum=-12, maximum=14)
                )
        request = ApiRequest(
            "POST", f"{MANAGEMENT}/{self.project_id}/tracking/enable", "tracking_enable", json=body
        )
        return await self._write(request, EnabledTracking)

    async def notifications(self, enabled: bool) -> TrackedCampaign:
        """Turn the weekly statistics email on or off. 100 units."""
        if not isinstance(enabled, bool):
            raise InvalidParameterError("enabled", enabled, "True or False")
        request = ApiRequest(
            "PUT" if enabled else "DELETE",
            f"{MANAGEMENT}/{self.campaign_id}/tracking/notifications",
            "tracking_notification_update",
            expect="json_or_empty",
        )
        return await self._write(request, TrackedCampaign)

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
        sanitised as the service does). 100 units per keyword actually added: reserved
        as if all are new, settled by the keywords the answer shows as added (already
        tracked ones are not charged)."""
        kws = params.keywords(keywords)
        body = {"keywords": [k.as_json() for k in kws]}
        request = attrs.evolve(
            self._campaign(
                "PUT", "keywords", "project_add_keywords", body, Usage(keywords=len(kws))
            ),
            keywords=tuple(k.keyword for k in kws),
        )
        return await self._write(request, TrackedCampaign)

    async def remove_keywords(
        self, keywords: Iterable[str | Keyword] | str | Keyword
    ) -> TrackedCampaign:
        """Stop tracking keywords. 100 units."""
        body = {"keywords": [{"keyword": k.keyword} for k in params.keywords(keywords)]}
        return await self._write(
            self._campaign("DELETE", "keywords", "project_delete_keywords", body), TrackedCampaign
        )

    async def add_competitors(self, domains: Iterable[str] | str) -> TrackedCampaign:
        """Track competitors (at most 20 per campaign). 100 units."""
        body = {"competitors": params.domains(domains)}
        return await self._write(
            self._campaign("PUT", "competitors", "project_add_competitors", body), TrackedCampaign
        )

    async def remove_competitors(self, domains: Iterable[str] | str) -> TrackedCampaign:
        """Stop tracking competitors. 100 units."""
        body = {"competitors": params.domains(domains)}
        return await self._write(
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
        return await self._write(
            self._campaign("PUT", "tags", "project_add_tags", self._tag_body(tag, keywords)),
            TrackedCampaign,
        )

    async def remove_tags(self, tag: str, keywords: Iterable[str] | str) -> TrackedCampaign:
        """Remove a tag from keywords. 100 units."""
        return await self._write(
            self._campaign("DELETE", "tags", "project_remove_tags", self._tag_body(tag, keywords)),
            TrackedCampaign,
        )

    # ------------------------------------------------------------------ reports

    def _report(
        self, report_type: str, values: dict[str, Any], usage: Usage | None = None
    ) -> ApiRequest:
        q = {"action": "report", "type": report_type, **query(**values)}
        return ApiRequest(
            "GET",
            f"{REPORTS}/{self.campaign_id}/tracking/",
            report_type,
            params=q,
            usage=usage or Usage(),
        )

    def _report_pages(
        self, report_type: str, values: dict[str, Any], row: type[T], **paging: Any
    ) -> AsyncPaginator[T]:
        """A per-line report paged by ``display_offset``/``display_limit``."""
        fixed = query(**values)

        def request(offset: int, limit: int) -> ApiRequest:
            page = {**fixed, "display_offset": str(offset), "display_limit": str(limit)}
            return self._report(report_type, page, Usage(lines=limit))

        return self._paginate(request, row, report_type, **paging)

    async def sync(
        self,
        store: SyncStore,
        *,
        url: Masks | None = None,
        kind: Kind = "organic",
        page_size: int = 1000,
    ) -> SyncResult:
        """Bring ``store`` (``asyncsemrush.sync.DuckDBStore`` or ``ParquetDataset``) up to
        date with this campaign's positions: one ``campaign_dates`` check (100 units),
        then, if dates are missing, one positions pull whose range covers them all (100
        units per keyword, whatever the range). Each page is committed with the pull's
        offset, so a sync that was killed resumes without gaps or duplicates."""
        from ..sync import sync_positions

        if not isinstance(store, SyncStore):
            raise InvalidParameterError("store", store, "a SyncStore (DuckDBStore, ParquetDataset)")
        k = params.kind(kind)
        self.positions(url, kind=k, page_size=page_size)  # every input checked: nothing sent
        return await sync_positions(self, store, url=url, kind=k, page_size=page_size)

    async def campaign_dates(self) -> CampaignDates:
        """The dates the campaign was collected on. 100 units."""
        return await self._get(self._report("tracking_campaign_dates", {}), CampaignDates)

    async def overview(
        self,
        url: Masks | None = None,
        *,
        kind: Kind = "organic",
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: Tags | None = None,
        tags_condition: str | None = None,
        linktype: int | None = None,
    ) -> TrackingOverview:
        """A domain's rankings overview (organic or AdWords): top 3/10/20/100 counts and
        their moves. ``url`` defaults to the campaign's. 100 units."""
        k = params.kind(kind)
        sent, _ = _url(url)
        values = _common(
            date_begin=date_begin, date_end=date_end, tags=tags,
            tags_condition=tags_condition, linktype=linktype, kind=k,
        )  # fmt: skip
        request = self._report(f"tracking_overview_{k}", {"url": sent, **values})
        return await self._get(request, TrackingOverview)

    def positions(
        self,
        url: Masks | None = None,
        *,
        kind: Kind = "organic",
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: Tags | None = None,
        tags_condition: str | None = None,
        filters: Filters | None = None,
        sort: str | None = None,
        top_filter: str | None = None,
        linktype: int | None = None,
        serp_feature: str | SerpFeature | None = None,
        use_volume: str | None = None,
        business_name: str | None = None,
        page_size: int = 1000,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int | None = None,
        start_offset: int = 0,
        speculate: bool = False,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> AsyncPaginator[PositionRow]:
        """Keywords with the positions of up to 6 domains (``url``: url masks, colon-joined
        or a sequence; the campaign's URL when None) per date, as an
        :class:`AsyncPaginator`. 100 units per row.

        ``filters`` (``DisplayFilter``, at most 25), ``sort`` (``ph_asc``, ``nq_desc``,
        ``0_pos_asc``, ``0_diff_desc``, ``sov_desc``, ``vi_desc``, ...), ``tags`` or
        ``tags_condition`` (``"brand&!old"``), ``top_filter`` (``top_3``, ``top_1page``,
        ...), ``linktype`` (see ``params.LINKTYPE_FILTERS``; organic only),
        ``serp_feature`` (``"fsn,0"``: keywords with a featured snippet for the first
        domain; ``"-geo"`` without a local pack; organic only), ``use_volume``
        (``national``, ``regional``, ``local``).
        """
        k = params.kind(kind)
        sent, domains = _url(url)
        if serp_feature is not None and k == "adwords":
            raise InvalidParameterError("serp_feature", serp_feature, "None for AdWords reports")
        values = _common(
            date_begin=date_begin, date_end=date_end, tags=tags,
            tags_condition=tags_condition, linktype=linktype, kind=k, use_volume=use_volume,
            serp_feature=serp_feature, domains=domains, filters=filters,
        )  # fmt: skip
        if business_name is not None and (
            not isinstance(business_name, str) or not business_name.strip()
        ):
            raise InvalidParameterError("business_name", business_name, "a non-empty name")
        values.update(
            url=sent,
            display_sort=None if sort is None else params.position_sort(sort, domains),
            top_filter=None if top_filter is None else params.top_filter(top_filter),
            business_name=business_name,
        )
        return self._report_pages(
            f"tracking_position_{k}", values, PositionRow,
            page_size=page_size, max_rows=max_rows, max_units=max_units, prefetch=prefetch,
            start_offset=start_offset, speculate=speculate, on_max_units=on_max_units,
        )  # fmt: skip

    def competitors(
        self,
        *,
        url_type: params.UrlType = "rootdomain",
        url: str | None = None,
        main_domain: str | None = None,
        kind: Kind = "organic",
        black_list: Iterable[str] | None = None,
        top_start: int | None = None,
        top_end: int | None = None,
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: Tags | None = None,
        tags_condition: str | None = None,
        sort: str | None = None,
        linktype: int | None = None,
        page_size: int = 100,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int | None = None,
        start_offset: int = 0,
        speculate: bool = False,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> AsyncPaginator[CompetitorRow]:
        """Domains ranking for the campaign's keywords (competitor discovery), as an
        :class:`AsyncPaginator`. ``main_domain`` (a domain without a mask) adds its own
        row at the top of every page: ``page.meta["Md"]``. 1000 units per row."""
        k = params.kind(kind)
        params.choice("url_type", url_type, params.URL_TYPES)
        start = optional_int("top_start", top_start, minimum=1, maximum=100)
        stop = optional_int("top_end", top_end, minimum=1, maximum=100)
        if start and stop and int(start) > int(stop):
            raise InvalidParameterError("top_start", top_start, f"at most top_end ({top_end})")
        values = _common(
            date_begin=date_begin, date_end=date_end, tags=tags,
            tags_condition=tags_condition, linktype=linktype, kind=k,
        )  # fmt: skip
        values.update(
            url_type=url_type,
            url=_url(url)[0],
            main_domain=None
            if main_domain is None
            else params.domain_name("main_domain", main_domain),
            black_list=None
            if black_list is None
            else "|".join(params.domains(black_list, "black_list")),
            top_start=start,
            top_end=stop,
            display_sort=None if sort is None else params.competitor_sort(sort),
        )
        return self._report_pages(
            f"tracking_competitors_{k}", values, CompetitorRow,
            page_size=page_size, max_rows=max_rows, max_units=max_units, prefetch=prefetch,
            start_offset=start_offset, speculate=speculate, on_max_units=on_max_units,
        )  # fmt: skip

    def landing_pages(
        self,
        url: str | Sequence[str],
        *,
        kind: Kind = "organic",
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: Tags | None = None,
        tags_condition: str | None = None,
        filters: Filters | None = None,
        sort: str | None = None,
        newlost: str | None = None,
        linktype: int | None = None,
        use_volume: str | None = None,
        page_size: int = 100,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int | None = None,
        start_offset: int = 0,
        speculate: bool = False,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> AsyncPaginator[LandingPageRow]:
        """The domain's URLs that rank for the campaign's keywords, with their keywords
        (``url``: domains **without** a mask, such as ``"ebay.com"``), as an
        :class:`AsyncPaginator`. ``newlost``: ``"new"`` or ``"lost"`` URLs only; ``sort``:
        ``1_mc_desc`` and the like; ``page.meta`` has ``new``, ``lost``, ``keywords`` and
        ``Pc``. **1000 units per landing page (row).**"""
        k = params.kind(kind)
        if newlost is not None:
            params.choice("newlost", newlost, params.NEWLOST_FILTERS)
        values = _common(
            date_begin=date_begin, date_end=date_end, tags=tags,
            tags_condition=tags_condition, linktype=linktype, kind=k, use_volume=use_volume,
            filters=filters,
        )  # fmt: skip
        values.update(
            url=_bare_domains(url),
            display_sort=None if sort is None else params.landing_sort(sort),
            newlost_filter=newlost,
        )
        return self._report_pages(
            f"tracking_landing_pages_{k}", values, LandingPageRow,
            page_size=page_size, max_rows=max_rows, max_units=max_units, prefetch=prefetch,
            start_offset=start_offset, speculate=speculate, on_max_units=on_max_units,
        )  # fmt: skip

    async def visibility(
        self,
        url: Masks | None = None,
        *,
        kind: Kind = "organic",
        date_begin: DateLike | None = None,
        date_end: DateLike | None = None,
        tags: Tags | None = None,
        tags_condition: str | None = None,
        filters: Filters | None = None,
        linktype: int | None = None,
        serp_feature: str | SerpFeature | None = None,
        use_volume: str | None = None,
    ) -> list[VisibilityPoint]:
        """A domain's visibility per date (``url`` defaults to the campaign's). 100 units."""
        k = params.kind(kind)
        sent, domains = _url(url)
        if serp_feature is not None and k == "adwords":
            raise InvalidParameterError("serp_feature", serp_feature, "None for AdWords reports")
        values = _common(
            date_begin=date_begin, date_end=date_end, tags=tags,
            tags_condition=tags_condition, linktype=linktype, kind=k, use_volume=use_volume,
            serp_feature=serp_feature, domains=domains, filters=filters,
        )  # fmt: skip
        response = await self._send(
            self._report(f"tracking_visibility_{k}", {"url": sent, **values})
        )
        data = response.data
        return _convert.rows(
            data.get("data", {}) if isinstance(data, dict) else data, VisibilityPoint
        )
