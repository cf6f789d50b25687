"""Hostile responses: mutated reference examples, wrong types, missing keys, huge
numbers, deep nesting, non-UTF-8, empty bodies, HTML. Only SemrushError escapes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncsemrush import _convert, models
from asyncsemrush._wire import ApiRequest, RawResponse
from asyncsemrush.dialects.semrush_v3 import DEFAULT as V3
from asyncsemrush.errors import SemrushError

from ..sandbox.reference_examples import load_examples

decode = V3.decode

EX = load_examples()
TARGETS: dict[str, tuple[str, Any]] = {
    "project_list": ("one", models.Project),
    "tracking_position_organic": ("rows", models.PositionRow),
    "tracking_competitors_organic": ("rows", models.CompetitorRow),
    "tracking_visibility_organic": ("rows", models.VisibilityPoint),
    "tracking_overview_organic": ("one", models.TrackingOverview),
    "tracking_campaign_dates": ("one", models.CampaignDates),
    "siteaudit_campaign_info": ("one", models.SiteAuditInfo),
    "siteaudit_snapshot_info": ("one", models.SnapshotInfo),
    "siteaudit_page_info": ("one", models.PageInfo),
    "siteaudit_page_list": ("one", models.PageList),
    "get_countries": ("rows", models.Country),
}

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.just(""),
    st.just("20150414"),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(TARGETS)))
    doc = json.loads(json.dumps(EX[name]))
    for _ in range(draw(st.integers(1, 4))):
        path: list[Any] = []
        node = doc
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            key = draw(
                st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
            )
            path.append(key)
            node = node[key]
        if not path:
            doc = draw(json_value) if draw(st.integers(0, 5)) == 0 else doc
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "nest"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "nest":
            deep: Any = draw(json_leaf)
            for _ in range(draw(st.integers(1, 200))):
                deep = [deep]
            parent[path[-1]] = deep
        else:
            parent[path[-1]] = draw(json_value)
    return name, doc


def structure(name: str, doc: Any) -> None:
    how, cls = TARGETS[name]
    if how == "rows":
        data = doc.get("data", {}) if isinstance(doc, dict) and name != "get_countries" else doc
        for row in _convert.rows(data, cls):
            if isinstance(row, models.PositionRow):
                row.validate()
                row.domains  # noqa: B018
    else:
        _convert.structure(doc, cls)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_examples_raise_only_semrush_errors(case: tuple[str, Any]) -> None:
    name, doc = case
    with contextlib.suppress(SemrushError):  # anything else fails the test
        structure(name, doc)


GET = ApiRequest("GET", "/x", "tracking_position_organic")


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=100, max_value=599),
    st.one_of(
        st.binary(max_size=300),
        st.just(b""),
        st.just(b"<html><body>502 Bad Gateway</body></html>"),
        st.just(b"\xff\xfe\xfa not utf-8"),
        st.just(b'{"code": "x", "message": 1}'),
        st.just(b"ERROR 99999999999999999999 :: boom"),
        st.just(b"[" * 5000 + b"]" * 5000),
        st.just(b'{"total": 1e999}'),
    ),
)
def test_any_body_any_status_decodes_or_raises_a_semrush_error(status: int, body: bytes) -> None:
    try:
        data = decode(RawResponse(status, "application/json", body), GET, "https://x/")
    except SemrushError:
        return
    with contextlib.suppress(SemrushError):  # whatever decoded must structure or fail typed
        _convert.rows(data.get("data", {}) if isinstance(data, dict) else data, models.PositionRow)
