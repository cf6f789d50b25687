"""Position Tracking reports."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar, overload

import attrs

from .. import _leaf
from ..errors import InvalidParameterError, ResponseFormatError
from ._extra import extra_field

V = TypeVar("V")

#: Where a positions page keeps its rows; a pulled row's index counts from there.
ROWS_PATH = "$.data"

#: The wire fields of a positions row that :class:`PositionRow` reads.
POSITION_FIELDS = frozenset(
    {
        "Pi", "Ph", "Kb", "Tg", "In", "Cp", "Nq", "Gs", "Dt", "Lt", "Lu", "Be", "Fi",
        "Diff", "Diff1", "Diff7", "Diff30", "Vi", "Sov", "Tr", "Tc", "Sf", "Sfc",
    }
)  # fmt: skip


class _RowMemo:
    """The one slot where a :class:`PositionRow` keeps the maps it converted.

    Not ``functools.cached_property``: on a slotted attrs class that adds a slot per map
    (14 here) and a ``__getattr__`` to fill them, and a class with a ``__getattr__`` is
    one whose attribute reads the interpreter does not specialise. Every read of a row
    paid for it: ``row.keyword`` cost ~1,700 instructions on CPython 3.11, ~1,300
    without the hook (callgrind, `benchmarks/RESULTS.md`, 2026-12-03), and each row
    was 17 slots to allocate, traverse and free instead of 4. The slot is left unset
    until a map is first converted (setting it on every row would cost more than the
    maps it saves)."""

    __slots__ = ("_memo",)
    _memo: dict[str, Any]


_set_memo = _RowMemo.__dict__["_memo"].__set__


class _memoized(Generic[V]):
    """A :class:`PositionRow` property computed once, kept in the row's memo dict."""

    def __init__(self, compute: Callable[[PositionRow], V]) -> None:
        self.compute = compute
        self.name = compute.__name__  # the memo's key (the property's own name)
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, row: None, owner: type | None = None) -> _memoized[V]: ...
    @overload
    def __get__(self, row: PositionRow, owner: type | None = None) -> V: ...
    def __get__(self, row: PositionRow | None, owner: type | None = None) -> V | _memoized[V]:
        if row is None:
            return self
        try:
            memo = row._memo
        except AttributeError:  # the row's first converted map
            memo = {}
            _set_memo(row, memo)
        try:
            return memo[self.name]  # type: ignore[no-any-return]
        except KeyError:
            value = memo[self.name] = self.compute(row)
            return value


