"""Mutate each documented example, one field at a time, into any JSON value: reading it
raises nothing but SemrushError, and no paid row becomes unreachable."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncsemrush import _convert, models
from asyncsemrush.errors import ResponseFormatError, SemrushError

from ..sandbox.reference_examples import load_examples

CURRENT = Path(__file__).parent.parent / "reference" / "current_v3"
TODAY = {p.stem: json.loads(p.read_text()) for p in CURRENT.glob("*.json")}
OLD = load_examples()

# (example, where the rows or the object are, model, is a page of rows, is a write)
CASES: list[tuple[str, Any, str, Any, bool, bool]] = [
    ("today", "project_list", "", models.Project, True, False),
    ("today", "project_create", "", models.Project, False, True),
    ("today", "project_add_keywords", "", models.TrackedCampaign, False, True),
    ("today", "tracking_enable", "", models.EnabledTracking, False, True),
    ("today", "tracking_campaigns_list", "", models.CampaignList, False, False),
    ("today", "location_search", "locations", models.LocationMatch, True, False),
    ("today", "tracking_position_organic", "data", models.PositionRow, True, False),
    ("today", "tracking_position_adwords", "data", models.PositionRow, True, False),
    ("today", "tracking_competitors_organic", "data", models.CompetitorRow, True, False),
    ("today", "tracking_visibility_organic", "data", models.VisibilityPoint, True, False),
    ("today", "tracking_overview_adwords", "", models.TrackingOverview, False, False),
    ("today", "tracking_landing_pages_organic", "data", models.LandingPageRow, True, False),
    ("today", "siteaudit_campaign_info", "", models.SiteAuditInfo, False, False),
    ("today", "siteaudit_snapshot_issue", "data", models.IssueRow, True, False),
    ("today", "siteaudit_page_info", "", models.PageInfo, False, False),
    ("2015", "project_create", "", models.Project, False, True),
    ("2015", "tracking_position_organic", "data", models.PositionRow, True, False),
    ("2015", "tracking_competitors_adwords", "data", models.CompetitorRow, True, False),
    ("2015", "siteaudit_snapshot_info", "", models.SnapshotInfo, False, False),
    ("2015", "siteaudit_campaign_info", "", models.SiteAuditInfo, False, False),
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "-", "n/a", "0", "12.5", "20260101", "Diff", "x"])
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (keys of objects, indices of lists)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield (*prefix, n)
            yield from paths(v, (*prefix, n))


def mutated(example: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    out = copy.deepcopy(example)
    node = out
    for step in path[:-1]:
        node = node[step]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


def read_everything(obj: Any) -> None:
    """Touch every field (PositionRow reads its cells on demand)."""
    if isinstance(obj, models.PositionRow):
        for name in dir(obj):
            if not name.startswith("_") and name not in (
                "position",
                "landing_url",
                "ranking_type",
                "validate",
                "wire",
                "where",
            ):
                getattr(obj, name)
    elif attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            read_everything(getattr(obj, f.name))


def check(
    edition: str, name: str, where: str, model: Any, page: bool, write: bool, data: Any
) -> None:
    container = data.get(where) if where and isinstance(data, dict) else data
    try:
        if write:
            try:
                result = _convert.structure(data, model)
            except ResponseFormatError as exc:
                assert exc.answer is data  # noqa: PT017 - the paid answer stays reachable
                result = _convert.salvage(data, model)  # and a write never raises
            read_everything(result)
        elif page:
            rows, error = _convert.rows_until_error(container, model, f"$.{where}")
            for row in rows:
                with contextlib.suppress(ResponseFormatError):
                    read_everything(row)  # one bad cell: the rest of the page reads
            if error is not None:
                assert error.answer is container  # every row as sent is in the error
                assert error.field.startswith(f"$.{where}")
        else:
            try:
                read_everything(_convert.structure(data, model))
            except ResponseFormatError as exc:
                assert exc.answer is data  # noqa: PT017
    except SemrushError:
        pass  # typed: what the caller can catch
    # anything else (KeyError, TypeError, AttributeError, ...) fails the test


@pytest.fixture(autouse=True)
def loose() -> Iterator[None]:
    _convert.set_strict(False)  # production reading: unknown keys kept, not refused
    yield
    _convert.set_strict(True)


@pytest.mark.parametrize(
    ("edition", "name", "where", "model", "page", "write"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_one_field_mutated_reads_safely(
    edition: str, name: str, where: str, model: Any, page: bool, write: bool, data: st.DataObject
) -> None:
    example = (TODAY if edition == "today" else OLD)[name]
    path = data.draw(st.sampled_from(list(paths(example))))
    value = data.draw(json_values)
    delete = data.draw(st.booleans())
    check(edition, name, where, model, page, write, mutated(example, path, value, delete))


def test_the_harness_sees_a_non_library_error() -> None:
    """The check fails on a bare TypeError (so a regression to one cannot pass)."""

    class Broken:
        pass

    with pytest.raises(Exception) as info:  # noqa: PT011 - any non-library error
        check("today", "x", "", Broken, False, False, {"a": 1})
    assert not isinstance(info.value, SemrushError)
