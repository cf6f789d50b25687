"""The response cache against the sandbox (issue 17): a second pull costs 0 units at the
server, a report with the latest date is fetched again only after a new date is
collected, nothing older than 30 days is served, a write invalidates, a half-cached
pull gives each row once, in order; foreign and corrupt files are never served."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from asyncsemrush import SemrushClient
from asyncsemrush.cache import ResponseCache, SqliteCacheStore
from asyncsemrush.cache._rules import CachedAnswer
from asyncsemrush.sandbox import Sandbox

DAY = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def client(sb: Sandbox, cache: Any) -> SemrushClient:
    return SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None, cache=cache)


async def pull(sb: Sandbox, cache: Any, **kw: Any) -> tuple[list[bytes], SemrushClient]:
    async with client(sb, cache) as sr:
        pager = sr.tracking(sb.campaign_id).positions(page_size=kw.pop("page_size", 100), **kw)
        rows = [orjson.dumps(row, option=orjson.OPT_SORT_KEYS) async for row in pager.raw_rows()]
    return rows, sr


def charged(sb: Sandbox, kind: str = "tracking_position_organic") -> int:
    """Units the sandbox charged for ``kind`` since it started (its log is never reset
    here: every request it received counts)."""
    return sb.charged_by_type().get(kind, 0)


def kinds_since(sb: Sandbox, mark: int) -> list[str]:
    return [r.report_type for r in sb.requests[mark:]]


async def test_a_second_identical_pull_costs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=450, rate_limit=None) as sb:
        first, sr1 = await pull(sb, path)
        paid = charged(sb)
        assert paid == 450 * 100 and len(first) == 450
        assert sr1.ledger.requests == 1 + 5  # the date check (worth learning) + 5 pages
        mark = len(sb.requests)
        second, sr2 = await pull(sb, path)
        assert second == first  # byte for byte
        assert charged(sb) == paid  # not a unit more for the rows
        # the second client did not know the latest date: one check, 100 units
        assert kinds_since(sb, mark) == ["tracking_campaign_dates"]
        assert sr2.ledger.cached == 5 and sr2.ledger.saved == paid
        assert sr2.ledger.spent == 100
        entries = [e for e in sr2.ledger if e.outcome == "cached"]
        assert [e.actual for e in entries] == [0] * 5 and sum(e.saved for e in entries) == paid


async def test_the_latest_date_is_fetched_again_only_after_a_new_one_is_collected(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=200, rate_limit=None) as sb:
        first, _ = await pull(sb, path)
        mark = len(sb.requests)
        again, _ = await pull(sb, path)
        assert again == first and kinds_since(sb, mark) == ["tracking_campaign_dates"]
        sb.collect_date()
        mark = len(sb.requests)
        after, _ = await pull(sb, path)
        kinds = kinds_since(sb, mark)
        assert kinds.count("tracking_position_organic") == 2  # both pages again
        assert after != first  # the new date is in them
        mark = len(sb.requests)
        settled, _ = await pull(sb, path)
        assert settled == after and kinds_since(sb, mark) == ["tracking_campaign_dates"]


async def test_a_final_report_is_served_without_a_check(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=150, rate_limit=None) as sb:
        async with client(sb, path) as sr:
            dates = (await sr.tracking(sb.campaign_id).campaign_dates()).dates
        end = dates[-3]  # before the latest collected date: final
        first, _ = await pull(sb, path, date_begin=dates[-10], date_end=end)
        mark = len(sb.requests)
        second, sr2 = await pull(sb, path, date_begin=dates[-10], date_end=end)
        assert second == first and kinds_since(sb, mark) == []  # not even the date check
        assert sr2.ledger.spent == 0 and sr2.ledger.cached == 2


async def test_nothing_older_than_30_days_is_served(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=100, rate_limit=None) as sb:
        async with client(sb, path) as sr:
            dates = (await sr.tracking(sb.campaign_id).campaign_dates()).dates
        window = {"date_begin": dates[0], "date_end": dates[-5]}  # final

        def cache() -> ResponseCache:
            return ResponseCache(path, clock=clock)

        first, _ = await pull(sb, cache(), **window)
        paid = charged(sb)
        clock.now += 30 * DAY - 60
        await pull(sb, cache(), **window)
        assert charged(sb) == paid  # 29 days 23:59 old: served
        clock.now += 120
        again, _ = await pull(sb, cache(), **window)
        assert again == first and charged(sb) == 2 * paid  # past 30 days: paid again


async def test_a_write_through_the_client_invalidates(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=120, rate_limit=None) as sb:
        first, _ = await pull(sb, path)
        async with client(sb, path) as sr:
            await sr.tracking(sb.campaign_id).add_keywords(["brand new keyword"])
        mark = len(sb.requests)
        after, _ = await pull(sb, path)
        assert len(after) == len(first) + 1
        assert kinds_since(sb, mark).count("tracking_position_organic") == 2


@pytest.mark.parametrize("prefetch", [1, 4])
async def test_a_half_cached_pull_gives_each_row_once_in_order(
    tmp_path: Path, prefetch: int
) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=1000, rate_limit=None) as sb:
        whole, _ = await pull(sb, None, prefetch=prefetch)
        half, _ = await pull(sb, path, max_rows=500)  # pages 0..4 kept
        assert half == whole[:500]
        paid = charged(sb)
        mixed, sr = await pull(sb, path, prefetch=prefetch)
        assert mixed == whole  # each row once, in order
        assert charged(sb) - paid == 500 * 100  # only the half not cached
        assert sr.ledger.cached == 5


async def test_a_foreign_file_is_never_used_nor_touched(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all " * 100)
    theirs = tmp_path / "theirs.sqlite"
    with sqlite3.connect(theirs) as conn:
        conn.execute("CREATE TABLE answers (key TEXT, body BLOB)")
        conn.execute("INSERT INTO answers VALUES ('x', 'y')")
    before = {p: p.read_bytes() for p in (garbage, theirs)}
    async with Sandbox(keywords=100, rate_limit=None) as sb:
        for path in (garbage, theirs):
            caplog.clear()
            with caplog.at_level(logging.WARNING, "asyncsemrush.cache"):
                for _ in range(2):
                    rows, _ = await pull(sb, path)
                    assert len(rows) == 100
            assert "is not used" in caplog.text
    assert {p: p.read_bytes() for p in (garbage, theirs)} == before
    assert charged(sb) == 4 * 100 * 100  # every pull paid: nothing was served


async def test_a_cache_file_locked_at_open_is_waited_for_then_used(tmp_path: Path) -> None:
    """A fresh file another process holds: ``PRAGMA journal_mode=WAL`` said "database
    is locked" at once, and the store refused the file for good (every later pull paid)."""
    from ..reliability.test_sqlite_faults import locked

    answer = CachedAnswer(200, "application/json", b"[]", 1.0, None, 10)
    path = tmp_path / "reports.sqlite"
    async with locked(path, seconds=0.6, begin="IMMEDIATE"):
        store = SqliteCacheStore(path, busy_timeout=5)
        assert await store.get("k", "p") is None  # waited for the lock, then looked up
    await store.put("k", "p", answer)
    assert store.usable and await store.get("k", "p") == answer
    await store.close()

    other = tmp_path / "other.sqlite"
    async with locked(other, seconds=1.5, begin="IMMEDIATE"):
        store = SqliteCacheStore(other, busy_timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await store.get("k", "p")  # a miss for the cache, not a refused file
    await store.put("k", "p", answer)
    assert store.usable and await store.get("k", "p") == answer
    await store.close()


async def test_a_corrupt_entry_is_dropped_not_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=100, rate_limit=None) as sb:
        first, _ = await pull(sb, path)
        with sqlite3.connect(path) as conn:  # a bit flipped in a stored body
            conn.execute("UPDATE answers SET body = replace(body, 'k', 'K')")
        with caplog.at_level(logging.WARNING, "asyncsemrush.cache"):
            again, _ = await pull(sb, path)
        assert again == first and "checksum" in caplog.text
        assert charged(sb) == 2 * 100 * 100


