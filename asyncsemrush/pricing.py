"""What each request costs, in API units, before and after it is sent.

The price table is data: one :class:`Price` per report type, taken from the reference
price table (34 types), ``SUPPLEMENT.md`` (campaign list, balance check) and today's
documentation (``CURRENT_V3.md`` §6: create and update at 100 a request, the AdWords
overview, the location search, landing pages at 1000 a row). A request's cost is

    per_request + per_line × lines + per_keyword × keywords + per_snapshot × snapshots

:func:`estimate` gives the worst case before sending (``lines`` = the requested limit);
:meth:`PriceTable.actual` gives what a decoded response cost (lines actually returned).
Prices change: build your own table with :meth:`PriceTable.with_prices` and pass it to
``SemrushClient(prices=...)``.

Where the reference is ambiguous the reading taken here is stated on the row:
``siteaudit_snapshot_issue`` ("100 per request or 100 by one issue") costs 100 per
request, since one request asks for one issue; ``siteaudit_campaign_history`` ("10000
per request or 10000 by one snapshot") costs 10000 per snapshot returned.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .errors import InvalidParameterError

__all__ = [
    "DEFAULT_PRICES",
    "UNITS_PER_DOLLAR",
    "Price",
    "PriceTable",
    "Usage",
    "dollars",
    "estimate",
]

#: $1 buys this many API units.
UNITS_PER_DOLLAR = 20_000


def dollars(units: int) -> Decimal:
    """The price of ``units`` API units in US dollars."""
    return Decimal(units) / UNITS_PER_DOLLAR


@attrs.frozen
class Usage:
    """What a request consumes: lines (rows), keywords added, snapshots returned."""

    lines: int = 0
    keywords: int = 0
    snapshots: int = 0


def _non_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


@attrs.frozen
class Price:
    """The unit price of one report type, by what it is charged for."""

    per_request: int = attrs.field(default=0, validator=_non_negative)
    per_line: int = attrs.field(default=0, validator=_non_negative)
    per_keyword: int = attrs.field(default=0, validator=_non_negative)
    per_snapshot: int = attrs.field(default=0, validator=_non_negative)
    description: str = attrs.field(default="", eq=False)

    def cost(self, usage: Usage) -> int:
        """Units charged for ``usage``."""
        return (
            self.per_request
            + self.per_line * usage.lines
            + self.per_keyword * usage.keywords
            + self.per_snapshot * usage.snapshots
        )


def _r(units: int, description: str) -> Price:
    return Price(per_request=units, description=description)


#: The reference price table (all 34 types), the calls SUPPLEMENT.md adds, and today's
#: prices where they differ (CURRENT_V3.md §6).
DEFAULT_PRICES: Mapping[str, Price] = {
    # projects
    "project_list": _r(100, "List all existing projects"),
    "project_get": _r(100, "Get information about an existing project"),
    "project_create": _r(100, "Create a new project (keywords are added by their own call)"),
    "project_update": _r(100, "Rename an existing project"),
    "project_delete": _r(100, "Delete an existing project"),
    "project_add_keywords": Price(
        per_keyword=100, description="Add keywords to a campaign (per keyword actually added)"
    ),
    "project_delete_keywords": _r(100, "Remove keywords from an existing project"),
    "project_add_competitors": _r(100, "Add competitors to an existing project"),
    "project_delete_competitors": _r(100, "Remove competitors from an existing project"),
    "project_add_tags": _r(100, "Group keywords with tags in an existing project"),
    "project_remove_tags": _r(100, "Remove tags from keywords in an existing project"),
    # position tracking
    "tracking_overview_organic": _r(100, "Organic Overview"),
    "tracking_overview_adwords": _r(100, "AdWords Overview"),
    "tracking_visibility_organic": _r(100, "Organic Visibility Index report"),
    "tracking_visibility_adwords": _r(100, "AdWords Visibility Index report"),
    "tracking_position_organic": Price(per_line=100, description="Organic Positions report"),
    "tracking_position_adwords": Price(per_line=100, description="AdWords Positions report"),
    "tracking_competitors_organic": Price(
        per_line=1000, description="Organic Competitors Discovery report"
    ),
    "tracking_competitors_adwords": Price(
        per_line=1000, description="AdWords Competitors Discovery report"
    ),
    "tracking_campaign_dates": _r(100, "Campaign Dates"),
    "tracking_enable": _r(100, "Enable the Position Tracking Tool in a project"),
    "tracking_notification_update": _r(100, "Enable/Disable weekly statistics email"),
    # geo
    "location_search": _r(100, "Universal location search"),
    "get_countries": _r(100, "Get a list of countries"),
    "get_regions": _r(100, "Get a list of regions"),
    "get_cities": _r(100, "Get a list of cities"),
    # site audit
    "siteaudit_snapshot_list": _r(100, "Get a list of a campaign's snapshots"),
    "siteaudit_meta": _r(100, "Get text descriptions about issues"),
    "siteaudit_launch": _r(100, "Run Audit"),
    "siteaudit_campaign_info": _r(100, "Get information about a campaign"),
    "siteaudit_campaign_save": _r(100, "Enable the Site Audit Tool / edit its settings"),
    "siteaudit_snapshot_info": _r(10_000, "Get information about a snapshot"),
    "siteaudit_snapshot_issue": _r(100, "Detailed report for an issue (one issue a request)"),
    "siteaudit_page_list": _r(100, "Get page ID by an URL"),
    "siteaudit_page_info": _r(1000, "Get information about a page"),
    "siteaudit_campaign_history": Price(
        per_snapshot=10_000, description="Get snapshots history (per snapshot returned)"
    ),
    # SUPPLEMENT.md
    "tracking_campaigns_list": _r(100, "List a project's Position Tracking campaigns"),
    "tracking_landing_pages_organic": Price(
        per_line=1000, description="Organic landing pages (per landing page)"
    ),
    "tracking_landing_pages_adwords": Price(
        per_line=1000, description="AdWords landing pages (per landing page)"
    ),
    "balance": Price(description="Free API units balance check"),
}


def _count(data: Any) -> int:
    """Rows in a report's ``data``: a numbered-key object or a list."""
    if isinstance(data, (dict, list)):
        return len(data)
    return 0


