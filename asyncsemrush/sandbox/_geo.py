"""Countries, regions and cities for the geo endpoints (IDs in Google's geo-target style)."""

from __future__ import annotations

from typing import Any

from . import _gen as gen
from ._state import bad

COUNTRIES = [
    (2840, "United States"),
    (2124, "Canada"),
    (2826, "United Kingdom"),
    (2276, "Germany"),
    (2250, "France"),
    (2724, "Spain"),
    (2380, "Italy"),
    (2036, "Australia"),
    (2076, "Brazil"),
    (2356, "India"),
    (2392, "Japan"),
    (2528, "Netherlands"),
]
US_REGIONS = [
    (21133, "Alabama"),
    (21132, "Alaska"),
    (21136, "Arizona"),
    (21135, "Arkansas"),
    (21137, "California"),
    (21138, "Colorado"),
    (21139, "Connecticut"),
    (21141, "Delaware"),
    (21142, "Florida"),
    (21143, "Georgia"),
    (21144, "Hawaii"),
    (21145, "Idaho"),
    (21147, "Illinois"),
    (21176, "Texas"),
    (21180, "Washington"),
]
_SYLLABLES = [
    "al",
    "ber",
    "ca",
    "den",
    "el",
    "far",
    "gan",
    "hol",
    "in",
    "jo",
    "ka",
    "lin",
    "mo",
    "nor",
    "or",
    "pel",
    "ri",
    "san",
    "ton",
    "ver",
    "wes",
]


def countries() -> list[dict[str, Any]]:
    return [{"id": cid, "name": name} for cid, name in COUNTRIES]


def _country(raw: str) -> int:
    try:
        cid = int(raw)
    except ValueError:
        raise bad("Parameter country_id is invalid.") from None
    if cid not in dict(COUNTRIES):
        raise bad("Parameter country_id is invalid.")
    return cid


def regions(raw_country: str) -> list[dict[str, Any]]:
    cid = _country(raw_country)
    if cid == 2840:
        return [{"id": rid, "name": name} for rid, name in US_REGIONS]
    return [{"id": 20000 + cid % 1000 * 10 + k, "name": f"Region {k + 1}"} for k in range(5)]


def _name(*values: int) -> str:
    parts = [
        _SYLLABLES[gen.mix(*values, k) % len(_SYLLABLES)] for k in range(2 + gen.mix(*values) % 2)
    ]
    return "".join(parts).capitalize()


def cities(raw_country: str, raw_region: str) -> list[dict[str, Any]]:
    cid = _country(raw_country)
    try:
        rid = int(raw_region)
    except ValueError:
        raise bad("Parameter region_id is invalid.") from None
    if rid not in {r["id"] for r in regions(str(cid))}:
        raise bad("Parameter region_id is invalid.")
    return [{"id": 1_013_370 + rid % 1000 * 100 + k, "name": _name(rid, k)} for k in range(12)]
