"""Incremental sync of a campaign's positions into a store: pull only the dates the
store lacks, in one pull whose range covers them all, a page per transaction.

A positions row is priced per keyword whatever the date range, so syncing every missing
date costs one pull of the campaign's keywords (and a sync with nothing new costs the
100-unit date check alone). The store records the pull in progress with each page it
commits; a sync that was killed resumes the same pull at the next offset, so the tables
end with every row once, as an uninterrupted sync leaves them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from ..errors import PaginationError

if TYPE_CHECKING:
    from ..models import PositionRow
    from ..pagination import AsyncPaginator
    from ..resources.tracking import TrackingResource

#: The columns of a stored position (one keyword, domain and date).
POSITION_COLUMNS = (
    "campaign", "kind", "keyword_id", "domain", "date", "position", "landing_url",
    "serp_features",
)  # fmt: skip
#: The columns of a stored keyword (its latest values).
KEYWORD_COLUMNS = ("campaign", "keyword_id", "keyword", "tags", "cpc", "volume")


@attrs.frozen
class SyncTarget:
    """What is synced: a campaign, organic or AdWords, and the url masks (``""``: the
    campaign's own URL). Stored dates are kept per target."""

    campaign: str
    kind: str = "organic"
    url: str = ""

    @property
    def name(self) -> str:
        return f"{self.campaign}/{self.kind}/{self.url}"


@attrs.frozen
class Progress:
    """A pull in progress: the dates it stores, the range that covers them, where it
    is, and the report's ``total`` when its first page came."""

    pull_id: str
    dates: tuple[dt.date, ...]
    next_offset: int = 0
    total: int | None = None

    @property
    def date_begin(self) -> dt.date:
        return self.dates[0]

    @property
    def date_end(self) -> dt.date:
        return self.dates[-1]


@attrs.frozen
class PageRows:
    """One page, as the store's rows: keywords and positions (only of the dates the
    pull stores: a date stored before, inside the range, is not written again)."""

    keywords: list[tuple[Any, ...]]
    positions: list[tuple[Any, ...]]


@runtime_checkable
class SyncStore(Protocol):
    """Where a sync keeps its tables (``DuckDBStore``, ``ParquetDataset``). Each method
    is one transaction; they run in a worker thread."""

    def stored_dates(self, target: SyncTarget) -> set[dt.date]:
        """The dates stored completely for ``target``."""
        ...

    def progress(self, target: SyncTarget) -> Progress | None:
        """The pull in progress for ``target``, if a sync stopped before it ended."""
        ...

    def begin(self, target: SyncTarget, progress: Progress) -> None:
        """Record a new pull (and drop what an earlier, abandoned one wrote for its dates)."""
        ...

    def write_page(self, target: SyncTarget, rows: PageRows, progress: Progress) -> None:
        """Store one page and the pull's new position, in one transaction."""
        ...

    def complete(self, target: SyncTarget, progress: Progress) -> None:
        """Mark the pull's dates as stored and forget the pull."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...


@attrs.frozen
class SyncResult:
    """What one sync did: the campaign's collected dates, the dates it stored, the rows
    it pulled, the units it spent (date check included), and the offset it resumed
    an earlier pull from (None: it started one, or had nothing to do)."""

    target: SyncTarget
    collected: tuple[dt.date, ...]
    stored: tuple[dt.date, ...]
    rows: int
    units: int
    resumed_from: int | None = None

    @property
    def up_to_date(self) -> bool:
        """Whether the store now holds every collected date."""
        return not self.stored and self.rows == 0


def page_rows(target: SyncTarget, rows: Sequence[PositionRow], dates: set[dt.date]) -> PageRows:
    """The store's rows of one page, for the dates being stored."""
    keywords: list[tuple[Any, ...]] = []
    positions: list[tuple[Any, ...]] = []
    for row in rows:
        kid = row.keyword_id
        keywords.append((target.campaign, kid, row.keyword, list(row.tags), row.cpc, row.volume))
        landing, features = row.landing_urls, row.ranking_types
        for day, cells in row.positions.items():
            if day not in dates:
                continue
            urls, kinds = landing.get(day, {}), features.get(day, {})
            for domain, position in cells.items():
                positions.append(
                    (
                        target.campaign,
                        target.kind,
                        kid,
                        domain,
                        day,
                        position,
                        urls.get(domain),
                        list(kinds.get(domain, ())),
                    )
                )
    return PageRows(keywords, positions)


async def sync_positions(
    tracking: TrackingResource,
    store: SyncStore,
    *,
    url: str | Sequence[str] | None = None,
    kind: str = "organic",
    page_size: int = 1000,
    before_pull: Callable[[AsyncPaginator[PositionRow]], Awaitable[None]] | None = None,
) -> SyncResult:
    """Bring ``store`` up to date with the campaign's collected dates (see the module).
    ``before_pull(pager)`` is awaited before the pull starts (the command line asks
    there before a costly one)."""
    target = SyncTarget(tracking.campaign_id, kind, _url_text(url))
    ledger = tracking._client.ledger
    spent_before = ledger.spent
    collected = (await tracking.campaign_dates()).dates
    progress = await asyncio.to_thread(store.progress, target)
    resumed_from = progress.next_offset if progress is not None else None
    if progress is None:
        stored = await asyncio.to_thread(store.stored_dates, target)
        missing = tuple(sorted(set(collected) - stored))
        if not missing:
            return SyncResult(target, collected, (), 0, ledger.spent - spent_before)
        progress = Progress(uuid.uuid4().hex[:12], missing)
        await asyncio.to_thread(store.begin, target, progress)
    rows = 0
    for _attempt in range(3):  # a report that changed under a resumed pull starts again
        try:
            rows += await _pull(
                tracking, store, target, progress, url, kind, page_size, before_pull
            )
            before_pull = None  # asked once
            break
        except _Changed:
            progress = Progress(uuid.uuid4().hex[:12], progress.dates)
            await asyncio.to_thread(store.begin, target, progress)
            resumed_from = None
    else:
        raise PaginationError(
            "the report kept changing while the sync pulled it (its total moved three "
            "times): run the sync again",
            resume_offset=0,
            rows_delivered=rows,
        )
    await asyncio.to_thread(store.complete, target, progress)
    return SyncResult(
        target, collected, progress.dates, rows, ledger.spent - spent_before, resumed_from
    )


class _Changed(Exception):
    """The report's total is not the one the pull began with."""


async def _pull(
    tracking: TrackingResource,
    store: SyncStore,
    target: SyncTarget,
    progress: Progress,
    url: str | Sequence[str] | None,
    kind: str,
    page_size: int,
    before_pull: Callable[[AsyncPaginator[PositionRow]], Awaitable[None]] | None,
) -> int:
    wanted = set(progress.dates)
    pager = tracking.positions(
        url,
        kind=kind,  # type: ignore[arg-type]
        date_begin=progress.date_begin,
        date_end=progress.date_end,
        page_size=page_size,
        start_offset=progress.next_offset,
    )
    if before_pull is not None:
        await before_pull(pager)
    rows = 0
    async with pager:
        async for page in pager.pages():
            if progress.total is not None and page.total != progress.total:
                raise _Changed
            rows += len(page.rows)
            progress = attrs.evolve(
                progress, next_offset=page.offset + len(page.rows), total=page.total
            )
            table = page_rows(target, page.rows, wanted)
            await asyncio.to_thread(store.write_page, target, table, progress)
    return rows


def _url_text(url: str | Sequence[str] | None) -> str:
    if url is None:
        return ""
    return url if isinstance(url, str) else ":".join(url)
