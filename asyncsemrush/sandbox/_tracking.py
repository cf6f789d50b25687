"""Position Tracking reports: filtering, sorting, paging and rendering rows.

Rows are rendered on demand; the ordered list of row indices for a query is cached,
so paging through a 200,000-row report sorts once.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import attrs

from . import _gen as gen
from ._state import Campaign, SandboxError, bad

TOP_FILTERS = {
    f"top_{name}{suffix}": limit
    for name, limit in (("3", 3), ("1page", 10), ("2page", 20), ("100", 100))
    for suffix in ("", "_income", "_leave", "_down", "_up")
}
Pos = int | None


def parse_date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise bad(f"Parameter {name} is invalid.") from None


def int_param(query: Mapping[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad(f"Parameter {name} is invalid.") from None
    if number < 0:
        raise bad(f"Parameter {name} is invalid.")
    return number


@attrs.frozen
class Period:
    dates: tuple[dt.date, ...]
    keys: tuple[str, ...] = attrs.field(init=False, eq=False)
    ordinals: tuple[int, ...] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(gen.ymd(d) for d in self.dates))
        object.__setattr__(self, "ordinals", tuple(d.toordinal() for d in self.dates))

    @classmethod
    def of(cls, campaign: Campaign, query: Mapping[str, str]) -> Period:
        end = parse_date(query.get("date_end"), "date_end") or campaign.dates[-1]
        begin = parse_date(query.get("date_begin"), "date_begin") or end - dt.timedelta(days=6)
        if begin > end:
            raise bad("Parameter date_begin is invalid.")
        chosen = tuple(d for d in campaign.dates if begin <= d <= end)
        return cls(chosen or (campaign.dates[-1],))


def masks_of(query: Mapping[str, str]) -> list[str]:
    url = query.get("url", "")
    if not url:
        raise SandboxError(519, "Missing mandatory URL parameter")
    masks = [m for m in url.split(":") if m]
    # "http://x/" contains a colon: re-join a scheme with what follows it.
    joined: list[str] = []
    for m in masks:
        if joined and joined[-1] in ("http", "https"):
            joined[-1] += ":" + m
        else:
            joined.append(m)
    if not 1 <= len(joined) <= 6:
        raise bad("Parameter url is invalid.")
    return joined


def _filter_fn(campaign: Campaign, spec: str) -> Callable[[int], bool]:
    parts = spec.split("|")
    if len(parts) % 4 or len(parts) // 4 > 25:
        raise bad("Parameter display_filter is invalid.")
    checks: list[Callable[[int], bool]] = []
    seed = campaign.seed
    for k in range(0, len(parts), 4):
        sign, field, op, value = parts[k : k + 4]
        if sign not in "+-" or field not in ("Ph", "Cp", "Nq"):
            raise bad("Parameter display_filter is invalid.")
        if field == "Ph":
            tests = {
                "Bw": str.startswith,
                "Ew": str.endswith,
                "Eq": str.__eq__,
                "Co": str.__contains__,
            }
            if op not in tests:
                raise bad("Parameter display_filter is invalid.")
            test = tests[op]
            low = value.lower()

            def check_text(i: int, test: Any = test, low: str = low) -> bool:
                return bool(test(campaign.phrase(i).lower(), low))

            check: Callable[[int], bool] = check_text

        else:
            ops = {"Eq": float.__eq__, "Gt": float.__gt__, "Lt": float.__lt__}
            if op not in ops:
                raise bad("Parameter display_filter is invalid.")
            try:
                number = float(value)
            except ValueError:
                raise bad("Parameter display_filter is invalid.") from None
            getter = gen.cpc if field == "Cp" else gen.volume

            def check_num(i: int, cmp: Any = ops[op], n: float = number, get: Any = getter) -> bool:
                return bool(cmp(float(get(seed, i)), n))

            check = check_num

        include = sign == "+"
        checks.append(lambda i, c=check, inc=include: c(i) is inc)  # type: ignore[misc]
    return lambda i: all(c(i) for c in checks)


def _sort_key(
    campaign: Campaign, sort: str, masks: list[str], period: Period
) -> tuple[Callable[[int], Any], bool]:
    seed = campaign.seed
    field, _, direction = sort.rpartition("_")
    if direction not in ("asc", "desc") or not field:
        raise bad(f"Incorrect order field {sort}")
    reverse = direction == "desc"
    missing = 101 if not reverse else -1
    domain_ids = [gen.text_id(m) for m in masks]
    day_of = {d: d.toordinal() for d in period.dates}
    first, last = day_of[period.dates[0]], day_of[period.dates[-1]]

    def pos(i: int, d: int, day: int) -> int:
        p = gen.position(seed, i, domain_ids[d], day)
        return missing if p is None else p

    if field == "ph":
        return campaign.phrase, reverse
    if field == "cp":
        return lambda i: float(gen.cpc(seed, i)), reverse
    if field == "nq":
        return lambda i: int(gen.volume(seed, i)), reverse
    if field.isdigit() and len(field) == 8:
        when = parse_date(field, "display_sort")
        assert when is not None
        return lambda i: pos(i, 0, when.toordinal()), reverse
    head, _, what = field.partition("_")
    if head.isdigit() and int(head) < len(masks) and what in ("pos", "fi", "be", "di"):
        d = int(head)
        if what in ("pos", "fi"):
            return lambda i: pos(i, d, last), reverse
        if what == "be":
            return lambda i: pos(i, d, first), reverse
        return lambda i: pos(i, d, first) - pos(i, d, last), reverse
    raise bad(f"Incorrect order field {sort}")


def _top_filter(
    campaign: Campaign, name: str, masks: list[str], period: Period
) -> Callable[[int], bool]:
    if name not in TOP_FILTERS:
        raise bad("Parameter top_filter is invalid.")
    limit = TOP_FILTERS[name]
    kind = name.rsplit("_", 1)[-1] if name.count("_") > 1 else ""
    seed, dom = campaign.seed, gen.text_id(masks[0])
    first, last = period.dates[0].toordinal(), period.dates[-1].toordinal()

    def inside(p: Pos) -> bool:
        return p is not None and p <= limit

    def check(i: int) -> bool:
        be, fi = gen.position(seed, i, dom, first), gen.position(seed, i, dom, last)
        if kind == "income":
            return inside(fi) and not inside(be)
        if kind == "leave":
            return inside(be) and not inside(fi)
        if kind in ("down", "up"):
            if be is None or fi is None or not (inside(be) and inside(fi)):
                return False
            return fi > be if kind == "down" else fi < be
        return inside(fi)

    return check


class RowIndex:
    """LRU cache of the ordered row indices of recent queries."""

    def __init__(self, size: int = 32) -> None:
        self._cache: OrderedDict[tuple[Any, ...], Sequence[int]] = OrderedDict()
        self._size = size

    def get(self, key: tuple[Any, ...], build: Callable[[], Sequence[int]]) -> Sequence[int]:
        rows = self._cache.get(key)
        if rows is None:
            rows = build()
            self._cache[key] = rows
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return rows

    def clear(self) -> None:
        self._cache.clear()


def select_rows(
    campaign: Campaign,
    query: Mapping[str, str],
    masks: list[str],
    period: Period,
    cache: RowIndex,
) -> Sequence[int]:
    """The ordered keyword indices a positions query selects (all pages)."""
    tags = query.get("display_tags", "")
    flt = query.get("display_filter", "")
    top = query.get("top_filter", "")
    sort = query.get("display_sort", "")
    key = (
        campaign.campaign_id,
        campaign.size,
        len(campaign.removed),
        len(campaign.tag_overrides),
        tuple(masks),
        period.dates,
        tags,
        flt,
        top,
        sort,
    )

    def build() -> Sequence[int]:
        rows: Sequence[int] = campaign.live()
        tests: list[Callable[[int], bool]] = []
        if tags:
            wanted = {unquote(t).lower() for t in tags.split("|") if t}
            tests.append(lambda i: bool(wanted.intersection(campaign.tags(i))))
        if flt:
            tests.append(_filter_fn(campaign, flt))
        if top:
            tests.append(_top_filter(campaign, top, masks, period))
        if tests:
            rows = [i for i in rows if all(t(i) for t in tests)]
        if sort:
            keyfn, reverse = _sort_key(campaign, sort, masks, period)
            rows = sorted(rows, key=keyfn, reverse=reverse)
        return rows

    return cache.get(key, build)


def _cell(p: Pos) -> str:
    return "" if p is None else str(p)


def _diff(a: Pos, b: Pos) -> int:
    return 0 if a is None or b is None else a - b


def position_row(
    campaign: Campaign, i: int, masks: list[str], period: Period, adwords: bool, linktype: int
) -> dict[str, Any]:
    """One row of ``tracking_position_organic`` / ``_adwords``, in the wire format."""
    seed = campaign.seed
    step, keys, ordinals = gen.step, period.keys, period.ordinals
    cells: list[list[str]] = []  # per domain, per day: the position as sent
    kinds: list[list[str]] = []  # per domain, per day: "org" / "geo"
    be: dict[str, str] = {}
    fi: dict[str, str] = {}
    diffs: dict[str, dict[str, int]] = {name: {} for name in ("Diff", "Diff1", "Diff7", "Diff30")}
    for mask in masks:
        dom = gen.text_id(mask)
        base = gen.base_rank(seed, i, dom)
        prefix = gen.mix(seed, i, dom)  # mix(seed, i, dom, day) == step(prefix, day)
        shown: list[str] = []
        kind: list[str] = []
        raw: list[int | None] = []
        for day in ordinals:
            h = step(prefix, day)
            p = gen.day_position(base, h)
            local = gen.local_flag(h)
            raw.append(p)
            kind.append("geo" if local else "org")
            if (linktype == 1 and not local) or (linktype == 2 and local):
                p = None
            shown.append("" if p is None else str(p))
        cells.append(shown)
        kinds.append(kind)
        be[mask], fi[mask] = shown[0], shown[-1]
        last = raw[-1]
        diffs["Diff"][mask] = _diff(raw[0], last)
        for name, back in (("Diff1", 1), ("Diff7", 7), ("Diff30", 30)):
            then = gen.day_position(base, step(prefix, ordinals[-1] - back))
            diffs[name][mask] = _diff(then, last)
    landing = [gen.landing_url(m, seed, i) for m in masks]
    span = range(len(masks))
    row: dict[str, Any] = {
        "Pi": gen.keyword_id(seed, i) if i < campaign.generated else str(9_000_000 + i),
        "Ph": campaign.phrase(i),
        "Tg": {str(n): t for n, t in enumerate(campaign.tags(i))},
        "Cp": gen.cpc(seed, i),
        "Nq": gen.volume(seed, i),
        "Dt": {key: {masks[k]: cells[k][n] for k in span} for n, key in enumerate(keys)},
    }
    if not adwords:
        row["Lt"] = {key: {masks[k]: kinds[k][n] for k in span} for n, key in enumerate(keys)}
    row["Lu"] = {
        key: {masks[k]: landing[k] if cells[k][n] else "" for k in span}
        for n, key in enumerate(keys)
    }
    row["Be"], row["Fi"] = be, fi
    row.update(diffs)
    return row


def competitor_total(campaign: Campaign) -> int:
    return 50 + campaign.count() // 4


def competitor_row(
    campaign: Campaign, i: int, period: Period, adwords: bool, with_ps: bool = False
) -> dict[str, Any]:
    """One row of ``tracking_competitors_*`` (also the ``Md`` object for index -1)."""
    seed = campaign.seed + (7 if adwords else 0)
    domain = campaign.url if i < 0 else gen.competitor_domain(seed, i)
    strength = 1.0 / (1 + max(i, 0) * 0.05)
    dates: dict[str, dict[str, str]] = {}
    cls: list[float] = []
    for d in (period.dates[0], period.dates[-1]):
        h = gen.mix(seed, i, d.toordinal())
        mc = int(strength * (50 + h % 150))
        cl = round(strength * 20 * (0.8 + (h >> 8) % 40 / 100), 2)
        cls.append(cl)
        dates[gen.ymd(d)] = {
            "Mc": str(mc),
            "Av": str(1 + (h >> 16) % 40),
            "Sq": str(1 + (h >> 20) % 30),
            "Cl": f"{cl:.2f}",
        }
    row: dict[str, Any] = {"Ur": domain, "Dt": dates, "Cd": f"{cls[-1] - cls[0]:.2f}"}
    if with_ps:
        row["Ps"] = 1 + gen.mix(seed, 99) % 1000
    return row


def competitor_order(campaign: Campaign, query: Mapping[str, str], period: Period) -> list[int]:
    rows = list(range(competitor_total(campaign)))
    black = {b for b in query.get("black_list", "").split("|") if b}
    adwords = query.get("type", "").endswith("adwords")
    if black:
        rows = [
            i
            for i in rows
            if gen.competitor_domain(campaign.seed + (7 if adwords else 0), i) not in black
        ]
    sort = query.get("display_sort", "")
    if sort:
        field, _, direction = sort.rpartition("_")
        if direction not in ("asc", "desc"):
            raise bad(f"Incorrect order field {sort}")
        reverse = direction == "desc"
        key: Callable[[int], Any]
        if field == "ur":

            def key(i: int) -> Any:
                return competitor_row(campaign, i, period, adwords)["Ur"]

        elif field in ("cl", "av", "cd") or (field.isdigit() and len(field) == 8):
            name = {"cl": "Cl", "av": "Av"}.get(field, "Cl")
            last = gen.ymd(period.dates[-1])

            def key(i: int) -> float:
                row = competitor_row(campaign, i, period, adwords)
                if field == "cd":
                    return float(row["Cd"])
                return float(row["Dt"][last][name])

        else:
            raise bad(f"Incorrect order field {sort}")
        rows.sort(key=key, reverse=reverse)
    return rows


def visibility_rows(campaign: Campaign, masks: list[str], period: Period) -> list[dict[str, Any]]:
    seed, dom = campaign.seed, gen.text_id(masks[0])
    rows = []
    for d in period.dates:
        h = gen.mix(seed, dom, d.toordinal(), 11)
        rows.append({"Dt": gen.ymd(d), "Vi": 5 + h % 20, "Vr": 50 + (h >> 8) % 50})
    return rows


def overview(campaign: Campaign, masks: list[str], period: Period) -> dict[str, Any]:
    """``tracking_overview_organic`` from the positions of the first mask."""
    seed, dom = campaign.seed, gen.text_id(masks[0])
    first, last = period.dates[0].toordinal(), period.dates[-1].toordinal()
    out: dict[str, Any] = {"total": 0, "visibility": 0.0, "differenceVisibility": 0.0}
    hist: dict[int, int] = {}
    buckets = {"all": 100, "top3": 3, "top10": 10, "top20": 20}
    counts = {name: dict.fromkeys(("n", "imp", "dec", "left", "ent"), 0) for name in buckets}
    vis_now = vis_then = 0.0
    live = campaign.live()
    sample = (
        live if len(live) <= 5000 else [live[k] for k in range(0, len(live), len(live) // 5000)]
    )
    scale = len(live) / max(len(sample), 1)
    for i in sample:
        be, fi = gen.position(seed, i, dom, first), gen.position(seed, i, dom, last)
        if fi is not None:
            hist[fi - 1] = hist.get(fi - 1, 0) + 1
            vis_now += max(0, 31 - fi) / 30
        if be is not None:
            vis_then += max(0, 31 - be) / 30
        for name, limit in buckets.items():
            c = counts[name]
            now_in = fi is not None and fi <= limit
            then_in = be is not None and be <= limit
            c["n"] += now_in
            c["ent"] += now_in and not then_in
            c["left"] += then_in and not now_in
            if now_in and then_in and be is not None and fi is not None:
                c["imp"] += fi < be
                c["dec"] += fi > be
    out["total"] = len(live)
    out["visibility"] = round(100 * vis_now / max(len(sample), 1), 4)
    out["differenceVisibility"] = round(100 * (vis_now - vis_then) / max(len(sample), 1), 4)
    for name, c in counts.items():
        out[name] = int(c["n"] * scale)
        out[f"{name}_improved"] = int(c["imp"] * scale)
        out[f"{name}_declined"] = int(c["dec"] * scale)
        out[f"{name}_difference"] = int((c["ent"] - c["left"]) * scale)
        out[f"{name}_left"] = int(c["left"] * scale)
        out[f"{name}_entered"] = int(c["ent"] * scale)
    out["data"] = {str(k): int(v * scale) for k, v in sorted(hist.items())}
    return out
