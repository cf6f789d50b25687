"""The one place the wire format is parsed: cattrs converters with hooks for its quirks.

The rule, for every model (``CURRENT_V3.md`` §1): read liberally, never lose a paid answer.

- Leaves accept every documented variant: numbers as numbers or numeric strings, ints
  or floats; ``""``, ``"-"``, ``"n/a"``, ``null`` and a missing key as "none"
  (:mod:`._leaf`). An optional field that comes as "none" takes its default.
- Objects keyed by date drop their ``"Diff"`` entry into a field of its own.
- Fields a model does not know are kept, read-only, in its ``extra``; a strict
  converter (what the tests run) rejects them instead, so a format change is noticed.
- A value that fits no documented variant raises
  :class:`~asyncsemrush.errors.ResponseFormatError` naming the field path; the caller
  attaches the decoded answer so that what was paid for stays reachable.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections import deque
from collections.abc import Callable, Mapping
from itertools import repeat
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override
from cattrs.preconf.orjson import make_converter

from . import _leaf
from .errors import ResponseFormatError
from .models import (
    Campaign,
    CampaignDates,
    CampaignList,
    City,
    CompetitorRow,
    CompetitorStats,
    Country,
    EnabledTracking,
    IntentShare,
    IssueCount,
    IssueMeta,
    IssueRow,
    LandingPageKeyword,
    LandingPageRow,
    LandingPageStats,
    Location,
    LocationInfo,
    LocationLanguage,
    LocationMatch,
    Markups,
    OverviewBucket,
    PageInfo,
    PageIssue,
    PageIssueDetail,
    PageList,
    PageSummary,
    PositionRow,
    Project,
    Region,
    SiteAuditInfo,
    Snapshot,
    SnapshotInfo,
    TrackedCampaign,
    TrackedKeyword,
    TrackingOverview,
    VisibilityPoint,
)
from .models.tracking import POSITION_FIELDS, ROWS_PATH

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]

_strict = False
_EXTRA = "\x00extra"  # where a model's unknown fields travel into its constructor


def set_strict(strict: bool) -> None:
    """Reject unknown keys (tests) or keep them in ``extra`` (production, the default)."""
    global _strict
    _strict = strict


def strict() -> bool:
    """Whether unknown keys are rejected."""
    return _strict


def _leaf_hook(fn: Callable[[Any], Any]) -> Hook:
    return lambda value, _type: fn(value)


def _is_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_mapping(t: Any) -> bool:
    return typing.get_origin(t) in (Mapping, dict, typing.Mapping)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TypeError(f"expected true or false, got {value!r}")


def _masks(value: Any) -> tuple[str, ...]:
    """Allow/disallow masks: a list, or one string of lines (some of today's answers)."""
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    return tuple(_leaf.to_str(v) for v in _leaf.ordered(value))


def _read_only(value: Any) -> Mapping[str, Any]:
    return MappingProxyType(dict(_leaf.mapping(value)))


def _split_diff(wire: str, into: str) -> Callable[[dict[str, Any]], None]:
    """A ``prepare`` step: move the ``Diff`` entry of the date object ``wire`` to ``into``."""

    def prepare(data: dict[str, Any]) -> None:
        if wire in data:
            dates, change = _leaf.split_dates(data[wire])
            data[wire] = dates
            if change is not None:
                data[into] = change

    return prepare


class _Builder:
    """Registers the class hooks of one converter (strict or loose)."""

    def __init__(self, c: cattrs.Converter, forbid: bool) -> None:
        self.c = c
        self.forbid = forbid

    def model(
        self,
        cls: type[Any],
        renames: Mapping[str, str] | None = None,
        hooks: Mapping[str, Hook] | None = None,
        prepare: Callable[[dict[str, Any]], None] | None = None,
        also_known: frozenset[str] = frozenset(),
    ) -> None:
        """The hook of one attrs model: wire names from ``renames`` (field → wire key),
        per-field ``hooks``, an optional ``prepare`` step on a copy of the object, and
        unknown keys into ``extra`` (or rejected when strict)."""
        renames = dict(renames or {})
        hooks = dict(hooks or {})
        attrs.resolve_types(cls)
        fields = {f.name: f for f in attrs.fields(cls)}
        overrides: dict[str, Any] = {}
        known = set(also_known)
        for name, f in fields.items():
            if name in ("extra", "problems"):
                continue
            wire = renames.get(name, name)
            known.add(wire)
            hook = hooks.get(name) or self.c.get_structure_hook(f.type)
            if f.default is not attrs.NOTHING:
                hook = _none_is_default(hook, f)
            overrides[name] = override(rename=wire, struct_hook=hook)
        if "extra" in fields:
            overrides["extra"] = override(rename=_EXTRA, struct_hook=lambda v, _: v)
        if "problems" in fields:
            overrides["problems"] = override(omit=True)
        fn = make_dict_structure_fn(cls, self.c, _cattrs_forbid_extra_keys=False, **overrides)
        frozen_known = frozenset(known)
        forbid = self.forbid

        def structure(value: Any, _: Any) -> Any:
            data = _leaf.mapping(value)
            unknown = [k for k in data if k not in frozen_known]
            if prepare is None and not unknown:
                return fn(data, cls)
            copy = dict(data)
            if prepare is not None:
                prepare(copy)
            if unknown:
                if forbid:
                    raise cattrs.ForbiddenExtraKeysError("", cls, set(unknown))
                if "extra" in fields:
                    copy[_EXTRA] = MappingProxyType({k: data[k] for k in unknown})
            return fn(copy, cls)

        self.c.register_structure_hook(cls, structure)


def _none_is_default(hook: Hook, f: attrs.Attribute[Any]) -> Hook:
    """An optional field that comes as "none" (``""``, ``"-"``, ``null``) takes its default."""
    default = f.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        make = default.factory  # type: ignore[union-attr]

        def with_factory(value: Any, t: Any) -> Any:
            return make() if _leaf.is_none(value) else hook(value, t)

        return with_factory
    return lambda value, t: default if _leaf.is_none(value) else hook(value, t)


def _build(forbid_extra_keys: bool) -> cattrs.Converter:
    c = make_converter(forbid_extra_keys=forbid_extra_keys)
    # --- leaves first
    c.register_structure_hook(int, _leaf_hook(_leaf.to_int))
    c.register_structure_hook(float, _leaf_hook(_leaf.to_float))
    c.register_structure_hook(str, _leaf_hook(_leaf.to_str))
    c.register_structure_hook(int | None, _leaf_hook(_leaf.to_opt_int))
    c.register_structure_hook(float | None, _leaf_hook(_leaf.to_opt_float))
    c.register_structure_hook(str | None, _leaf_hook(_leaf.to_opt_str))
    c.register_structure_hook(dt.date, _leaf_hook(_leaf.to_date))
    c.register_structure_hook(dt.datetime | None, _leaf_hook(_leaf.epoch_ms))
    c.register_structure_hook(bool, _leaf_hook(_bool))
    c.register_structure_hook(bool | None, _leaf_hook(lambda v: None if v is None else _bool(v)))
    # (a predicate: Python 3.10's singledispatch refuses typing.Any as a class)
    c.register_structure_hook_func(lambda t: t is typing.Any, lambda value, _: value)

    def tuple_factory(t: Any) -> Hook:
        (item_type, _) = typing.get_args(t)
        item = c.get_structure_hook(item_type)
        return lambda value, _t: tuple(item(v, item_type) for v in _leaf.ordered(value))

    def mapping_factory(t: Any) -> Hook:
        key_type, value_type = typing.get_args(t)
        key, val = c.get_structure_hook(key_type), c.get_structure_hook(value_type)
        return lambda value, _t: {
            key(k, key_type): val(v, value_type) for k, v in _leaf.mapping(value).items()
        }

    c.register_structure_hook_factory(_is_tuple, tuple_factory)
    c.register_structure_hook_factory(_is_mapping, mapping_factory)

    # --- classes: wire names mapped here, never by naming fields like the wire
    b = _Builder(c, forbid_extra_keys)
    tools = _leaf_hook(_leaf.tool_names)
    codes = _leaf_hook(_leaf.codes)
    b.model(Project, hooks={"tools": tools, "permission": codes})
    b.model(TrackedKeyword, hooks={"tags": codes, "timestamp": _leaf_hook(_leaf.epoch_s)})
    b.model(TrackedCampaign, hooks={"tools": tools})
    b.model(Campaign, {"is_gathering": "isGathering"})
    stats = {"keywords": "Mc", "average_position": "Av", "deviation": "Sq", "visibility": "Cl"}
    b.model(
        CompetitorStats, {**stats, "share_of_voice": "Sov", "traffic": "Tr", "traffic_cost": "Tc"}
    )
    b.model(
        CompetitorRow,
        {"domain": "Ur", "dates": "Dt", "visibility_change": "Cd", "ps": "Ps"}
        | {"change": "\x00diff"},
        prepare=_split_diff("Dt", "\x00diff"),
    )
    b.model(
        VisibilityPoint,
        {
            "date": "Dt", "visibility": "Vi", "relative_visibility": "Vr",
            "average_position": "Av", "share_of_voice": "Sov", "traffic": "Tr",
            "traffic_cost": "Tc",
        },
    )  # fmt: skip
    landing = {"average_position": "Av", "traffic": "Tr", "traffic_cost": "Tc"}
    b.model(IntentShare, {"intent": "Na", "keywords": "Kc", "traffic": "Tr", "percent": "Kp"})
    b.model(LandingPageStats, {**landing, "keywords": "Mc", "volume": "Rq", "intents": "In"})

    def keyword_prepare(data: dict[str, Any]) -> None:
        _split_diff("Dt", "\x00diff")(data)
        for name in ("Tr", "Tc", "Lt"):
            if name in data:
                data[name] = _leaf.split_dates(data[name])[0]

    b.model(
        LandingPageKeyword,
        {
            "keyword_id": "Pi", "keyword": "Ph", "status": "Tp", "volume": "Rq",
            "volume_status": "Gs", "tags": "Tg", "intents": "In", "positions": "Dt",
            "position_change": "\x00diff", "traffic": "Tr", "traffic_cost": "Tc",
            "ranking_types": "Lt",
        },
        hooks={
            "tags": codes,
            "intents": codes,
            "ranking_types": _leaf_hook(
                lambda v: {_leaf.to_date(k): _leaf.codes(x) for k, x in _leaf.mapping(v).items()}
            ),
        },
        prepare=keyword_prepare,
    )  # fmt: skip
    b.model(
        LandingPageRow,
        {
            "url": "Ur",
            "status": "Tp",
            "dates": "Dt",
            "change": "\x00diff",
            "keywords": "Kw",
            "amp": "Amp",
        },
        prepare=_split_diff("Dt", "\x00diff"),
    )
    b.model(
        Markups,
        {
            "twitter_card": "twitterCard",
            "open_graph": "openGraph",
            "schema_org": "schemaOrg",
            "microformats": "microfomats",  # sic: the wire's spelling
        },
    )
    masks = _leaf_hook(_masks)
    b.model(
        SiteAuditInfo,
        {
            "have_issues": "haveIssues",
            "have_issues_delta": "haveIssuesDelta",
            "crawl_subdomains": "crawlSubdomains",
            "respect_crawl_delay": "respectCrawlDelay",
            "removed_parameters": "removedParameters",
            "js_rendering": "jsRendering",
            "schedule_day": "scheduleDay",
            "crawl_source_type": "crawlSourceType",
        },
        hooks={
            "mask_allow": masks,
            "mask_disallow": masks,
            "removed_parameters": masks,
            "current_snapshot": _leaf_hook(_read_only),
        },
    )
    b.model(IssueRow, hooks={"info": _leaf_hook(_leaf.to_opt_text)})
    text_or_empty = _leaf_hook(lambda v: _leaf.to_opt_text(v) or "")
    b.model(
        IssueMeta,
        hooks={
            name: text_or_empty
            for name in (
                "desc", "title_page", "title_detailed", "url_column", "info_column",
                "count_description", "other_problem_link", "desc_with_link",
            )
        },
    )  # fmt: skip
    b.model(PageList, {"pages": "data"})
    for plain in (
        Location, Country, Region, City, LocationLanguage, LocationInfo, LocationMatch,
        Snapshot, IssueCount, PageSummary, PageInfo, PageIssue,
    ):  # fmt: skip
        b.model(plain)
    b.model(PageIssueDetail, hooks={"info": _leaf_hook(_leaf.to_opt_text)})

    # --- shapes that differ from the model beyond names
    def snapshot_prepare(data: dict[str, Any]) -> None:
        quality = data.pop("quality", None)
        if isinstance(quality, Mapping):
            data["quality"] = quality.get("value")
            data["quality_delta"] = quality.get("delta", 0)
        else:
            data["quality"] = quality

    b.model(SnapshotInfo, prepare=snapshot_prepare, also_known=frozenset({"quality"}))

    limits_hook = _leaf_hook(lambda v: _leaf.to_opt_int(_leaf.mapping(v).get("targets")))
    b.model(CampaignList, {"targets_limit": "limits"}, hooks={"targets_limit": limits_hook})

    def dates_hook(value: Any) -> tuple[dt.date, ...]:
        return tuple(_leaf.to_date(_leaf.mapping(d)["Dt"]) for d in _leaf.ordered(value))

    b.model(
        CampaignDates,
        {"dates": "data"},
        hooks={"dates": _leaf_hook(dates_hook)},
        also_known=frozenset({"total"}),
    )

    def enabled(value: Any, _: Any) -> EnabledTracking:
        data = dict(_leaf.mapping(value))
        if "status" not in data and "result" not in data:  # 2015: the campaign's state
            campaign = c.structure(data, TrackedCampaign)
            return EnabledTracking(campaign.campaign_id, campaign=campaign)
        data, rest = _unwrap_enabled(data)
        enabled_tracking = enabled_fn(data, EnabledTracking)
        if rest:  # what else the result carried stays reachable, as `extra["result"]`
            if forbid_extra_keys:
                raise cattrs.ForbiddenExtraKeysError("", EnabledTracking, {"result"})
            more = {**enabled_tracking.extra, "result": rest}
            enabled_tracking = attrs.evolve(enabled_tracking, extra=MappingProxyType(more))
        return enabled_tracking  # type: ignore[no-any-return]

    b.model(
        EnabledTracking,
        hooks={"campaign_id": _leaf_hook(_leaf.to_opt_str)},
        also_known=frozenset({"result"}),
    )
    enabled_fn = c.get_structure_hook(EnabledTracking)
    c.register_structure_hook(EnabledTracking, enabled)

    buckets = ("all", "top3", "top10", "top20")
    moves = ("improved", "declined", "difference", "left", "entered")

    def overview_prepare(data: dict[str, Any]) -> None:
        for name in buckets:
            data[f"\x00{name}"] = {"count": data.get(name)} | {
                m: data.get(f"{name}_{m}") for m in moves
            }

    b.model(OverviewBucket)
    b.model(
        TrackingOverview,
        {
            "visibility_change": "differenceVisibility",
            "distribution": "data",
            **{name: f"\x00{name}" for name in buckets},
        },
        prepare=overview_prepare,
        also_known=frozenset(buckets) | {f"{n}_{m}" for n in buckets for m in moves},
    )
    c.register_structure_hook(PositionRow, lambda value, _: position_row(value))
    return c


# --------------------------------------------------------------------------- rows


def position_row(raw: Any, where: str = "$") -> PositionRow:
    """A :class:`PositionRow` from one wire row; its cells are read when first asked for
    (all of them at once when strict, which the tests run)."""
    if not isinstance(raw, dict):
        raise ResponseFormatError(
            where, f"expected an object, got {type(raw).__name__}", model="PositionRow"
        )
    row = PositionRow(raw, where)
    if _strict:
        extra = raw.keys() - POSITION_FIELDS
        if extra:
            raise ResponseFormatError(where, f"unknown keys {sorted(extra)}", model="PositionRow")
        row.validate()
    return row


_LOOSE = _build(forbid_extra_keys=False)
_STRICT = _build(forbid_extra_keys=True)


def _describe(exc: BaseException, where: str) -> tuple[str, str]:
    if isinstance(exc, ResponseFormatError):
        return exc.field, exc.reason
    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, path=where)
        first = messages[0] if messages else str(exc)
        reason, _, field = first.rpartition(" @ ")
        return (field or where).replace("\x00diff", "Diff"), reason or first
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return where, f"unknown keys {sorted(exc.extra_fields)}"
    if isinstance(exc, KeyError):
        return f"{where}.{exc.args[0]}", "required field missing"
    return where, f"{type(exc).__name__}: {exc}"


