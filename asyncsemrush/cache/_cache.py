"""The response cache a client consults before it reserves anything: its store, what it
has learned of each campaign's collected dates, and the rules (``_rules.judge``)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from .._wire import ApiRequest, RawResponse
from ..params import positive
from ..pricing import Usage
from ._rules import (
    DATES_REPORT,
    TERMS_SECONDS,
    CachedAnswer,
    CacheKey,
    campaign_of,
    judge,
    key_of,
    latest_of,
    project_written,
)

log = logging.getLogger("asyncsemrush.cache")

#: Sends the date check of the campaign a report belongs to (through the client's own
#: send path: reserved, rate-limited, recorded), so that ``learned`` sees its answer.
Check = Callable[[ApiRequest], Awaitable[object]]


@runtime_checkable
class CacheStore(Protocol):
    """Where answers are kept (``SqliteCacheStore``, ``RedisCacheStore``). A store
    never raises for what it holds: an entry it cannot read is a miss (and a warning)."""

    async def get(self, key: str, project: str) -> CachedAnswer | None:
        """The answer filed under ``key`` (of ``project``), verified, or None."""
        ...

    async def put(self, key: str, project: str, answer: CachedAnswer) -> None:
        """File ``answer`` under ``key``, for ``project``."""
        ...

    async def invalidate(self, project: str) -> None:
        """Forget every answer of ``project`` (all its campaigns)."""
        ...

    async def close(self) -> None:
        """Release the store."""
        ...


class ResponseCache:
    """Answers Position Tracking reports from a store, by the rules of the service's data.

    ``SemrushClient(cache="reports.sqlite")`` (a path: a :class:`SqliteCacheStore`), or
    ``cache=ResponseCache(RedisCacheStore(redis))`` for many workers. A hit costs 0
    units and is recorded in the ledger as ``cached`` with the units it saved.

    - A report whose ``date_end`` is before the campaign's latest collected date (as
      known when it was stored) is final: served until it is 30 days old.
    - Any other report (it includes the latest date) is served while the campaign has
      not collected a new date. That is checked with ``campaign_dates`` (100 units)
      only when the stored answer is worth more than the check, at most once per
      ``recheck`` seconds a campaign; a cheaper answer is served for ``max_age``
      seconds (default 1 hour), then fetched again.
    - Nothing is kept or served past 30 days (Semrush's terms). Management calls and
      writes are never served; a write through the client (keywords added, a campaign
      changed) forgets every cached report of its project.
    """

    def __init__(
        self,
        store: CacheStore | str | os.PathLike[str],
        *,
        max_age: float = 3600.0,
        recheck: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(store, (str, os.PathLike)):
            from ._sqlite import SqliteCacheStore

            store = SqliteCacheStore(Path(store))
        self.store: CacheStore = store
        self.max_age = positive("max_age", max_age, "seconds, a number > 0")
        self.recheck = positive("recheck", recheck, "seconds, a number > 0")
        self._clock = clock
        # campaign -> (its latest collected date, when learned on the monotonic clock)
        self._latest: dict[str, tuple[str | None, float]] = {}
        self._checking: dict[str, asyncio.Future[None]] = {}
        # projects whose invalidation the store refused: never served from it again here
        self._distrusted: set[str] = set()

    def __repr__(self) -> str:
        return f"<ResponseCache {self.store!r}>"

    # ------------------------------------------------------------------ reads

    async def lookup(
        self, request: ApiRequest, estimate: int, check: Check, check_price: int
    ) -> CachedAnswer | None:
        """The stored answer to serve for ``request`` now, or None (send it)."""
        where = key_of(request)
        if where is None or where.project in self._distrusted:
            return None
        entry = await self._get(where)
        if entry is None:
            if estimate > check_price:  # learn the date now, so that this answer can be
                await self._learn(where, request, check)  # judged by it next time
            return None
        verdict = judge(
            entry,
            where,
            now=self._clock(),
            known_latest=self._known(where.campaign),
            check_price=check_price,
            max_age=self.max_age,
        )
        if verdict.check:
            await self._learn(where, request, check)
            latest = self._known(where.campaign)
            served = latest is not None and latest == entry.latest
        else:
            served = verdict.serve
        log.debug("cache %s %s: %s", "hit" if served else "miss", where.key, verdict.reason)
        return entry if served else None

    async def _get(self, where: CacheKey) -> CachedAnswer | None:
        try:
            return await self.store.get(where.key, where.project)
        except Exception as exc:  # a store that fails is a miss, never an error
            log.warning("response cache unreadable (%s): sending the request", exc)
            return None

    def _known(self, campaign: str) -> str | None:
        known = self._latest.get(campaign)
        if known is None or time.monotonic() - known[1] >= self.recheck:
            return None
        return known[0]

    async def _learn(self, where: CacheKey, request: ApiRequest, check: Check) -> None:
        """Check the campaign's dates once, however many pages ask at once."""
        if self._known(where.campaign) is not None:
            return
        pending = self._checking.get(where.campaign)
        if pending is not None:
            await asyncio.shield(pending)
            return
        pending = asyncio.get_running_loop().create_future()
        self._checking[where.campaign] = pending
        try:
            await check(
                ApiRequest(
                    "GET",
                    request.path,
                    DATES_REPORT,
                    params={"action": "report", "type": DATES_REPORT},
                    usage=Usage(),
                )
            )
        finally:
            del self._checking[where.campaign]
            pending.set_result(None)

    # ------------------------------------------------------------------ what it learns

    def learned(self, request: ApiRequest, data: object) -> None:
        """A decoded answer went by: a campaign-dates answer tells the latest date."""
        if request.report_type == DATES_REPORT and request.method == "GET":
            where = campaign_of(request.path)
            if where is not None:
                self._latest[where] = (latest_of(data), time.monotonic())

    async def keep(self, request: ApiRequest, raw: RawResponse, worth: int) -> None:
        """Store a successful answer to a cacheable request."""
        where = key_of(request)
        if where is None or not 200 <= raw.status < 300:
            return
        known = self._latest.get(where.campaign)
        answer = CachedAnswer(
            status=raw.status,
            content_type=raw.content_type,
            body=raw.body,
            stored=self._clock(),
            latest=known[0] if known is not None else None,
            worth=worth,
        )
        try:
            await self.store.put(where.key, where.project, answer)
        except Exception as exc:
            log.warning("response cache not written (%s)", exc)

    async def written(self, request: ApiRequest) -> None:
        """A write went out (or may have): forget its project's reports and dates."""
        project = project_written(request)
        if project is None:
            return
        for campaign in [c for c in self._latest if c.split("_", 1)[0] == project]:
            del self._latest[campaign]
        try:
            await self.store.invalidate(project)
        except Exception as exc:
            self._distrusted.add(project)
            log.warning(
                "response cache not invalidated for project %s (%s): its reports are "
                "not served from the cache again by this client",
                project,
                exc,
            )

    async def close(self) -> None:
        """Close the store."""
        await self.store.close()


__all__ = ["TERMS_SECONDS", "CacheStore", "CachedAnswer", "ResponseCache"]