#: Keywords whose ``timestamp`` is this close to the answer's newest count as added by
#: the request (the service stamps a request's keywords alike; a wider window only
#: over-counts, the safe side).
ADDED_WINDOW_SECONDS = 300


def keywords_added(body: Any, sent: Sequence[str]) -> int | None:
    """How many of the ``sent`` keywords the answer shows as added. Only evidence lowers
    the count: a sent keyword the answer lists with an older timestamp than the newest
    (by more than :data:`ADDED_WINDOW_SECONDS`) was tracked before and is not charged;
    one it does not list counts as added. None when the answer has no keyword list
    (then all sent count)."""
    listed = body.get("keywords") if isinstance(body, dict) else None
    if not isinstance(listed, list) or not sent:
        return None
    stamps: dict[str, float] = {}
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("keyword"), str):
            return None
        stamp = item.get("timestamp")
        if isinstance(stamp, bool) or not isinstance(stamp, (int, float, str)):
            return None
        try:
            stamps[item["keyword"].casefold()] = float(stamp)
        except ValueError:
            return None
    newest = max(stamps.values(), default=0.0)
    wanted = {k.casefold() for k in sent}
    old = sum(1 for k in wanted if k in stamps and stamps[k] < newest - ADDED_WINDOW_SECONDS)
    return len(wanted) - old


def lines_returned(body: Any) -> int:
    """How many report rows a decoded response carries (its ``data`` member)."""
    if isinstance(body, dict):
        return _count(body.get("data"))
    return 0


@attrs.frozen
class PriceTable:
    """A mapping of report type to :class:`Price`, with cost functions."""

    prices: Mapping[str, Price] = attrs.field(factory=lambda: dict(DEFAULT_PRICES))

    def __getitem__(self, report_type: str) -> Price:
        try:
            return self.prices[report_type]
        except (KeyError, TypeError):  # TypeError: an unhashable "type"
            raise InvalidParameterError(
                "report_type", report_type, f"one of {', '.join(sorted(self.prices))}"
            ) from None

    def __contains__(self, report_type: object) -> bool:
        return report_type in self.prices

    def __iter__(self) -> Iterator[str]:
        return iter(self.prices)

    def __len__(self) -> int:
        return len(self.prices)

    def with_prices(self, **changes: Price) -> PriceTable:
        """A copy with some rows replaced or added (the vendor changes prices)."""
        return PriceTable({**self.prices, **changes})

    def estimate(
        self, report_type: str, *, lines: int = 0, keywords: int = 0, snapshots: int = 0
    ) -> int:
        """Worst-case units for one request of ``report_type``.

        ``lines`` is the number of rows asked for (``display_limit``), ``keywords`` the
        keywords added, ``snapshots`` the snapshots asked for.
        """
        for name, value in (("lines", lines), ("keywords", keywords), ("snapshots", snapshots)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidParameterError(name, value, "a whole number >= 0")
        return self[report_type].cost(Usage(lines, keywords, snapshots))

    def cost(self, report_type: str, usage: Usage) -> int:
        """Units charged for one request of ``report_type`` that consumed ``usage``."""
        return self[report_type].cost(usage)

    def actual(
        self, report_type: str, body: Any, *, sent: Usage, keywords: Sequence[str] = ()
    ) -> tuple[int, Usage]:
        """What a successful response cost, and the usage it was charged for.

        Per-line and per-snapshot types are charged for the rows the response carries
        (all of them, even past what was asked: money is never under-counted);
        per-keyword types for the ``keywords`` sent that the answer shows as added
        (:func:`keywords_added`; all sent when it does not tell).
        """
        price = self[report_type]
        usage = sent
        if price.per_keyword and keywords:
            added = keywords_added(body, keywords)
            if added is not None:
                usage = attrs.evolve(usage, keywords=min(added, sent.keywords))
        if price.per_line or price.per_snapshot:
            rows = lines_returned(body)
            usage = Usage(
                lines=rows if price.per_line else sent.lines,
                keywords=sent.keywords,
                snapshots=rows if price.per_snapshot else sent.snapshots,
            )
        return price.cost(usage), usage


_DEFAULT_TABLE = PriceTable()


def estimate(report_type: str, *, lines: int = 0, keywords: int = 0, snapshots: int = 0) -> int:
    """Worst-case units for one request of ``report_type`` at the default prices.

    >>> estimate("tracking_position_organic", lines=1000)
    100000
    """
    return _DEFAULT_TABLE.estimate(report_type, lines=lines, keywords=keywords, snapshots=snapshots)
