"""The cache's one decision (``_rules.judge``), case by case: what is final, what is
checked, what ages out."""

from __future__ import annotations

import pytest

from asyncsemrush.cache._rules import CachedAnswer, CacheKey, judge

NOW = 1_800_000_000.0
DAY = 86_400.0


def entry(
    *, age: float = 60.0, latest: str | None = "20261130", worth: int = 100_000
) -> CachedAnswer:
    return CachedAnswer(200, "application/json", b"{}", NOW - age, latest, worth)


def key(date_end: str | None = None) -> CacheKey:
    return CacheKey("k", "1", "1_2", date_end)


@pytest.mark.parametrize(
    ("answer", "where", "known", "serve", "check"),
    [
        # final: its range ended before the latest date known when it was stored
        (entry(), key("20261129"), None, True, False),
        (entry(age=29 * DAY), key("20261129"), None, True, False),
        (entry(age=30 * DAY), key("20261129"), None, False, False),  # the terms
        (entry(age=-3600), key("20261129"), None, False, False),  # a clock that stepped
        # includes the latest date: the date learned recently decides, for free
        (entry(), key(), "20261130", True, False),
        (entry(), key(), "20261201", False, False),
        (entry(), key("20261130"), "20261201", False, False),  # ended on the then-latest
        # not known now: worth more than the check -> check
        (entry(), key(), None, False, True),
        # worth no more than the check: served until max_age
        (entry(worth=100), key(), None, True, False),
        (entry(worth=100, age=7200), key(), None, False, False),
        # stored without knowing the latest date: max_age alone
        (entry(latest=None), key("20261129"), None, True, False),
        (entry(latest=None, age=7200), key("20261129"), "20261130", False, False),
        (entry(latest=None, age=31 * DAY), key(), None, False, False),
    ],
)
def test_judge(
    answer: CachedAnswer, where: CacheKey, known: str | None, serve: bool, check: bool
) -> None:
    verdict = judge(answer, where, now=NOW, known_latest=known, check_price=100, max_age=3600)
    assert (verdict.serve, verdict.check) == (serve, check), verdict.reason
