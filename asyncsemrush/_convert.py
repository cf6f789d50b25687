"""The one place the wire format is parsed: cattrs converters with hooks for its quirks.

Leaf hooks (numeric strings, ``""`` → ``None``, ``YYYYMMDD``, epoch milliseconds,
numbered-key objects → tuples) are registered before class hooks. Two converters are
built at import: a loose one (unknown keys ignored: what runs in production) and a
strict one (unknown keys rejected: what the tests run, so a format change is noticed).
Every failure becomes a :class:`~asyncsemrush.errors.ResponseFormatError` naming the
field.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, override
from cattrs.preconf.orjson import make_converter

from . import _leaf
from .errors import ResponseFormatError
from .models import (
    Campaign,
    CampaignDates,
    CampaignList,
    CompetitorRow,
    CompetitorStats,
    Markups,
    OverviewBucket,
    PageList,
    PositionRow,
    SiteAuditInfo,
    SnapshotInfo,
    TrackedKeyword,
    TrackingOverview,
    VisibilityPoint,
)

T = TypeVar("T")

_strict = False


def set_strict(strict: bool) -> None:
    """Reject unknown keys (tests) or ignore them (production, the default)."""
    global _strict
    _strict = strict


def strict() -> bool:
    """Whether unknown keys are rejected."""
    return _strict


def _leaf_hook(fn: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda value, _type: fn(value)


def _is_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_mapping(t: Any) -> bool:
    return typing.get_origin(t) in (Mapping, dict, typing.Mapping)


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

    def _bool(value: Any, _: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value in (0, 1):
            return bool(value)
        raise TypeError(f"expected true or false, got {value!r}")

    c.register_structure_hook(bool, _bool)

    def tuple_factory(t: Any) -> Callable[[Any, Any], Any]:
        (item_type, _) = typing.get_args(t)
        item = c.get_structure_hook(item_type)
        return lambda value, _t: tuple(item(v, item_type) for v in _leaf.ordered(value))

    def mapping_factory(t: Any) -> Callable[[Any, Any], Any]:
        key_type, value_type = typing.get_args(t)
        key, val = c.get_structure_hook(key_type), c.get_structure_hook(value_type)
        return lambda value, _t: {
            key(k, key_type): val(v, value_type) for k, v in _leaf.mapping(value).items()
        }

    c.register_structure_hook_factory(_is_tuple, tuple_factory)
    c.register_structure_hook_factory(_is_mapping, mapping_factory)

    # --- classes: wire names mapped here, never by naming fields like the wire
    def renamed(cls: type[Any], **renames: str) -> Callable[[Any, Any], Any]:
        overrides: dict[str, Any] = {name: override(rename=wire) for name, wire in renames.items()}
        return make_dict_structure_fn(
            cls, c, _cattrs_forbid_extra_keys=forbid_extra_keys, **overrides
        )

    c.register_structure_hook(Campaign, renamed(Campaign, is_gathering="isGathering"))
    keyword_fn = make_dict_structure_fn(
        TrackedKeyword,
        c,
        _cattrs_forbid_extra_keys=forbid_extra_keys,
        timestamp=override(struct_hook=_leaf_hook(_leaf.epoch_s)),
    )
    c.register_structure_hook(TrackedKeyword, keyword_fn)
    stats_fn = renamed(
        CompetitorStats, keywords="Mc", average_position="Av", deviation="Sq", visibility="Cl"
    )
    c.register_structure_hook(CompetitorStats, stats_fn)
    c.register_structure_hook(
        CompetitorRow,
        renamed(CompetitorRow, domain="Ur", dates="Dt", visibility_change="Cd", ps="Ps"),
    )
    c.register_structure_hook(
        VisibilityPoint,
        renamed(VisibilityPoint, date="Dt", visibility="Vi", relative_visibility="Vr"),
    )
    c.register_structure_hook(
        Markups,
        renamed(
            Markups,
            twitter_card="twitterCard",
            open_graph="openGraph",
            schema_org="schemaOrg",
            microformats="microfomats",  # sic: the wire's spelling
        ),
    )
    c.register_structure_hook(
        SiteAuditInfo,
        renamed(
            SiteAuditInfo,
            have_issues="haveIssues",
            have_issues_delta="haveIssuesDelta",
            crawl_subdomains="crawlSubdomains",
            respect_crawl_delay="respectCrawlDelay",
            removed_parameters="removedParameters",
        ),
    )
    c.register_structure_hook(PageList, renamed(PageList, pages="data"))

    # --- shapes that differ from the model beyond names
    snapshot_fn = renamed(SnapshotInfo)

    def snapshot_info(value: Any, _: Any) -> SnapshotInfo:
        data = dict(_leaf.mapping(value))
        quality = _leaf.mapping(data.pop("quality", None))
        data["quality"] = quality.get("value")
        data["quality_delta"] = quality.get("delta", 0)
        return snapshot_fn(data, SnapshotInfo)  # type: ignore[no-any-return]

    c.register_structure_hook(SnapshotInfo, snapshot_info)

    def campaign_list(value: Any, _: Any) -> CampaignList:
        data = _leaf.mapping(value)
        _only(data, {"project_id", "campaigns", "limits"}, forbid_extra_keys)
        limits = _leaf.mapping(data.get("limits", {}))
        return CampaignList(
            project_id=_leaf.to_int(data["project_id"]),
            campaigns=c.structure(data["campaigns"], tuple[Campaign, ...]),
            targets_limit=_leaf.to_opt_int(limits.get("targets")),
        )

    c.register_structure_hook(CampaignList, campaign_list)

    def campaign_dates(value: Any, _: Any) -> CampaignDates:
        data = _leaf.mapping(value)
        _only(data, {"total", "last_crawl", "data"}, forbid_extra_keys)
        return CampaignDates(
            dates=tuple(_leaf.to_date(_leaf.mapping(d)["Dt"]) for d in _leaf.ordered(data["data"])),
            last_crawl=_leaf.to_opt_int(data.get("last_crawl")),
        )

    c.register_structure_hook(CampaignDates, campaign_dates)

    def overview(value: Any, _: Any) -> TrackingOverview:
        data = _leaf.mapping(value)
        buckets = {}
        known = {"total", "visibility", "differenceVisibility", "data"}
        for name in ("all", "top3", "top10", "top20"):
            keys = {
                "count": name,
                "improved": f"{name}_improved",
                "declined": f"{name}_declined",
                "difference": f"{name}_difference",
                "left": f"{name}_left",
                "entered": f"{name}_entered",
            }
            known.update(keys.values())
            buckets[name] = OverviewBucket(**{k: _leaf.to_int(data[w]) for k, w in keys.items()})
        _only(data, known, forbid_extra_keys)
        return TrackingOverview(
            total=_leaf.to_int(data["total"]),
            visibility=_leaf.to_float(data["visibility"]),
            visibility_change=_leaf.to_float(data["differenceVisibility"]),
            distribution=c.structure(data.get("data", {}), dict[int, int]),
            **buckets,
        )

    c.register_structure_hook(TrackingOverview, overview)
    c.register_structure_hook(PositionRow, lambda value, _: position_row(value))
    return c


def _only(data: Mapping[str, Any], known: set[str], forbid: bool) -> None:
    if forbid:
        extra = set(data) - known
        if extra:
            raise cattrs.ForbiddenExtraKeysError("", dict, extra)


# --------------------------------------------------------------------------- rows

_POSITION_KEYS = frozenset(
    {"Pi", "Ph", "Tg", "Cp", "Nq", "Dt", "Lt", "Lu", "Be", "Fi", "Diff", "Diff1", "Diff7", "Diff30"}
)


def _tags(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(_leaf.to_str(t) for t in _leaf.ordered(value))


def position_row(raw: Any, where: str = "$") -> PositionRow:
    """A :class:`PositionRow` from one wire row: scalars now, maps when first read."""
    if not isinstance(raw, dict):
        raise ResponseFormatError(
            where, f"expected an object, got {type(raw).__name__}", model="PositionRow"
        )
    name = "Pi"
    try:
        keyword_id = _leaf.to_str(raw["Pi"])
        name = "Ph"
        keyword = _leaf.to_str(raw["Ph"])
        name = "Tg"
        tags = _tags(raw.get("Tg"))
        name = "Cp"
        cpc = _leaf.to_opt_float(raw.get("Cp"))
        name = "Nq"
        volume = _leaf.to_opt_int(raw.get("Nq"))
    except KeyError:
        raise ResponseFormatError(
            f"{where}.{name}", "required field missing", model="PositionRow"
        ) from None
    except (TypeError, ValueError) as exc:
        raise ResponseFormatError(f"{where}.{name}", str(exc), model="PositionRow") from None
    row = PositionRow(keyword_id, keyword, tags, cpc, volume, raw)
    if _strict:
        extra = raw.keys() - _POSITION_KEYS
        if extra:
            raise ResponseFormatError(where, f"unknown keys {sorted(extra)}", model="PositionRow")
        try:
            row.validate()
        except ResponseFormatError as exc:
            raise ResponseFormatError(
                f"{where}.{exc.field}", exc.reason, model="PositionRow"
            ) from None
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
        return field or where, reason or first
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return where, f"unknown keys {sorted(exc.extra_fields)}"
    if isinstance(exc, KeyError):
        return f"{where}.{exc.args[0]}", "required field missing"
    return where, f"{type(exc).__name__}: {exc}"


def structure(data: Any, cls: Any, where: str = "$") -> Any:
    """``data`` (decoded JSON) as ``cls``; a ResponseFormatError naming the field if not."""
    converter = _STRICT if _strict else _LOOSE
    try:
        return converter.structure(data, cls)
    except (
        cattrs.BaseValidationError,
        cattrs.ForbiddenExtraKeysError,
        ResponseFormatError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IndexError,
    ) as exc:
        field, reason = _describe(exc, where)
        model = getattr(cls, "__name__", str(cls))
        raise ResponseFormatError(field, reason, model=model) from None


def rows(data: Any, cls: type[T], where: str = "$.data") -> list[T]:
    """The rows of a numbered-key object (or list) as ``cls``, in key order."""
    try:
        items = _leaf.ordered(data)
    except (TypeError, ValueError) as exc:
        raise ResponseFormatError(where, str(exc), model=cls.__name__) from None
    if cls is PositionRow:
        return [position_row(item, f"{where}.{n}") for n, item in enumerate(items)]  # type: ignore[misc]
    return [structure(item, cls, f"{where}.{n}") for n, item in enumerate(items)]