@attrs.frozen
class PositionRow(_RowMemo):
    """One keyword of a positions report, with the positions of up to 6 domains.

    The row keeps the wire object and reads each field when first asked for (maps are
    then cached), so a 100,000-row pull stays close to the wire, and one malformed cell
    raises :class:`~asyncsemrush.errors.ResponseFormatError` (naming it) only when that
    cell is read: the rest of the row and of the page stays readable. Domains are the url
    masks the report was asked for (``"*.ebay.com/*"``); a position of ``None`` means
    "not in the top 100" (the wire's ``""``, ``"-"`` or ``null``).
    """

    wire: Mapping[str, Any] = attrs.field(repr=False)
    # where the row is in its answer, for error messages: a path (``"$.data.12"``), or
    # the row's index among the rows at ROWS_PATH, formatted only when an error names it
    _where: str | int = attrs.field(default="$", repr=False, eq=False, alias="where")

    @property
    def where(self) -> str:
        """The row's path in its answer (``"$.data.12"``), as errors name it."""
        where = self._where
        return f"{ROWS_PATH}.{where}" if type(where) is int else str(where)

    # ---------------------------------------------------------------- reading a cell

    def _read(self, name: str, leaf: Callable[[Any], V], default: Any = None) -> V:
        try:
            value = self.wire[name]
        except KeyError:
            if default is _REQUIRED:
                raise ResponseFormatError(
                    f"{self.where}.{name}", "required field missing", model="PositionRow"
                ) from None
            value = default
        return self._leaf(name, leaf, value)

    def _leaf(self, name: str, leaf: Callable[[Any], V], value: Any) -> V:
        """``leaf(value)``, its failure a ResponseFormatError naming the field."""
        try:
            return leaf(value)
        except (TypeError, ValueError) as exc:
            raise ResponseFormatError(
                f"{self.where}.{name}", str(exc), model="PositionRow"
            ) from None

    def _per_date(self, name: str, leaf: Callable[[Any], V]) -> Mapping[dt.date, Mapping[str, V]]:
        return self._read(name, lambda raw: _per_date(raw, leaf)[0], {})

    def _change(self, name: str, leaf: Callable[[Any], V]) -> Mapping[str, V]:
        return self._read(name, lambda raw: _per_date(raw, leaf)[1], {})

    def _per_domain(self, name: str, leaf: Callable[[Any], V]) -> Mapping[str, V]:
        return self._read(name, lambda raw: _per_domain(raw, leaf), {})

    # ---------------------------------------------------------------- scalars

    @property
    def keyword_id(self) -> str:
        """The keyword's ID (``Pi``): a digit string that can exceed 2**53."""
        return self._read("Pi", _leaf.to_str, _REQUIRED)

    @property
    def keyword(self) -> str:
        """The keyword (``Ph``)."""
        value = self.wire.get("Ph")
        if type(value) is str:  # the hot path: one dict lookup
            return value
        return self._read("Ph", _leaf.to_str, _REQUIRED)

    @property
    def tags(self) -> tuple[str, ...]:
        """The keyword's tags (``Tg``)."""
        return self._read("Tg", _leaf.codes)

    @property
    def cpc(self) -> float | None:
        """Average cost per click in USD (``Cp``)."""
        value = self.wire.get("Cp")
        if type(value) is float and value - value == 0.0:  # finite: today's wire
            return value
        if type(value) is str and 0 < len(value) < 24 and value[0] in _DIGITS:
            try:  # the 2015 wire's "0.25" (what _leaf.plain_float reads, inlined: hot)
                number = float(value)
            except ValueError:
                pass
            else:
                if number - number == 0.0:
                    return number
        return self._read("Cp", _leaf.to_opt_float)

    @property
    def volume(self) -> int | None:
        """Average monthly searches (``Nq``)."""
        value = self.wire.get("Nq")
        if type(value) is int:
            return value
        if type(value) is str and value.isdigit() and value.isascii() and len(value) < 19:
            return int(value)  # the 2015 wire's "1300"
        return self._read("Nq", _leaf.to_opt_int)

    @property
    def added(self) -> dt.date | None:
        """When the keyword was added to the campaign (``Kb``; today's answers)."""
        return self._read("Kb", _leaf.to_opt_date)

    @property
    def intents(self) -> tuple[str, ...]:
        """Search intents (``In``): ``i`` informational, ``n`` navigational,
        ``t`` transactional, ``c`` commercial."""
        return self._read("In", _leaf.codes)

    @property
    def volume_status(self) -> str | None:
        """Volume crawling status (``Gs``): ``"0"`` crawled, ``"1"`` not crawled."""
        return self._read("Gs", _leaf.to_opt_str)

    @property
    def extra(self) -> Mapping[str, Any]:
        """Wire fields this version does not know, as sent."""
        return MappingProxyType({k: v for k, v in self.wire.items() if k not in POSITION_FIELDS})

    # ---------------------------------------------------------------- per date

    @_memoized
    def positions(self) -> Mapping[dt.date, Mapping[str, int | None]]:
        """Date → domain → position (``Dt``)."""
        return self._per_date("Dt", _leaf.to_opt_int)

    @_memoized
    def ranking_types(self) -> Mapping[dt.date, Mapping[str, tuple[str, ...]]]:
        """Date → domain → the SERP features the domain ranks in (``Lt``): Semrush codes
        such as ``("org",)``, ``("rev",)``, ``("geo",)`` local pack, ``("adt",)`` AdWords
        top. Older answers sent one string, read as a one-code tuple."""
        return self._per_date("Lt", _leaf.codes)

    @_memoized
    def landing_urls(self) -> Mapping[dt.date, Mapping[str, str | None]]:
        """Date → domain → landing URL (``Lu``)."""
        return self._per_date("Lu", _leaf.to_opt_str)

    @_memoized
    def visibility(self) -> Mapping[dt.date, Mapping[str, float | None]]:
        """Date → domain → visibility (``Vi``; today's answers)."""
        return self._per_date("Vi", _leaf.to_opt_float)

    @_memoized
    def share_of_voice(self) -> Mapping[dt.date, Mapping[str, float | None]]:
        """Date → domain → share of voice (``Sov``)."""
        return self._per_date("Sov", _leaf.to_opt_float)

    @_memoized
    def traffic(self) -> Mapping[dt.date, Mapping[str, float | None]]:
        """Date → domain → estimated traffic (``Tr``)."""
        return self._per_date("Tr", _leaf.to_opt_float)

    @_memoized
    def traffic_cost(self) -> Mapping[dt.date, Mapping[str, float | None]]:
        """Date → domain → estimated traffic cost (``Tc``)."""
        return self._per_date("Tc", _leaf.to_opt_float)

    @property
    def visibility_change(self) -> Mapping[str, float | None]:
        """Domain → visibility change over the period (the ``Diff`` entry of ``Vi``)."""
        return self._change("Vi", _leaf.to_opt_float)

    @property
    def share_of_voice_change(self) -> Mapping[str, float | None]:
        """Domain → share-of-voice change over the period (``Sov``'s ``Diff``)."""
        return self._change("Sov", _leaf.to_opt_float)

    @property
    def traffic_change(self) -> Mapping[str, float | None]:
        """Domain → traffic change over the period (``Tr``'s ``Diff``)."""
        return self._change("Tr", _leaf.to_opt_float)

    @property
    def traffic_cost_change(self) -> Mapping[str, float | None]:
        """Domain → traffic-cost change over the period (``Tc``'s ``Diff``)."""
        return self._change("Tc", _leaf.to_opt_float)

    @_memoized
    def serp_features(self) -> Mapping[dt.date, tuple[str, ...]]:
        """Date → the SERP features present on the results page (``Sf``)."""

        def read(raw: Any) -> Mapping[dt.date, tuple[str, ...]]:
            dates, _ = _leaf.split_dates(raw)
            return {_leaf.to_date(day): _leaf.codes(v) for day, v in dates.items()}

        return self._read("Sf", read, {})

    @property
    def serp_feature_counts(self) -> Mapping[str, Any]:
        """SERP-feature counts (``Sfc``: ``Ex``, ``Ne``, ``De``, ``Dn``), as sent."""
        return self._read("Sfc", lambda raw: MappingProxyType(dict(_leaf.mapping(raw))), {})

    # ---------------------------------------------------------------- per domain

    @_memoized
    def begin(self) -> Mapping[str, int | None]:
        """Domain → position at the start of the period (``Be``)."""
        return self._per_domain("Be", _leaf.to_opt_int)

    @_memoized
    def end(self) -> Mapping[str, int | None]:
        """Domain → position at the end of the period (``Fi``)."""
        return self._per_domain("Fi", _leaf.to_opt_int)

    @_memoized
    def diff(self) -> Mapping[str, int | None]:
        """Domain → position change over the period (``Diff``)."""
        return self._per_domain("Diff", _leaf.to_opt_int)

    @_memoized
    def diff_1d(self) -> Mapping[str, int | None]:
        """Domain → change over one day (``Diff1``)."""
        return self._per_domain("Diff1", _leaf.to_opt_int)

    @_memoized
    def diff_7d(self) -> Mapping[str, int | None]:
        """Domain → change over one week (``Diff7``)."""
        return self._per_domain("Diff7", _leaf.to_opt_int)

    @_memoized
    def diff_30d(self) -> Mapping[str, int | None]:
        """Domain → change over one month (``Diff30``)."""
        return self._per_domain("Diff30", _leaf.to_opt_int)

    # ---------------------------------------------------------------- lookups

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
        day = _leaf.to_date(_undashed(when)) if isinstance(when, str) else when
        if day not in self.positions:
            span = f"{self.dates[0]}..{self.dates[-1]}" if self.dates else "none"
            raise InvalidParameterError("date", when, f"a date of this report ({span})")
        return day

    def _cell(self, name: str, domain: str, date: dt.date | str, leaf: Callable[[Any], V]) -> Any:
        """One cell of a date → domain map, read from the wire alone (a pull that reads one
        position a row never converts the whole map: 1–2 us instead of 18–116 us), or
        ``_MISSING`` when the wire is not in the usual ``YYYYMMDD`` → mask shape (the
        caller then takes the converted map, which knows every variant)."""
        per_date = self.wire.get(name)
        if not isinstance(per_date, dict):
            return _MISSING
        try:
            day = _WIRE_DAYS.get(date) or _wire_day(date)
        except (TypeError, ValueError):
            return _MISSING  # the converted map's lookup says what is wrong with it
        cells = per_date.get(day)
        if not isinstance(cells, dict):
            return _MISSING
        value = cells.get(domain, _MISSING)
        if value is _MISSING:
            value = cells.get(f"*.{domain}/*", _MISSING)
            if value is _MISSING:
                return _MISSING
        return self._leaf(name, leaf, value)

    def position(self, domain: str, date: dt.date | str) -> int | None:
        """The position of ``domain`` (a url mask, or a bare domain for its rootdomain
        mask) on ``date`` (a ``datetime.date``, ``"2026-01-31"`` or ``"20260131"``);
        ``None`` if not ranking."""
        try:  # the hot path (a pull reads one position a row): the wire's usual shape
            value = self.wire["Dt"][_WIRE_DAYS[date]][domain]
        except (KeyError, TypeError):
            pass  # another shape, a date not yet seen, a bare domain: read below
        else:
            if type(value) is int:  # today's wire
                return value
            if type(value) is str:  # the 2015 wire: "12", or "" for not ranking
                if not value:
                    return None
                if value.isdigit() and value.isascii() and len(value) < 19:
                    return int(value)
            return self._leaf("Dt", _leaf.to_opt_int, value)
        value = self._cell("Dt", domain, date, _leaf.to_opt_int)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        return self.positions[self._date(date)][self._domain(domain)]

    def landing_url(self, domain: str, date: dt.date | str) -> str | None:
        """The landing URL of ``domain`` on ``date``."""
        value = self._cell("Lu", domain, date, _leaf.to_opt_str)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        return self.landing_urls.get(self._date(date), {}).get(self._domain(domain))

    def ranking_type(self, domain: str, date: dt.date | str) -> tuple[str, ...]:
        """The SERP features ``domain`` ranks in on ``date`` (``Lt``), such as
        ``("org",)`` or ``("geo",)``; ``()`` when the answer does not say."""
        value = self._cell("Lt", domain, date, _leaf.codes)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        return self.ranking_types.get(self._date(date), {}).get(self._domain(domain), ())

    def validate(self) -> None:
        """Read every field now (raises ResponseFormatError if one is malformed)."""
        for name in _ALL_READS:
            getattr(self, name)

    def __repr__(self) -> str:
        try:
            text = f"keyword_id={self.keyword_id!r}, keyword={self.keyword!r}"
        except ResponseFormatError:
            text = "malformed"
        return f"PositionRow({text})"


