"""The response examples of the reference, parsed, and a structural 'shape' of JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from ..conftest import REFERENCE

#: The reference's response examples in document order, by the call they belong to.
EXAMPLE_ORDER = [
    "project_list",
    "project_get",
    "project_create",
    "project_update",
    "get_countries",
    "get_regions",
    "get_cities",
    "tracking_campaign_dates",
    "tracking_overview_organic",
    "tracking_position_organic",
    "tracking_position_adwords",
    "tracking_competitors_organic",
    "tracking_competitors_adwords",
    "tracking_visibility_organic",
    "tracking_visibility_adwords",
    "siteaudit_snapshot_list",
    "siteaudit_meta",
    "siteaudit_launch",
    "siteaudit_campaign_info",
    "siteaudit_snapshot_info",
    "siteaudit_snapshot_issue",
    "siteaudit_page_list",
    "siteaudit_page_info",
    "siteaudit_campaign_history",
]


def _balance(text: str) -> str:
    """Close what the (sometimes truncated) example leaves open."""
    stack: list[str] = []
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            stack.pop()
    return text + "".join(reversed(stack))


def load_examples() -> dict[str, Any]:
    text = (REFERENCE / "001_b7145f6cab38f432.txt").read_text()
    raw = re.findall(r"Response example\n\n(.+)\n", text)
    assert len(raw) == len(EXAMPLE_ORDER), len(raw)
    out = {}
    for name, example in zip(EXAMPLE_ORDER, raw, strict=True):
        clean = re.sub(r",?\s*\.\.\.\s*", "", example)  # "..." elides more of the same
        clean = re.sub(r",(\s*[}\]])", r"\1", clean)  # trailing commas
        out[name] = json.loads(_balance(clean))
    return out


def _key_class(key: str) -> str | None:
    if key.isdigit() and len(key) == 8 and key.startswith("20"):
        return "<date>"
    if key.isdigit():
        return "<n>"
    if "/" in key or key.startswith("*"):
        return "<mask>"
    return None


def shape(value: Any) -> Any:
    """Keys and JSON types, with numbered, date and url-mask keys folded into one class
    each (other keys beside them, such as ``"Diff"`` among dates, kept as they are);
    the wire's "none" strings (``""``, ``"-"``, ``"n/a"``) as ``"none"``."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        out: dict[str, Any] = {}
        for k, v in value.items():
            cls = _key_class(k)
            if cls is None:
                out[k] = shape(v)
            elif cls not in out:
                out[cls] = shape(v)
        return out
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if value in ("", "-", "n/a"):
        return "none"
    return "str"


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``actual``'s shape departs from ``expected``'s (empty containers match any)."""
    if expected in ("{}", []) and (actual == expected or isinstance(actual, (dict, list))):
        return []
    if actual == "{}" and isinstance(expected, dict):
        return []  # an empty object (a row without tags) fits any object
    if "null" in (expected, actual) or "none" in (expected, actual):
        return []  # "none" (null, "", "-", "n/a") may stand where any value may
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in expected.keys() | actual.keys():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            elif key not in expected:
                out.append(f"{path}.{key}: not in the reference")
            else:
                out += differences(expected[key], actual[key], f"{path}.{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if not actual:
            return []
        return differences(expected[0], actual[0], f"{path}[0]")
    if (expected, actual) in (("float", "int"), ("int", "float")):
        return []  # the service does not tell ints from floats (CURRENT_V3.md §1)
    return [] if expected == actual else [f"{path}: reference {expected}, sandbox {actual}"]
