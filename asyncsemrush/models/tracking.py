"""Position Tracking reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar

import attrs

from .. import _leaf
from ..errors import InvalidParameterError, ResponseFormatError

V = TypeVar("V")


def _per_date(raw: Any, name: str, leaf: Callable[[Any], V]) -> Mapping[dt.date, Mapping[str, V]]:
    out: dict[dt.date, Mapping[str, V]] = {}
    try:
        for day, cells in _leaf.mapping(raw).items():
            out[_leaf.to_date(day)] = {str(m): leaf(v) for m, v in _leaf.mapping(cells).items()}
    except (TypeError, ValueError) as exc:
        raise ResponseFormatError(name, str(exc), model="PositionRow") from None
    return out


def _per_domain(raw: Any, name: str, leaf: Callable[[Any], V]) -> Mapping[str, V]:
    try:
        return {str(m): leaf(v) for m, v in _leaf.mapping(raw).items()}
    except (TypeError, ValueError) as exc:
        raise ResponseFormatError(name, str(exc), model="PositionRow") from None


@attrs.frozen
class PositionRow:
    """One keyword of a positions report, with the positions of up to 6 domains.

    Scalars are converted when the row is built; the per-date and per-domain maps on
    first access (then cached), which keeps a 100,000-row pull close to the wire.
    Domains are the url masks the report was asked for (``"*.ebay.com/*"``); a
    position of ``None`` means "not in the top 100".
    """

    keyword_id: str
    keyword: str
    tags: tuple[str, ...]
    cpc: float | None
    volume: int | None
    wire: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @cached_property
    def positions(self) -> Mapping[dt.date, Mapping[str, int | None]]:
        """Date → domain → position (``Dt``)."""
        return _per_date(self.wire.get("Dt", {}), "Dt", _leaf.to_opt_int)

    @cached_property
    def ranking_types(self) -> Mapping[dt.date, Mapping[str, str | None]]:
        """Date → domain → ``"org"`` (organic) or ``"geo"`` (local pack); organic only (``Lt``)."""
        return _per_date(self.wire.get("Lt", {}), "Lt", _leaf.to_opt_str)

    @cached_property
    def landing_urls(self) -> Mapping[dt.date, Mapping[str, str | None]]:
        """Date → domain → landing URL (``Lu``)."""
        return _per_date(self.wire.get("Lu", {}), "Lu", _leaf.to_opt_str)

    @cached_property
    def begin(self) -> Mapping[str, int | None]:
        """Domain → position at the start of the period (``Be``)."""
        return _per_domain(self.wire.get("Be", {}), "Be", _leaf.to_opt_int)

    @cached_property
    def end(self) -> Mapping[str, int | None]:
        """Domain → position at the end of the period (``Fi``)."""
        return _per_domain(self.wire.get("Fi", {}), "Fi", _leaf.to_opt_int)

    @cached_property
    def diff(self) -> Mapping[str, int | None]:
        """Domain → position change over the period (``Diff``)."""
        return _per_domain(self.wire.get("Diff", {}), "Diff", _leaf.to_opt_int)

    @cached_property
    def diff_1d(self) -> Mapping[str, int | None]:
        """Domain → change over one day (``Diff1``)."""
        return _per_domain(self.wire.get("Diff1", {}), "Diff1", _leaf.to_opt_int)

    @cached_property
    def diff_7d(self) -> Mapping[str, int | None]:
        """Domain → change over one week (``Diff7``)."""
        return _per_domain(self.wire.get("Diff7", {}), "Diff7", _leaf.to_opt_int)

    @cached_property
    def diff_30d(self) -> Mapping[str, int | None]:
        """Domain → change over one month (``Diff30``)."""
        return _per_domain(self.wire.get("Diff30", {}), "Diff30", _leaf.to_opt_int)

    @property
    def domains(self) -> tuple[str, ...]:
        """The url masks this row has positions for."""
        first = next(iter(self.positions.values()), None)
        return tuple(first) if first is not None else tuple(self.end)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The dates of the period, in order."""
        return tuple(sorted(self.positions))

    def _domain(self, domain: str) -> str:
        known = self.domains
        if domain in known:
            return domain
        as_mask = f"*.{domain}/*"
        if as_mask in known:
            return as_mask
        raise InvalidParameterError("domain", domain, f"one of {', '.join(known)}")

    def _date(self, when: dt.date | str) -> dt.date:
        day = _leaf.to_date(when) if isinstance(when, str) else when
        if day not in self.positions:
            span = f"{self.dates[0]}..{self.dates[-1]}" if self.dates else "none"
            raise InvalidParameterError("date", when, f"a date of this report ({span})")
        return day

    def position(self, domain: str, date: dt.date | str) -> int | None:
        """The position of ``domain`` (a url mask, or a bare domain for its rootdomain
        mask) on ``date``; ``None`` if not ranking."""
        return self.positions[self._date(date)][self._domain(domain)]

    def landing_url(self, domain: str, date: dt.date | str) -> str | None:
        """The landing URL of ``domain`` on ``date``."""
        return self.landing_urls.get(self._date(date), {}).get(self._domain(domain))

    def ranking_type(self, domain: str, date: dt.date | str) -> str | None:
        """``"org"`` or ``"geo"`` (local pack) for ``domain`` on ``date`` (organic reports)."""
        return self.ranking_types.get(self._date(date), {}).get(self._domain(domain))

    def validate(self) -> None:
        """Convert every lazy map now (raises ResponseFormatError if one is malformed)."""
        for name in (
            "positions",
            "ranking_types",
            "landing_urls",
            "begin",
            "end",
            "diff",
            "diff_1d",
            "diff_7d",
            "diff_30d",
        ):
            getattr(self, name)


@attrs.frozen
class CompetitorStats:
    """A competitor's figures on one date."""

    keywords: int
    average_position: int
    deviation: int
    visibility: float


@attrs.frozen
class CompetitorRow:
    """A domain found ranking for the campaign's keywords (competitor discovery)."""

    domain: str
    dates: Mapping[dt.date, CompetitorStats]
    visibility_change: float
    ps: int | None = None  # sent, undocumented, for your own domain in AdWords reports


@attrs.frozen
class VisibilityPoint:
    """Visibility on one date: absolute (``Vi``) and relative (``Vr``)."""

    date: dt.date
    visibility: int
    relative_visibility: int


@attrs.frozen
class CampaignDates:
    """The dates a campaign was collected on."""

    dates: tuple[dt.date, ...]
    last_crawl: int | None = None


@attrs.frozen
class OverviewBucket:
    """Keywords of a domain in one depth of results (top 3/10/20/100) and their moves."""

    count: int
    improved: int
    declined: int
    difference: int
    left: int
    entered: int


@attrs.frozen
class TrackingOverview:
    """A domain's rankings overview (``tracking_overview_organic``)."""

    total: int
    visibility: float
    visibility_change: float
    all: OverviewBucket
    top3: OverviewBucket
    top10: OverviewBucket
    top20: OverviewBucket
    distribution: Mapping[int, int] = attrs.field(factory=dict)