_REQUIRED: Any = object()
_MISSING: Any = object()
_DIGITS = _leaf.DIGITS
_INF = float("inf")


@functools.lru_cache(maxsize=4096)
def _wire_day(date: dt.date | str) -> str:
    """A date as the wire's key (``YYYYMMDD``); text is taken as the caller wrote it
    when it already is that, else read as a date. Remembered (a pull asks for the same
    few dates on every row, and ``strftime`` costs more than the lookup it feeds)."""
    given = date
    if isinstance(date, str):
        date = _undashed(date)
        if not (len(date) == 8 and date.isdigit()):
            date = _leaf.to_date(date).strftime("%Y%m%d")
    else:
        date = date.strftime("%Y%m%d")
    if len(_WIRE_DAYS) >= 1024:
        _WIRE_DAYS.clear()
    _WIRE_DAYS[given] = date
    return date


_WIRE_DAYS: dict[dt.date | str, str] = {}


def _undashed(text: str) -> str:
    """``2026-01-31`` as the wire's ``20260131`` (other text as it is)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text.replace("-", "")
    return text


_ALL_READS = (
    "keyword_id", "keyword", "tags", "cpc", "volume", "added", "intents", "volume_status",
    "positions", "ranking_types", "landing_urls", "visibility", "share_of_voice", "traffic",
    "traffic_cost", "visibility_change", "share_of_voice_change", "traffic_change",
    "traffic_cost_change", "serp_features", "serp_feature_counts", "begin", "end", "diff",
    "diff_1d", "diff_7d", "diff_30d",
)  # fmt: skip


def _per_domain(raw: Any, leaf: Callable[[Any], V]) -> Mapping[str, V]:
    return {str(m): leaf(v) for m, v in _leaf.mapping(raw).items()}


def _per_date(
    raw: Any, leaf: Callable[[Any], V]
) -> tuple[Mapping[dt.date, Mapping[str, V]], Mapping[str, V]]:
    """Date → domain → value, and the ``Diff`` entry (domain → change) apart."""
    dates, change = _leaf.split_dates(raw)
    out = {_leaf.to_date(day): _per_domain(cells, leaf) for day, cells in dates.items()}
    return out, ({} if change is None else _per_domain(change, leaf))


@attrs.frozen
class CompetitorStats:
    """A competitor's figures on one date (or their change: the ``Diff`` entry).

    ``average_position`` is a float today (an int in 2015); ``share_of_voice``,
    ``traffic`` and ``traffic_cost`` are sent today only (``"n/a"`` reads as None)."""

    keywords: int | None
    average_position: float | None
    deviation: float | None
    visibility: float | None
    share_of_voice: float | None = None
    traffic: float | None = None
    traffic_cost: float | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class CompetitorRow:
    """A domain found ranking for the campaign's keywords (competitor discovery).

    ``dates`` holds the dates only; the ``Diff`` entry (last vs first date) is ``change``.
    """

    domain: str
    dates: Mapping[dt.date, CompetitorStats]
    visibility_change: float | None = None
    change: CompetitorStats | None = None
    ps: int | None = None  # position in the competitors list: the main domain's (Md) row
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class VisibilityPoint:
    """Visibility on one date: absolute (``Vi``) and relative (``Vr``, the percentage the
    web app shows: a float), and today's average position, share of voice and traffic."""

    date: dt.date
    visibility: float
    relative_visibility: float | None = None
    average_position: float | None = None
    share_of_voice: float | None = None
    traffic: float | None = None
    traffic_cost: float | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class CampaignDates:
    """The dates a campaign was collected on."""

    dates: tuple[dt.date, ...]
    last_crawl: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class OverviewBucket:
    """Keywords of a domain in one depth of results (top 3/10/20/100) and their moves."""

    count: int
    improved: int | None = None
    declined: int | None = None
    difference: int | None = None
    left: int | None = None
    entered: int | None = None


