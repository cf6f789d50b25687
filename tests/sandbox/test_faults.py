"""Each injected fault, and that a seed replays the same faults."""

from __future__ import annotations

import time

import aiohttp
import pytest

from asyncsemrush.sandbox import Faults, Sandbox

from .conftest import Raw, plain_session


async def _one(faults: Faults) -> tuple[Sandbox, object]:
    async with Sandbox(faults=faults, rate_limit=None) as sb, plain_session() as s:
        raw = Raw(sb, s)
        path, params = raw.report(
            "tracking_position_organic", url=sb.tracked_url, display_limit="5"
        )
        try:
            result: object = await raw.call("GET", path, params)
        except aiohttp.ClientError as exc:
            result = exc
    return sb, result


async def test_5xx_with_html_body_is_not_charged() -> None:
    sb, result = await _one(Faults(error_5xx=1.0))
    status, body, _ = result  # type: ignore[misc]
    assert status == 503 and body.startswith(b"<html>")
    assert sb.units_charged == 0 and sb.requests[0].fault == "5xx"


async def test_429_fault() -> None:
    sb, result = await _one(Faults(rate_429=1.0))
    assert result[0] == 429  # type: ignore[index]
    assert sb.units_charged == 0


async def test_drop_is_charged_then_the_connection_closes() -> None:
    sb, result = await _one(Faults(drop=1.0))
    assert isinstance(result, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)
    assert sb.units_charged == 500 and sb.requests[0].fault == "drop"


async def test_truncated_body() -> None:
    sb, result = await _one(Faults(truncate=1.0))
    assert isinstance(result, aiohttp.ClientPayloadError)
    assert sb.units_charged == 500 and sb.requests[0].fault == "truncate"


async def test_latency_with_jitter() -> None:
    started = time.monotonic()
    _sb, result = await _one(Faults(latency=0.2, jitter=0.05))
    assert time.monotonic() - started >= 0.14
    assert result[0] == 200  # type: ignore[index]


async def _statuses(seed: int) -> list[int]:
    faults = Faults(error_5xx=0.2, rate_429=0.1, seed=seed)
    async with Sandbox(faults=faults, rate_limit=None) as sb, plain_session() as s:
        raw = Raw(sb, s)
        return [(await raw.call("GET", "/users/countapiunits.html"))[0] for _ in range(40)]


async def test_faults_replay_from_their_seed() -> None:
    first, again, other = await _statuses(3), await _statuses(3), await _statuses(4)
    assert first == again
    assert first != other
    assert 2 <= first.count(503) <= 16 and 1 <= first.count(429) <= 10


def test_fault_knobs_are_validated() -> None:
    with pytest.raises(ValueError, match="sum"):
        Faults(error_5xx=0.8, drop=0.3)
    with pytest.raises(ValueError, match="jitter"):
        Faults(latency=0.1, jitter=0.2)
