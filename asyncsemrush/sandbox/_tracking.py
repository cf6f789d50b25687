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
from ._state import Campaign, Edition, SandboxError, bad

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


def masks_of(query: Mapping[str, str], default: Campaign | None = None) -> list[str]:
    """The url masks of a report; without ``url``, the campaign's own (``default``,
    where the edition makes ``url`` optional)."""
    url = query.get("url", "")
    if not url and default is not None:
        return [campaign_mask(default)]
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


def campaign_mask(campaign: Campaign) -> str:
    """The url mask of the campaign's own URL."""
    if campaign.url_type == "rootdomain":
        return f"*.{campaign.url}/*"
    if campaign.url_type in ("subdomain", "subfolder"):
        return f"{campaign.url.rstrip('/')}/*"
    return campaign.url


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
    """The row order of a positions ``display_sort`` (today's visibility and share of
    voice keys follow the first domain's position, which they derive from)."""
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
    if field in ("sov", "sovdiff", "vi"):
        return lambda i: -pos(i, 0, last), reverse
    if field.isdigit() and len(field) == 8:
        when = parse_date(field, "display_sort")
        assert when is not None
        return lambda i: pos(i, 0, when.toordinal()), reverse
    head, _, what = field.partition("_")
    if (
        head.isdigit()
        and int(head) < len(masks)
        and what in ("pos", "fi", "be", "di", "diff", "vd")
    ):
        d = int(head)
        if what in ("pos", "fi"):
            return lambda i: pos(i, d, last), reverse
        if what == "be":
            return lambda i: pos(i, d, first), reverse
        if what == "vd":
            return lambda i: pos(i, d, last) - pos(i, d, first), reverse
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


_FEATURES = ("new", "twt", "rev", "stl", "kng", "rel", "knw", "img", "vid", "fsn")
_INTENTS = ("i", "n", "t", "c")


def _features(h: int) -> list[str]:
    """The SERP features on a results page, from one hash's bits."""
    return [f for b, f in enumerate(_FEATURES) if h >> b & 1]


def _diff(a: Pos, b: Pos) -> int | None:
    return None if a is None or b is None else a - b


def _ctr(p: Pos) -> float:
    """A made-up click-through share of a position (for visibility and traffic)."""
    return 0.0 if p is None else round(max(0.0, 31 - p) / 30, 4)


_CTR: dict[Pos, float] = {p: _ctr(p) for p in (None, *range(1, 101))}


def position_row(
    campaign: Campaign,
    i: int,
    masks: list[str],
    period: Period,
    adwords: bool,
    linktype: int,
    edition: Edition,
) -> dict[str, Any]:
    """One row of ``tracking_position_organic`` / ``_adwords``, in the wire format of
    ``edition``: today not ranking is ``"-"``, positions are numbers, ``Lt`` lists
    feature codes, and ``Kb``, ``In``, ``Gs``, ``Vi``, ``Sov``, ``Tr``, ``Tc``, ``Sf``
    are sent; 2015 sent positions as text and ``""`` for not ranking."""
    today = edition == "today"
    none: Any = "-" if today else ""
    seed = campaign.seed
    step, keys, ordinals = gen.step, period.keys, period.ordinals
    cells: list[list[Any]] = []  # per domain, per day: the position as sent
    kinds: list[list[bool]] = []  # per domain, per day: in the local pack
    ranks: list[list[int | None]] = []
    be: dict[str, Any] = {}
    fi: dict[str, Any] = {}
    diffs: dict[str, dict[str, Any]] = {name: {} for name in ("Diff", "Diff1", "Diff7", "Diff30")}
    for mask in masks:
        dom = gen.text_id(mask)
        base = gen.base_rank(seed, i, dom)
        prefix = gen.mix(seed, i, dom)  # mix(seed, i, dom, day) == step(prefix, day)
        shown: list[Any] = []
        kind: list[bool] = []
        raw: list[int | None] = []  # before the link-type filter: what Diff* compare
        for day in ordinals:
            h = step(prefix, day)
            p = gen.day_position(base, h)
            local = gen.local_flag(h)
            kind.append(local)
            raw.append(p)
            if (linktype == 1 and not local) or (linktype == 2 and local):
                p = None
            shown.append(none if p is None else (p if today else str(p)))
        cells.append(shown)
        kinds.append(kind)
        ranks.append([None if c == none else int(c) for c in shown])
        be[mask], fi[mask] = shown[0], shown[-1]
        last = raw[-1]
        for name, then in (
            ("Diff", raw[0]),
            ("Diff1", gen.day_position(base, step(prefix, ordinals[-1] - 1))),
            ("Diff7", gen.day_position(base, step(prefix, ordinals[-1] - 7))),
            ("Diff30", gen.day_position(base, step(prefix, ordinals[-1] - 30))),
        ):
            change = _diff(then, last)
            diffs[name][mask] = (none if change is None else change) if today else (change or 0)
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

    def codes(k: int, n: int) -> Any:
        if adwords:
            return ["adt" if ranks[k][n] is not None else "org"]
        return ["geo" if kinds[k][n] else "org"] if today else ("geo" if kinds[k][n] else "org")

    if today or not adwords:
        row["Lt"] = {key: {masks[k]: codes(k, n) for k in span} for n, key in enumerate(keys)}
    row["Lu"] = {
        key: {masks[k]: landing[k] if ranks[k][n] is not None else "" for k in span}
        for n, key in enumerate(keys)
    }
    row["Be"], row["Fi"] = be, fi
    row.update(diffs)
    if today:
        h = gen.mix(seed, i, 41)
        row["Kb"] = int(gen.ymd(campaign.dates[0]))
        row["In"] = {str(n): c for n, c in enumerate(_INTENTS) if h >> n & 1} or {"0": "i"}
        row["Gs"] = "0"
        volume = int(gen.volume(seed, i))
        cpc = float(gen.cpc(seed, i))
        # click-through shares per domain and day, computed once for the four metrics
        ctr = [[_CTR[p] for p in ranks[k]] for k in span]
        nk = len(keys)

        def per_day(scale: float) -> dict[str, Any]:
            out: dict[str, Any] = {
                keys[n]: {masks[k]: ctr[k][n] * scale for k in span} for n in range(nk)
            }
            return out

        def with_diff(values: dict[str, Any]) -> dict[str, Any]:
            first, last = values[keys[0]], values[keys[-1]]
            values["Diff"] = {m: last[m] - first[m] for m in masks}
            return values

        row["Vi"] = with_diff(per_day(100.0))
        if not adwords:  # the AdWords report has neither share of voice nor intents
            row["Sov"] = with_diff(per_day(1 / len(masks)))
        else:
            del row["In"]
        row["Tr"] = per_day(volume / 10)
        row["Tc"] = per_day(volume / 10 * cpc)
        row["Sf"] = {
            key: _features(gen.mix(seed, i, o)) for key, o in zip(keys, ordinals, strict=True)
        }
    return row