@attrs.frozen
class TrackingOverview:
    """A domain's rankings overview (``tracking_overview_organic`` / ``_adwords``)."""

    total: int
    visibility: float | None
    visibility_change: float | None
    all: OverviewBucket
    top3: OverviewBucket
    top10: OverviewBucket
    top20: OverviewBucket
    distribution: Mapping[int, int] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class IntentShare:
    """A landing page's keywords of one search intent (``Na``: ``i``, ``n``, ``t``, ``c``)."""

    intent: str
    keywords: int | None = None
    traffic: float | None = None
    percent: float | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class LandingPageStats:
    """A landing page's figures on one date (or their change over the period)."""

    keywords: int | None = None
    average_position: float | None = None
    traffic: float | None = None
    traffic_cost: float | None = None
    volume: int | None = None
    intents: tuple[IntentShare, ...] = ()
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class LandingPageKeyword:
    """A keyword a landing page ranks for, with its positions per date."""

    keyword_id: str
    keyword: str
    status: str | None = None
    volume: int | None = None
    volume_status: str | None = None
    tags: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    positions: Mapping[dt.date, int | None] = attrs.field(factory=dict)
    position_change: int | None = None
    traffic: Mapping[dt.date, float | None] = attrs.field(factory=dict)
    traffic_cost: Mapping[dt.date, float | None] = attrs.field(factory=dict)
    ranking_types: Mapping[dt.date, tuple[str, ...]] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class LandingPageRow:
    """A URL of the domain that ranks for the campaign's keywords (landing pages report,
    ``tracking_landing_pages_organic`` / ``_adwords``). ``status`` is ``"new"``,
    ``"lost"`` or None; ``change`` is the ``Diff`` entry of the dates."""

    url: str
    dates: Mapping[dt.date, LandingPageStats]
    status: str | None = None
    change: LandingPageStats | None = None
    keywords: tuple[LandingPageKeyword, ...] = ()
    amp: int | None = None  # in the documented example (``Amp``), not in its field table
    extra: Mapping[str, Any] = extra_field()
