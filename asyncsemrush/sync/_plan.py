"""What a campaign's positions cost now, kept synced at a cadence, with the filters
given, and what the response cache would have saved on a ledger's history.

A month here is 30 days: a daily sync runs 30 times in it, a weekly one 4 times (days
7, 14, 21 and 28), a monthly one once. Each sync is one ``campaign_dates`` check plus
one pull of every keyword (a positions row costs the same whatever the date range), so
a weekly sync of 20,000 keywords costs about a seventh of a daily one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._ledger import LedgerEntry
from ..cache import CACHEABLE, TERMS_SECONDS
from ..pricing import Usage

if TYPE_CHECKING:
    from ..resources.tracking import TrackingResource

#: Syncs in a 30-day month at each cadence.
CADENCES: Mapping[str, int] = {"daily": 30, "weekly": 4, "monthly": 1}


@attrs.frozen
class Cadence:
    """Keeping the campaign synced at one cadence for a 30-day month."""

    name: str
    syncs: int
    units: int

    @property
    def dollars(self) -> float:
        return self.units / 20_000


@attrs.frozen
class SyncPlan:
    """The plan for one campaign. ``keywords``: rows of its positions report;
    ``pull_units``: one pull of them now; ``check_units``: the date check a sync starts
    with; ``cadences``: a 30-day month of syncs at each cadence. With filters or tags:
    ``filtered`` rows, ``filtered_pull_units`` and ``filters_save`` (units one pull
    saves with them). ``cache_saved``: what the response cache would have saved on the
    ledger given (None: no ledger). ``probe_units``: what this plan spent (1-row probes,
    100 units each)."""

    campaign: str
    keywords: int
    pull_units: int
    check_units: int
    cadences: tuple[Cadence, ...]
    filtered: int | None
    filtered_pull_units: int | None
    filters_save: int | None
    cache_saved: int | None
    probe_units: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return attrs.asdict(self)


async def plan_sync(
    tracking: TrackingResource,
    *,
    url: str | Sequence[str] | None = None,
    kind: str = "organic",
    tags: Sequence[str] | None = None,
    filters: str | None = None,
    ledger: Iterable[LedgerEntry] | None = None,
) -> SyncPlan:
    """Price a campaign's positions (see the module). Costs one 1-row probe (100 units),
    two when ``tags`` or ``filters`` are given (to tell what they save)."""
    prices = tracking._sender.prices
    report = f"tracking_position_{kind}"
    spent = 0

    async def total(**narrow: Any) -> int:
        nonlocal spent
        probe = tracking.positions(url, kind=kind, page_size=1, max_rows=1, **narrow)  # type: ignore[arg-type]
        rows = 0
        async for page in probe.pages():
            rows = page.total
        spent += probe.units_spent
        return rows

    def pull(rows: int) -> int:
        return prices.cost(report, Usage(lines=rows)) if rows else 0

    keywords = await total()
    filtered = await total(tags=tags, filters=filters) if (tags or filters) else None
    check = prices.cost("tracking_campaign_dates", Usage())
    per_sync = check + pull(keywords)
    return SyncPlan(
        campaign=tracking.campaign_id,
        keywords=keywords,
        pull_units=pull(keywords),
        check_units=check,
        cadences=tuple(Cadence(name, n, n * per_sync) for name, n in CADENCES.items()),
        filtered=filtered,
        filtered_pull_units=None if filtered is None else pull(filtered),
        filters_save=None if filtered is None else pull(keywords) - pull(filtered),
        cache_saved=None if ledger is None else cache_savings(ledger),
        probe_units=spent,
    )


def cache_savings(entries: Iterable[LedgerEntry]) -> int:
    """Units the response cache would have saved on ``entries``: every paid answer to
    a Position Tracking report asked for again (same report, same URL and parameters)
    within 30 days of the answer it repeats. An upper bound: an answer that included
    the latest date was served only while no new date was collected."""
    first: dict[tuple[str, str], dt.datetime] = {}
    saved = 0
    for entry in entries:
        if entry.report_type not in CACHEABLE or entry.outcome != "ok" or entry.method != "GET":
            continue
        key = (entry.report_type, entry.path)
        seen = first.get(key)
        if seen is not None and (entry.time - seen).total_seconds() < TERMS_SECONDS:
            saved += entry.actual
        else:
            first[key] = entry.time
    return saved