def competitor_total(campaign: Campaign) -> int:
    return 50 + campaign.count() // 4


def competitor_row(
    campaign: Campaign,
    i: int,
    period: Period,
    adwords: bool,
    edition: Edition,
    with_ps: bool = False,
) -> dict[str, Any]:
    """One row of ``tracking_competitors_*`` (also the ``Md`` object for index -1).
    Today: numbers as numbers, a float ``Av``, ``Sov``/``Tr``/``Tc`` (``"n/a"`` when no
    traffic) and a ``Diff`` entry among the dates; 2015: text, four figures."""
    today = edition == "today"
    seed = campaign.seed + (7 if adwords else 0)
    domain = campaign.url if i < 0 else gen.competitor_domain(seed, i)
    strength = 1.0 / (1 + max(i, 0) * 0.05)
    dates: dict[str, dict[str, Any]] = {}
    figures: list[dict[str, float]] = []
    for d in (period.dates[0], period.dates[-1]):
        h = gen.mix(seed, i, d.toordinal())
        mc = int(strength * (50 + h % 150))
        cl = round(strength * 20 * (0.8 + (h >> 8) % 40 / 100), 2)
        av = 1 + (h >> 16) % 40 + ((h >> 24) % 1000) / 1000
        sq = 1 + (h >> 20) % 30
        tr = round(mc * 12.5 * strength, 2)
        f = {"Mc": mc, "Av": round(av, 3), "Sq": sq, "Cl": cl}
        if today:
            f |= {"Sov": round(cl / 3, 4), "Tr": tr, "Tc": round(tr * 1.3, 2)}
        figures.append(f)
        if today:
            cell: dict[str, Any] = dict(f)
            if mc < 60:
                cell["Tr"] = cell["Tc"] = "n/a"
        else:
            cell = {"Mc": str(mc), "Av": str(int(av)), "Sq": str(sq), "Cl": f"{cl:.2f}"}
        dates[gen.ymd(d)] = cell
    change = round(figures[-1]["Cl"] - figures[0]["Cl"], 2)
    if today:
        dates["Diff"] = {k: round(figures[-1][k] - figures[0][k], 4) for k in figures[0]}
    row: dict[str, Any] = {
        "Ur": domain,
        "Dt": dates,
        "Cd": change if today else f"{change:.2f}",
    }
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
                return competitor_row(campaign, i, period, adwords, "2015")["Ur"]

        elif field in ("cl", "av", "cd", "1_mc", "sov", "sovdiff", "tr", "trdiff") or (
            field.isdigit() and len(field) == 8
        ):
            name = {"cl": "Cl", "av": "Av", "1_mc": "Mc"}.get(field, "Cl")
            last = gen.ymd(period.dates[-1])

            def key(i: int) -> float:
                row = competitor_row(campaign, i, period, adwords, "2015")
                if field == "cd":
                    return float(row["Cd"])
                return float(row["Dt"][last][name])

        else:
            raise bad(f"Incorrect order field {sort}")
        rows.sort(key=key, reverse=reverse)
    return rows