async def test_the_key_is_in_no_cache_entry(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=100, rate_limit=None) as sb:
        await pull(sb, path)
        store = SqliteCacheStore(path)
        await store.close()
    raw = b"".join(p.read_bytes() for p in sorted(tmp_path.iterdir()))  # noqa: ASYNC240
    assert sb.api_key.encode() not in raw and sb.api_key.upper().encode() not in raw


async def test_management_calls_are_never_cached(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=10, rate_limit=None) as sb:
        for _ in range(2):
            async with client(sb, path) as sr:
                await sr.projects.list()
                await sr.tracking(sb.campaign_id).campaign_dates()
        kinds = [r.report_type for r in sb.requests]
        assert kinds.count("project_list") == 2 and kinds.count("tracking_campaign_dates") == 2


def test_bad_cache_arguments_are_refused_before_anything(tmp_path: Path) -> None:
    from asyncsemrush import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="cache"):
        SemrushClient("k" * 32, cache=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="max_age"):
        ResponseCache(tmp_path / "c.sqlite", max_age=0)
    assert dt  # (the module's dates helper is used above)


async def test_a_capped_pull_makes_no_date_check_and_stays_within_max_units(
    tmp_path: Path,
) -> None:
    """A pull with max_units pays for its own pages only: no date check. What it stored
    without knowing the latest date is served for max_age (free rows do not count
    against max_units), each row once and in order."""
    path = tmp_path / "reports.sqlite"
    async with Sandbox(keywords=400, rate_limit=None) as sb:
        whole, _ = await pull(sb, None)
        mark, before = len(sb.requests), sb.units_charged
        first, _ = await pull(sb, path, max_units=25_000)
        assert first == whole[:250] and sb.units_charged - before == 25_000
        assert "tracking_campaign_dates" not in kinds_since(sb, mark)
        mark, before = len(sb.requests), sb.units_charged
        second, sr = await pull(sb, path, max_units=25_000)
        assert "tracking_campaign_dates" not in kinds_since(sb, mark)
        assert sb.units_charged - before <= 25_000 and sr.ledger.spent <= 25_000
        assert sr.ledger.cached >= 2 and second == whole[: len(second)]
        assert len(second) > len(first)  # the cached rows came free
