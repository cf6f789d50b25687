"""Bad parameters of the shared stores are named before any file or server is touched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from asyncsemrush.errors import InvalidParameterError
from asyncsemrush.stores.redis import RedisBudgetStore, RedisConcurrencyLimiter, RedisRateLimiter
from asyncsemrush.stores.sqlite import SqliteBudgetStore, SqliteRateLimiter

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("make", "parameter", "allowed"),
    [
        (lambda p: SqliteBudgetStore(p, limit=-1), "limit", "a whole number >= 0"),
        (lambda p: SqliteBudgetStore(p, limit=True), "limit", "a whole number"),
        (lambda p: SqliteBudgetStore(p, limit=10, lease=0), "lease", "seconds, a number > 0"),
        (lambda p: SqliteBudgetStore(p, limit=10, lease=NAN), "lease", "seconds, a number > 0"),
        (lambda p: SqliteRateLimiter(p, rate=0), "rate", "requests per second, a number > 0"),
        (lambda p: SqliteRateLimiter(p, rate=INF), "rate", "requests per second, a number > 0"),
        # redis=None: the check comes before the client is used at all
        (lambda p: RedisBudgetStore(None, limit=1.5), "limit", "a whole number"),  # type: ignore[arg-type]
        (lambda p: RedisBudgetStore(None, limit=1, lease=-1), "lease", "seconds, a number > 0"),
        (lambda p: RedisBudgetStore(None, limit=1, lease=INF), "lease", "seconds, a number > 0"),
        (lambda p: RedisBudgetStore(None, limit=1, window="week"), "window", "'day'"),  # type: ignore[arg-type]
        (lambda p: RedisRateLimiter(None, rate="10"), "rate", "requests per second"),  # type: ignore[arg-type]
        (lambda p: RedisConcurrencyLimiter(None, limit=0), "limit", "a whole number >= 1"),
    ],
)
def test_bad_store_parameters_are_named(
    tmp_path: Path, make: Callable[[Path], object], parameter: str, allowed: str
) -> None:
    path = tmp_path / "shared.sqlite"
    with pytest.raises(InvalidParameterError) as caught:
        make(path)
    assert caught.value.parameter == parameter
    assert allowed in caught.value.allowed
    assert not path.exists()  # no file was created for a store that cannot work