def visibility_rows(
    campaign: Campaign, masks: list[str], period: Period, edition: Edition
) -> list[dict[str, Any]]:
    """Visibility per date; today ``Vr`` is a float percentage and ``Av``, ``Sov``,
    ``Tr``, ``Tc`` are sent too."""
    seed, dom = campaign.seed, gen.text_id(masks[0])
    rows: list[dict[str, Any]] = []
    for d in period.dates:
        h = gen.mix(seed, dom, d.toordinal(), 11)
        if edition == "2015":
            rows.append({"Dt": gen.ymd(d), "Vi": 5 + h % 20, "Vr": 50 + (h >> 8) % 50})
            continue
        vr = round(50 + ((h >> 8) % 5000) / 100, 4)
        rows.append(
            {
                "Dt": gen.ymd(d),
                "Vi": 1000 * (5 + h % 20),
                "Vr": vr,
                "Av": round(5 + (h >> 12) % 400 / 100, 3),
                "Sov": round(vr / 10, 2),
                "Tr": round(vr * 1234.5, 4),
                "Tc": round(vr * 2345.6, 4),
            }
        )
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


def landing_total(campaign: Campaign) -> int:
    return 20 + campaign.count() // 20


def landing_row(
    campaign: Campaign, i: int, domain: str, period: Period, adwords: bool
) -> dict[str, Any]:
    """One row of ``tracking_landing_pages_*`` (today's report; no 2015 edition)."""
    seed = campaign.seed + (13 if adwords else 0)
    h = gen.mix(seed, gen.text_id(domain), i)
    status = ("", "", "", "new", "lost")[h % 5]
    url = f"https://www.{domain}/" if i == 0 else f"https://www.{domain}/page-{i}/"
    stats: list[dict[str, Any]] = []
    for d in (period.dates[0], period.dates[-1]):
        hd = gen.mix(h, d.toordinal())
        mc = 1 + hd % 20
        tr = round(mc * 321.5, 2)
        stats.append(
            {
                "Mc": mc,
                "Av": round(1 + (hd >> 8) % 50 + (hd >> 16) % 100 / 100, 2),
                "Tr": tr,
                "Tc": round(tr * 0.9, 2),
                "Rq": mc * 1000,
                "In": [
                    {"Kc": mc // 2, "Tr": round(tr / 2, 2), "Kp": 50, "Na": "i"},
                    {"Kc": mc - mc // 2, "Tr": round(tr / 2, 2), "Kp": 50, "Na": "c"},
                ],
            }
        )
    dates: dict[str, Any] = {
        gen.ymd(d): s for d, s in zip((period.dates[0], period.dates[-1]), stats, strict=True)
    }
    dates["Diff"] = {
        k: round(stats[1][k] - stats[0][k], 2) for k in ("Mc", "Av", "Tr", "Tc", "Rq")
    } | {"In": [{"Kc": 0, "Tr": 0, "Na": "i"}]}
    keywords = []
    live = campaign.live()
    for k in range(1 + h % 3):
        idx = live[(h + k * 7919) % len(live)] if len(live) else 0
        first, last = 1 + (h >> k) % 30, 1 + (h >> (k + 3)) % 30
        keywords.append(
            {
                "Pi": gen.keyword_id(campaign.seed, idx),
                "Ph": campaign.phrase(idx) if len(live) else "keyword",
                "Tp": "",
                "Rq": int(gen.volume(campaign.seed, idx)),
                "Gs": 0,
                "Tg": {str(n): t for n, t in enumerate(campaign.tags(idx))} if len(live) else {},
                "In": {"0": "i"},
                "Dt": {
                    gen.ymd(period.dates[0]): first,
                    gen.ymd(period.dates[-1]): last,
                    "Diff": first - last,
                },
                "Tr": {gen.ymd(period.dates[-1]): 12.5, "Diff": 0},
                "Tc": {gen.ymd(period.dates[-1]): 10.0, "Diff": 0},
                "Lt": {gen.ymd(period.dates[-1]): ["org"]},
            }
        )
    return {"Ur": url, "Tp": status, "Dt": dates, "Kw": keywords, "Amp": 0}
