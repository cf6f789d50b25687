"""Property tests of the converter: values survive the trip through the wire format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncsemrush import _convert, _leaf, models

UTC = dt.timezone.utc
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
positions = st.one_of(st.none(), st.integers(min_value=1, max_value=100))
hosts = st.from_regex(r"[a-z]{1,12}\.(com|net|org|co\.uk)", fullmatch=True)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(st.integers(min_value=-(2**62), max_value=2**62))
def test_int_as_number_or_string(n: int) -> None:
    assert _leaf.to_int(n) == _leaf.to_int(str(n)) == n


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_float_as_number_or_string(x: float) -> None:
    assert _leaf.to_float(repr(x)) == _leaf.to_float(x) == x


@given(dates)
def test_yyyymmdd(day: dt.date) -> None:
    assert _leaf.to_date(day.strftime("%Y%m%d")) == day


@given(st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1)))
def test_epoch_milliseconds(when: dt.datetime) -> None:
    aware = when.replace(tzinfo=UTC, microsecond=when.microsecond // 1000 * 1000)
    ms = round(aware.timestamp() * 1000)
    assert _leaf.epoch_ms(ms) == aware


@given(st.dictionaries(st.integers(min_value=0, max_value=10**6), text, max_size=30))
def test_numbered_objects_with_gaps_keep_key_order(items: dict[int, str]) -> None:
    shuffled = {str(k): v for k, v in reversed(list(items.items()))}
    assert _leaf.ordered(shuffled) == [items[k] for k in sorted(items)]


@given(st.lists(st.integers(min_value=0, max_value=3000), max_size=5), text)
def test_numbered_objects_in_order_of_any_size(sizes: list[int], value: str) -> None:
    # Sizes in any order: the cache of key strings grows and is reused across calls.
    for n in sizes:
        items = {str(k): f"{value}{k}" for k in range(n)}
        assert _leaf.ordered(items) == [f"{value}{k}" for k in range(n)]
        backwards = dict(reversed(list(items.items())))
        assert _leaf.ordered(backwards) == [f"{value}{k}" for k in range(n)]


def test_numbered_objects_with_padded_keys_sort_by_number() -> None:
    assert _leaf.ordered({"00": "a", "2": "c", "1": "b"}) == ["a", "b", "c"]


@st.composite
def position_rows(
    draw: st.DrawFn,
) -> tuple[dict[str, Any], dict[tuple[str, dt.date], int | None], list[str]]:
    masks = draw(
        st.lists(hosts, min_size=1, max_size=6, unique=True).map(
            lambda hs: [f"*.{h}/*" for h in hs]
        )
    )
    start = draw(dates)
    days = [start + dt.timedelta(days=k) for k in range(draw(st.integers(1, 10)))]
    truth = {(m, d): draw(positions) for m in masks for d in days}
    tags = draw(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=5))

    def cell(p: int | None) -> str:
        return "" if p is None else str(p)

    wire = {
        "Pi": str(draw(st.integers(0, 2**63))),
        "Ph": draw(text),
        "Tg": {str(n): t for n, t in enumerate(tags)},
        "Cp": draw(st.sampled_from(["", "0", "0.25", "12.50"])),
        "Nq": draw(st.sampled_from(["", "10", "1300", 70])),
        "Dt": {f"{d:%Y%m%d}": {m: cell(truth[m, d]) for m in masks} for d in days},
        "Lt": {f"{d:%Y%m%d}": dict.fromkeys(masks, "org") for d in days},
        "Lu": {f"{d:%Y%m%d}": {m: "" for m in masks} for d in days},
        "Be": {m: cell(truth[m, days[0]]) for m in masks},
        "Fi": {m: cell(truth[m, days[-1]]) for m in masks},
        "Diff": dict.fromkeys(masks, 0),
        "Diff1": dict.fromkeys(masks, 0),
        "Diff7": dict.fromkeys(masks, 0),
        "Diff30": dict.fromkeys(masks, 0),
    }
    return wire, truth, tags


@settings(max_examples=150, deadline=None)
@given(position_rows())
def test_position_rows_round_trip(
    case: tuple[dict[str, Any], dict[tuple[str, dt.date], int | None], list[str]],
) -> None:
    wire, truth, tags = case
    (row,) = _convert.rows({"0": wire}, models.PositionRow)
    for (mask, day), expected in truth.items():
        assert row.position(mask, day) == expected
    assert row.tags == tuple(tags) and row.keyword == wire["Ph"]
    assert row.cpc == (None if wire["Cp"] == "" else float(wire["Cp"]))
    assert row.volume == (None if wire["Nq"] == "" else int(wire["Nq"]))
    first, last = min(d for _, d in truth), max(d for _, d in truth)
    assert all(
        row.begin[m] == truth[m, first] and row.end[m] == truth[m, last] for m in row.domains
    )


def _wire(obj: Any, renames: dict[str, str]) -> dict[str, Any]:
    data = attrs.asdict(obj, recurse=False, filter=lambda a, _: a.name not in ("extra", "problems"))
    return {renames.get(k, k): v for k, v in data.items()}


ids = st.integers(min_value=1, max_value=2**62)


@given(
    st.builds(
        models.Project,
        project_id=ids,
        project_name=text,
        url=hosts,
        tools=st.tuples(st.sampled_from(["tracking", "siteaudit"])),
    )
)
def test_project_round_trip(project: models.Project) -> None:
    wire = {**_wire(project, {}), "tools": list(project.tools), "project_id": project.project_id}
    assert _convert.structure(wire, models.Project) == project


@given(
    st.builds(
        models.VisibilityPoint,
        date=dates,
        visibility=st.integers(0, 10**6),
        relative_visibility=st.integers(0, 100),
    )
)
def test_visibility_round_trip(point: models.VisibilityPoint) -> None:
    wire = {
        "Dt": f"{point.date:%Y%m%d}",
        "Vi": point.visibility,
        "Vr": str(point.relative_visibility),
    }
    assert _convert.structure(wire, models.VisibilityPoint) == point


stats = st.builds(
    models.CompetitorStats,
    keywords=st.integers(0, 10**5),
    average_position=st.integers(0, 100),
    deviation=st.integers(0, 100),
    visibility=st.floats(0, 100).map(lambda x: round(x, 2)),
)


@given(
    hosts,
    st.dictionaries(dates, stats, max_size=4),
    st.floats(-100, 100).map(lambda x: round(x, 2)),
)
def test_competitor_round_trip(
    domain: str, per_date: dict[dt.date, models.CompetitorStats], change: float
) -> None:
    wire = {
        "Ur": domain,
        "Dt": {
            f"{d:%Y%m%d}": {
                "Mc": str(s.keywords),
                "Av": str(s.average_position),
                "Sq": str(s.deviation),
                "Cl": f"{s.visibility:.2f}",
            }
            for d, s in per_date.items()
        },
        "Cd": f"{change:.2f}",
    }
    row = _convert.structure(wire, models.CompetitorRow)
    assert row == models.CompetitorRow(domain, per_date, change)
