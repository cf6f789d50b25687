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


_CODES = {
    2840: "us", 2124: "ca", 2826: "gb", 2276: "de", 2250: "fr", 2724: "es", 2380: "it",
    2036: "au", 2076: "br", 2356: "in", 2392: "jp", 2528: "nl",
}  # fmt: skip
_LANGUAGES = {"us": ("en", "es"), "ca": ("en", "fr"), "es": ("es",), "de": ("de",)}


def _location(lid: int, name: str, kind: str, parent: int, code: str) -> dict[str, Any]:
    languages = _LANGUAGES.get(code, ("en",))
    return {
        "available_volume_types": ["national"] if kind == "country" else ["national", "regional"],
        "location": {
            "id": lid,
            "name": name,
            "formatted_name": name,
            "reversed_name": name,
            "canonical_name": name,
            "parent_id": parent,
            "country_code": code,
            "type": kind,
            "languages": [
                {"id": 0, "hl": hl, "name": hl.upper(), "is_default": n == 0}
                for n, hl in enumerate(languages)
            ],
            "weight": 3000 - lid % 1000,
        },
    }


def locations(query: Any) -> dict[str, Any]:
    """The universal location search: countries and US states, filtered as asked."""
    found = [_location(cid, name, "country", 0, _CODES[cid]) for cid, name in COUNTRIES]
    found += [
        _location(rid, f"{name}, United States", "state", 2840, "us") for rid, name in US_REGIONS
    ]
    if query.get("location_id"):
        try:
            wanted = int(query["location_id"])
        except ValueError:
            raise bad("Parameter location_id is invalid.") from None
        found = [m for m in found if m["location"]["id"] == wanted]
    if query.get("name"):
        needle = query["name"].lower()
        found = [m for m in found if needle in m["location"]["name"].lower()]
    if query.get("country_code"):
        found = [m for m in found if m["location"]["country_code"] == query["country_code"].lower()]
    if query.get("type"):
        found = [m for m in found if m["location"]["type"] == query["type"]]
    engine = query.get("filter_engine")
    if engine and engine not in ("google", "bing", "baidu"):
        raise bad("Parameter filter_engine is invalid.")
    found.sort(key=lambda m: -m["location"]["weight"])
    return {"locations": found[:100]}


def location_name(location_id: int) -> tuple[str, str, str] | None:
    """Name, type and country code of a location ID (None if the search has none)."""
    for match in locations({})["locations"]:
        loc = match["location"]
        if loc["id"] == location_id:
            return loc["name"], loc["type"], loc["country_code"]
    return None
