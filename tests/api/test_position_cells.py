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


def _or_error(read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except ResponseFormatError:
        return ResponseFormatError


ODD_CELLS: list[Any] = [
    " 2", "1e3", "-1", "12345678901234567890", "٣", True, 3.0, [], {}, "first",
]  # fmt: skip


@pytest.mark.parametrize("cell", CELLS + ODD_CELLS)
def test_one_cell_equals_the_map(cell: Any) -> None:
    r = row({MASKS[0]: cell, MASKS[1]: "2"})
    for day in (dt.date(2026, 11, 1), "20261101", "2026-11-01"):
        for mask in MASKS:
            # the map converts the whole date (one bad cell fails it); one cell reads alone
            expected = _or_error(lambda m: r.positions[dt.date(2026, 11, 1)][m], mask)
            if mask == MASKS[1]:
                expected = 2
            got = _or_error(r.position, mask, day)
            assert got == expected and type(got) is type(expected), (cell, mask)
    if cell in ODD_CELLS:
        return
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


SCALARS: list[Any] = [
    "0.25", "1300", "", "-", "n/a", None, 0.5, 7, "1e3", "nan", "inf", "-1", " 2", "1_0",
    "12345678901234567890", "٣", True, float("inf"), float("nan"), "0x10", [], {},
]  # fmt: skip


def general(name: str, leaf: Any, value: Any) -> Any:
    try:
        return leaf(value)
    except (TypeError, ValueError):
        return ResponseFormatError


@pytest.mark.parametrize("value", SCALARS)
def test_scalar_fast_paths_equal_the_general_readers(value: Any) -> None:
    """cpc and volume read the usual wire in a line; every other value takes the path
    that knows every spelling, so the answer (or the error) is the same either way."""
    from asyncsemrush import _leaf

    r = models.PositionRow({"Pi": "1", "Ph": "kw", "Cp": value, "Nq": value})
    for name, leaf in (("cpc", _leaf.to_opt_float), ("volume", _leaf.to_opt_int)):
        expected = general(name, leaf, value)
        try:
            got = getattr(r, name)
        except ResponseFormatError:
            got = ResponseFormatError
        assert got == expected or (got != got and expected != expected), (name, value)
        assert type(got) is type(expected)


def test_dates_are_remembered_by_what_was_given() -> None:
    r = row({MASKS[0]: "1", MASKS[1]: "2"})
    for _ in range(2):  # the second time from the remembered wire keys
        assert r.position(MASKS[0], dt.date(2026, 11, 1)) == 1
        assert r.position(MASKS[0], "2026-11-02") == 3
        assert r.position(MASKS[0], dt.datetime(2026, 11, 2, 23, 59)) == 3
        with pytest.raises(InvalidParameterError, match="date"):
            r.position(MASKS[0], dt.date(2026, 11, 3))


def test_a_loose_page_builds_the_rows_a_strict_one_does() -> None:
    """The pull's fast builder (two slot stores a row) makes the rows ``position_row``
    makes: same wire, same place; a row that is not an object ends the page there."""
    from asyncsemrush import _convert

    class Wire(dict[str, Any]):
        pass

    items = {"0": {"Pi": "1", "Ph": "a"}, "1": Wire(Pi="2", Ph="b"), "2": "oops", "3": {}}
    _convert.set_strict(False)
    try:
        good, error = _convert.rows_until_error(items, models.PositionRow)
    finally:
        _convert.set_strict(True)
    assert [(r.wire, r.where) for r in good] == [
        (items["0"], "$.data.0"),
        (items["1"], "$.data.1"),
    ]
    assert good[0] == models.PositionRow(items["0"], "$.data.0")
    assert [r.keyword for r in good] == ["a", "b"]
    assert isinstance(error, ResponseFormatError) and "$.data.2" in str(error)


def test_a_pulled_row_names_its_place_in_the_page() -> None:
    """A pulled row keeps its index, not a formatted path: the path is made only when an
    error names the row."""
    from asyncsemrush import _convert

    items = {
        str(n): {"Pi": str(n), "Ph": "kw", "Dt": {"20261101": {MASKS[0]: "1"}}} for n in range(4)
    }
    items["3"]["Dt"] = {"20261101": {MASKS[0]: "first"}}
    _convert.set_strict(False)
    try:
        rows, error = _convert.rows_until_error(items, models.PositionRow)
    finally:
        _convert.set_strict(True)
    assert error is None and rows[2].where == "$.data.2"
    assert rows[2].position(MASKS[0], "20261101") == 1
    with pytest.raises(ResponseFormatError) as info:
        rows[3].position(MASKS[0], "20261101")
    assert info.value.field == "$.data.3.Dt"
    elsewhere, _ = _convert.rows_until_error(items, models.PositionRow, "$.result")
    assert elsewhere[1].where == "$.result.1"


def test_a_row_keeps_its_converted_maps_in_one_slot() -> None:
    """A row is 4 slots and no ``__getattr__`` (a class with one is a class whose
    attribute reads CPython does not specialise: every ``row.keyword`` paid ~400
    instructions for the 14 cached maps' hook); a converted map is made once, kept,
    and survives neither pickling (it is made again) nor a failed conversion."""
    import pickle

    cls = models.PositionRow
    assert not any("__getattr__" in vars(k) for k in cls.__mro__)
    slots = [name for k in cls.__mro__ for name in vars(k).get("__slots__", ())]
    assert sorted(slots) == ["__weakref__", "_memo", "_where", "wire"]
    r = row({MASKS[0]: "1", MASKS[1]: ""})
    assert not hasattr(r, "__dict__")
    first = r.positions
    assert r.positions is first and r.landing_urls is r.landing_urls
    assert first[dt.date(2026, 11, 1)] == {MASKS[0]: 1, MASKS[1]: None}
    again = pickle.loads(pickle.dumps(r))
    assert again == r and again.positions == first and again.positions is not first
    bad = row({MASKS[0]: "first"})
    for _ in range(2):  # an error is not remembered as a value
        with pytest.raises(ResponseFormatError):
            bad.positions  # noqa: B018
    assert cls.positions.__doc__ and "Date" in cls.positions.__doc__
