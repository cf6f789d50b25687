"""A position read from the wire alone equals the one the converted map gives, for
every shape of cell the wire sends; what the fast path cannot read, the map reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from asyncsemrush import InvalidParameterError, models
from asyncsemrush.errors import ResponseFormatError

MASKS = ("*.a.com/*", "*.b.com/*")
CELLS: list[Any] = ["1", "", "-", None, 7, "100", "n/a"]


def row(cells: dict[str, Any]) -> models.PositionRow:
    wire = {
        "Pi": "1",
        "Ph": "kw",
        "Dt": {"20261101": dict(cells), "20261102": {m: "3" for m in MASKS}},
        "Lu": {"20261101": {m: f"https://{m[2:-2]}/" for m in MASKS}},
        "Lt": {"20261101": {MASKS[0]: ["org", "rev"], MASKS[1]: "org"}},
    }
    return models.PositionRow(wire)


@pytest.mark.parametrize("cell", CELLS)
def test_one_cell_equals_the_map(cell: Any) -> None:
    r = row({MASKS[0]: cell, MASKS[1]: "2"})
    for day in (dt.date(2026, 11, 1), "20261101", "2026-11-01"):
        for mask in MASKS:
            expected = r.positions[dt.date(2026, 11, 1)][mask]
            assert r.position(mask, day) == expected
    assert r.position("a.com", dt.date(2026, 11, 1)) == r.positions[dt.date(2026, 11, 1)][MASKS[0]]
    assert r.landing_url("b.com", "20261101") == "https://b.com/"
    assert r.ranking_type(MASKS[0], "20261101") == ("org", "rev")
    assert r.ranking_type(MASKS[1], "20261101") == ("org",)


def test_what_the_fast_path_cannot_read_goes_to_the_map() -> None:
    r = row({MASKS[0]: "1", MASKS[1]: "2"})
    with pytest.raises(InvalidParameterError, match="domain"):
        r.position("c.com", dt.date(2026, 11, 1))
    with pytest.raises(InvalidParameterError, match="date"):
        r.position(MASKS[0], dt.date(2026, 10, 1))
    with pytest.raises(ValueError, match="YYYYMMDD"):
        r.position(MASKS[0], "not a date")


def test_a_bad_cell_names_itself() -> None:
    r = row({MASKS[0]: "first", MASKS[1]: "2"})
    with pytest.raises(ResponseFormatError, match=r"\$\.Dt"):
        r.position(MASKS[0], dt.date(2026, 11, 1))
    assert r.position(MASKS[1], dt.date(2026, 11, 1)) == 2  # the rest stays readable


def test_a_cell_map_in_another_shape_is_read_by_the_map() -> None:
    """PHP sends an empty map as ``[]``: the fast path steps aside, the map knows."""
    wire = {"Pi": "1", "Ph": "kw", "Dt": {"20261101": []}}
    with pytest.raises(InvalidParameterError, match="domain"):
        models.PositionRow(wire).position(MASKS[0], dt.date(2026, 11, 1))