_FAILURES = (
    cattrs.BaseValidationError,
    cattrs.ForbiddenExtraKeysError,
    ResponseFormatError,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
)


def structure(data: Any, cls: Any, where: str = "$") -> Any:
    """``data`` (decoded JSON) as ``cls``; a ResponseFormatError naming the field if not
    (carrying ``data`` as its ``answer``)."""
    converter = _STRICT if _strict else _LOOSE
    try:
        return converter.structure(data, cls)
    except _FAILURES as exc:  # the answer's own text may echo a key: keep no chain
        field, reason = _describe(exc, where)
        model = getattr(cls, "__name__", str(cls))
        failure = ResponseFormatError(field, reason, model=model, answer=data)
    raise failure  # outside the handler: no __context__ holding the answer twice


def _unwrap_enabled(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Today's enable answer nests the campaign ID in ``result``: the flat fields, and
    what else ``result`` carried (kept as ``extra["result"]``)."""
    flat = dict(data)
    result = flat.pop("result", None)
    if isinstance(result, Mapping):
        flat["campaign_id"] = result.get("campaign_id")
        return flat, {k: v for k, v in result.items() if k != "campaign_id"}
    return flat, ({} if result in (None, [], {}) else {"": result})


#: Models whose wire object nests fields: how to flatten it (the class hook and
#: ``salvage`` read the same shape).
_FLATTEN: dict[type, Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]]] = {
    EnabledTracking: _unwrap_enabled,
}


def salvage(data: Any, cls: type[Any]) -> Any:
    """What can be typed of a write call's answer that does not fit ``cls``: each field
    read on its own, a field that fails holds None (listed in ``problems``), unknown
    fields in ``extra``. Never raises: the write succeeded and was paid for."""
    source: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    nested: dict[str, Any] = {}
    if cls in _FLATTEN:
        source, nested = _FLATTEN[cls](source)
    attrs.resolve_types(cls)
    values: dict[str, Any] = {}
    problems: list[str] = [] if isinstance(data, Mapping) else [f"$: not an object: {data!r}"[:200]]
    known = set()
    for f in attrs.fields(cls):
        if f.name in ("extra", "problems"):
            continue
        known.add(f.name)
        if f.name not in source:
            if f.default is attrs.NOTHING:
                values[f.name] = None
                problems.append(f"$.{f.name}: required field missing")
            continue
        try:
            values[f.name] = _LOOSE.structure(source[f.name], f.type)
        except _FAILURES as exc:
            values[f.name] = None
            problems.append(f"$.{f.name}: {_describe(exc, '$')[1]}")
    unknown = {k: v for k, v in source.items() if k not in known}
    if nested:
        unknown["result"] = nested
    fields = attrs.fields_dict(cls)
    if "extra" in fields:
        values["extra"] = MappingProxyType(unknown)
    if "problems" in fields:
        values["problems"] = tuple(problems)
    return cls(**values)


_new_row = object.__new__
_set_wire = PositionRow.__dict__["wire"].__set__
_set_where = PositionRow.__dict__["_where"].__set__


def _position_rows(items: list[dict[str, Any]], where: str) -> list[PositionRow]:
    """A page of wire objects as :class:`PositionRow` views: what attrs' ``__init__``
    does, without its per-field frozen-setattr lookup, and in C-level loops (``map``)
    rather than a Python one (~1,800 instructions a row less than that loop: toy class,
    CPython 3.11, callgrind). A row's place is its index when the rows are at
    ``$.data`` (the row formats its path only for an error message), else the path."""
    count = len(items)
    made = list(map(_new_row, repeat(PositionRow, count)))
    deque(map(_set_wire, made, items), maxlen=0)
    places: Any = range(count) if where == ROWS_PATH else [f"{where}.{n}" for n in range(count)]
    deque(map(_set_where, made, places), maxlen=0)
    return made


def rows(data: Any, cls: type[T], where: str = "$.data") -> list[T]:
    """The rows of a numbered-key object (or list) as ``cls``, in key order."""
    good, error = rows_until_error(data, cls, where)
    if error is not None:
        raise error
    return good


def rows_until_error(
    data: Any, cls: type[T], where: str = "$.data"
) -> tuple[list[T], ResponseFormatError | None]:
    """The rows that parse, in order, up to the first that does not, and its error."""
    try:
        items = _leaf.ordered(data)
    except (TypeError, ValueError) as exc:
        return [], ResponseFormatError(where, str(exc), model=cls.__name__, answer=data)
    if cls is PositionRow and not _strict and set(map(type, items)) == {dict}:
        return _position_rows(items, where), None  # type: ignore[return-value]  # (hot)
    out: list[T] = []
    try:
        if cls is PositionRow:  # strict, or a page with a row that is no object
            for n, item in enumerate(items):
                out.append(position_row(item, f"{where}.{n}"))  # type: ignore[arg-type]
        else:
            for n, item in enumerate(items):
                out.append(structure(item, cls, f"{where}.{n}"))
    except ResponseFormatError as exc:
        exc.answer = data
        return out, exc
    return out, None
