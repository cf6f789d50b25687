"""Any junk given to a public method gets InvalidParameterError, or, when it happens to
be valid, a SemrushError from the spine: never a TypeError, AttributeError or
ValueError of Python's (issue 14, item 4). The budget is 0 units, so a valid call stops
at BudgetExceededError and nothing is ever sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncsemrush import DisplayFilter, Keyword, SemrushClient, UnitBudget, UrlMask, params, pricing
from asyncsemrush.errors import InvalidParameterError, SemrushError
from asyncsemrush.pagination import AsyncPaginator

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # nan and inf included
    st.sampled_from(["", " ", "²", "1٢_3", "*.a.com/*", "a.com", "1_2", "nan", "1e999", "x|y"]),
    st.text(max_size=12),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.tuples(st.text(max_size=4), st.integers()),
    st.builds(set, st.lists(st.integers(), max_size=2)),
    st.builds(object),
)

Call = Callable[[SemrushClient, dict[str, Any]], Any]
#: (name, call, the keyword arguments it takes) for the public methods and value types
CALLS: list[tuple[str, Call, tuple[str, ...]]] = [
    ("projects.list", lambda sr, k: sr.projects.list(**k), ("filter",)),
    ("projects.get", lambda sr, k: sr.projects.get(**k), ("project_id",)),
    ("projects.create", lambda sr, k: sr.projects.create(**k), ("name", "url", "keywords", "competitors")),
    ("projects.update", lambda sr, k: sr.projects.update(**k), ("project_id", "name", "keywords")),
    ("tracking", lambda sr, k: sr.tracking(**k).campaign_dates(), ("campaign_id",)),
    (
        "positions",
        lambda sr, k: sr.tracking("1_2").positions(**k),
        ("url", "kind", "date_begin", "date_end", "tags", "tags_condition", "filters", "sort",
         "top_filter", "linktype", "serp_feature", "use_volume", "page_size", "max_rows",
         "max_units", "prefetch", "start_offset", "on_max_units"),
    ),
    (
        "competitors",
        lambda sr, k: sr.tracking("1_2").competitors(**k),
        ("url_type", "url", "main_domain", "kind", "black_list", "top_start", "top_end", "sort"),
    ),
    ("landing_pages", lambda sr, k: sr.tracking("1_2").landing_pages(**k), ("url", "newlost", "sort", "linktype")),
    ("overview", lambda sr, k: sr.tracking("1_2").overview(**k), ("url", "kind", "date_begin", "tags")),
    ("visibility", lambda sr, k: sr.tracking("1_2").visibility(**k), ("url", "kind", "serp_feature")),
    (
        "enable",
        lambda sr, k: sr.tracking("1").enable(**k),
        ("url", "location_id", "url_type", "device", "weekly_notification", "timezone", "business_name"),
    ),
    ("add_keywords", lambda sr, k: sr.tracking("1_2").add_keywords(**k), ("keywords",)),
    ("add_tags", lambda sr, k: sr.tracking("1_2").add_tags(**k), ("tag", "keywords")),
    (
        "site_audit.save",
        lambda sr, k: sr.site_audit(1).save(**k),
        ("domain", "schedule_day", "allow", "page_limit", "user_agent_type", "js_rendering"),
    ),
    ("site_audit.pages", lambda sr, k: sr.site_audit(1).pages(**k), ("url", "limit")),
    ("site_audit.issue", lambda sr, k: sr.site_audit(1).issue(**k), ("snapshot_id", "issue_id", "sort")),
    ("geo.locations", lambda sr, k: sr.geo.locations(**k), ("name", "location_id", "country_code", "type", "engine")),
    ("request", lambda sr, k: sr.request(**k), ("method", "path", "report_type", "params", "lines")),
    ("estimate", lambda sr, k: pricing.estimate(**k), ("report_type", "lines", "keywords")),
    ("UrlMask", lambda sr, k: UrlMask.rootdomain(**k), ("domain",)),
    ("DisplayFilter", lambda sr, k: DisplayFilter.include(**k), ("field", "operation", "value")),
    ("Keyword", lambda sr, k: Keyword(**k), ("keyword", "tags")),
    ("masks", lambda sr, k: params.masks(**k), ("value",)),
]  # fmt: skip


async def _run(call: Call, kwargs: dict[str, Any]) -> None:
    async with SemrushClient(
        "0123456789abcdef" * 2, base_url="http://127.0.0.1:9", budget=UnitBudget(0)
    ) as sr:
        result = call(sr, kwargs)
        if isinstance(result, AsyncPaginator):
            result = result.collect()
        if asyncio.iscoroutine(result):
            await result


@pytest.mark.parametrize(("name", "call", "names"), CALLS, ids=[c[0] for c in CALLS])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_junk_input_gets_a_typed_error(
    name: str, call: Call, names: tuple[str, ...], data: st.DataObject
) -> None:
    chosen = data.draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True)
    )
    kwargs = {n: data.draw(junk, label=n) for n in chosen}
    try:
        asyncio.run(_run(call, kwargs))
    except InvalidParameterError:
        pass  # bad input, named
    except SemrushError:
        pass  # valid after all: stopped by the 0-unit budget (or a typed spine error)
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc) or "missing" in str(exc):
            return  # a call the drawn names cannot make (a required argument left out)
        raise
