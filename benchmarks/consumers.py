"""What every figure does with each row: the same reading, typed or from the wire.

``read_*``: what the README's example reads (keyword, cpc, volume and one position);
``every_*``: every cell of the row. Each returns a checksum of what it read, so a figure
that skips work shows a different sum (``tests/test_bench_consumers.py``). The bare
clients convert the wire's strings themselves, as a competent engineer would for this
wire (``""`` is none, numbers come as text), so every figure reads numbers, not text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from asyncsemrush.models import PositionRow


def _int(v: Any) -> int | None:
    return None if v == "" or v is None else int(v)


def _float(v: Any) -> float | None:
    return None if v == "" or v is None else float(v)


def _sum(value: float | None) -> int:
    return 0 if value is None else int(value * 100)


def read_dict(mask: str, day: str) -> Callable[[dict[str, Any]], int]:
    """The reading consumer over a wire row (a decoded dict)."""

    def read(row: dict[str, Any]) -> int:
        keyword = row["Ph"]
        cpc, volume = _float(row["Cp"]), _int(row["Nq"])
        position = _int(row["Dt"][day][mask])
        return len(keyword) + _sum(cpc) + (volume or 0) + (position or 0)

    return read


def read_typed(mask: str, day: str) -> Callable[[PositionRow], int]:
    """The reading consumer over a typed row."""
    date = dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))

    def read(row: PositionRow) -> int:
        keyword, cpc, volume = row.keyword, row.cpc, row.volume
        position = row.position(mask, date)
        return len(keyword) + _sum(cpc) + (volume or 0) + (position or 0)

    return read


def every_dict(row: dict[str, Any]) -> int:
    """Every cell of a wire row."""
    total = len(row["Ph"]) + _sum(_float(row["Cp"])) + (_int(row["Nq"]) or 0)
    total += len(row["Tg"]) + len(str(row["Pi"]))
    for cells in row["Dt"].values():
        for v in cells.values():
            total += _int(v) or 0
    for cells in row["Lt"].values():
        for v in cells.values():
            total += 1 if isinstance(v, str) and v else len(v or ())
    for cells in row["Lu"].values():
        for v in cells.values():
            total += len(v or "")
    for name in ("Be", "Fi", "Diff", "Diff1", "Diff7", "Diff30"):
        for v in row[name].values():
            total += _int(v) or 0
    return total


def every_typed(row: PositionRow) -> int:
    """Every cell of a typed row."""
    total = len(row.keyword) + _sum(row.cpc) + (row.volume or 0)
    total += len(row.tags) + len(row.keyword_id)
    for cells in row.positions.values():
        for p in cells.values():
            total += p or 0
    for types in row.ranking_types.values():
        for codes in types.values():
            total += len(codes)
    for urls in row.landing_urls.values():
        for url in urls.values():
            total += len(url or "")
    for per_domain in (row.begin, row.end, row.diff, row.diff_1d, row.diff_7d, row.diff_30d):
        for v in per_domain.values():
            total += v or 0
    return total
