"""The send path over real HTTP: retries, backoff, POST safety, timeouts, size caps."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest
from aiohttp import web

from asyncsemrush import RetryPolicy, UnitBudget, errors
from asyncsemrush._wire import ApiRequest
from asyncsemrush.pricing import Usage

from ._server import ScriptedServer, drop, hang, json_body, reply
from .conftest import TEST_KEY, make_client

POSITIONS = "/reports/v1/projects/1_2/tracking/"
PAGE = {"total": "3", "limit": "3", "offset": "0", "data": {"0": {}, "1": {}, "2": {}}}


def positions(limit: int = 3) -> ApiRequest:
    return ApiRequest(
        "GET",
        POSITIONS,
        "tracking_position_organic",
        params={
            "action": "report",
            "type": "tracking_position_organic",
            "display_limit": str(limit),
        },
        usage=Usage(lines=limit),
    )


CREATE = ApiRequest(
    "POST", "/management/v1/projects", "project_create", json={"project_name": "p", "url": "x.com"}
)


async def test_success_settles_to_rows_returned(server: ScriptedServer) -> None:
    server.queue(POSITIONS, reply(body=json_body(PAGE)))
    budget = UnitBudget(10_000)
    async with make_client(server.base_url, budget=budget) as sr:
        resp = await sr._execute(positions(10))
    assert resp.units == 300
    assert resp.attempts == 1
    assert resp.usage.lines == 3
    assert (budget.spent, budget.reserved) == (300, 0)
    (entry,) = sr.ledger.entries
    assert (entry.estimated, entry.actual, entry.lines, entry.outcome) == (1000, 300, 3, "ok")
    seen = server.seen[0]
    assert seen.query["key"] == TEST_KEY
    assert seen.query["display_limit"] == "10"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(server: ScriptedServer, status: int) -> None:
    server.queue(POSITIONS, reply(status, "<html>busy</html>", content_type="text/html"))
    server.queue(POSITIONS, reply(body=json_body(PAGE)))
    async with make_client(server.base_url, budget=UnitBudget(1000)) as sr:
        resp = await sr._execute(positions())
    assert resp.attempts == 2
    assert resp.units == 300
    (entry,) = sr.ledger.entries
    assert entry.attempt_log == (str(status), "200")
    assert entry.actual == 300
    assert sr.budget is not None
    assert sr.budget.spent == 300


async def test_retries_give_up_after_max_attempts(server: ScriptedServer) -> None:
    server.default(POSITIONS, reply(503, "<html>down</html>", content_type="text/html"))
    budget = UnitBudget(1000)
    async with make_client(server.base_url, budget=budget) as sr:
        with pytest.raises(errors.ServiceUnavailableError):
            await sr._execute(positions())
    assert len(server.seen) == 4
    (entry,) = sr.ledger.entries
    assert entry.outcome == "error"
    assert entry.attempts == 4
    assert entry.actual == 0
    assert (budget.spent, budget.reserved) == (0, 0)


async def test_fatal_errors_are_not_retried(server: ScriptedServer) -> None:
    server.default(POSITIONS, reply(400, '{"code": 512, "message": "Can\'t find project"}'))
    async with make_client(server.base_url) as sr:
        with pytest.raises(errors.ProjectNotFoundError):
            await sr._execute(positions())
    assert len(server.seen) == 1


async def test_retry_after_seconds_and_date_are_honoured(server: ScriptedServer) -> None:
    async def date_503(request: web.Request) -> web.StreamResponse:
        # An HTTP date has one-second resolution: 2.5 s ahead means a wait of 1.5-2.5 s.
        later = email.utils.formatdate(time.time() + 2.5, usegmt=True)
        return web.Response(status=503, text="{}", headers={"Retry-After": later})

    server.queue(POSITIONS, reply(429, "{}", headers={"Retry-After": "0.3"}), date_503)
    server.queue(POSITIONS, reply(body=json_body(PAGE)))
    async with make_client(server.base_url) as sr:
        await sr._execute(positions())
    t = [s.time for s in server.seen]
    assert t[1] - t[0] >= 0.29
    assert 1.4 <= t[2] - t[1] <= 3.0


async def test_retry_after_is_capped(server: ScriptedServer) -> None:
    server.queue(POSITIONS, reply(429, "{}", headers={"Retry-After": "86400"}))
    server.queue(POSITIONS, reply(body=json_body(PAGE)))
    policy = RetryPolicy(max_attempts=2, backoff_base=0.01, retry_after_max=0.2)
    async with make_client(server.base_url, retry=policy) as sr:
        started = time.monotonic()
        await sr._execute(positions())
    assert time.monotonic() - started < 2


async def test_post_is_not_retried_after_it_may_have_arrived(server: ScriptedServer) -> None:
    server.queue("/management/v1/projects", reply(503, "<html></html>", content_type="text/html"))
    async with make_client(server.base_url) as sr:
        with pytest.raises(errors.ServiceUnavailableError):
            await sr._execute(CREATE)
    server.queue("/management/v1/projects", drop())
    async with make_client(server.base_url) as sr:
        with pytest.raises(errors.ConnectionFailedError) as info:
            await sr._execute(CREATE)
    assert info.value.sent
    assert len(server.seen) == 2  # one attempt each, never repeated
    assert sr.ledger.entries[0].outcome == "uncertain"  # a dropped create may exist


async def test_post_is_retried_when_the_connection_never_opened(closed_port: int) -> None:
    budget = UnitBudget(1000)
    async with make_client(f"http://127.0.0.1:{closed_port}", budget=budget) as sr:
        with pytest.raises(errors.ConnectionFailedError) as info:
            await sr._execute(CREATE)
    assert not info.value.sent
    (entry,) = sr.ledger.entries
    assert entry.attempts == 4
    assert entry.attempt_log == ("connect-failed",) * 4
    assert (entry.actual, budget.spent, budget.reserved) == (0, 0, 0)


async def test_dropped_get_is_retried_and_charged_as_uncertain(server: ScriptedServer) -> None:
    server.queue(POSITIONS, drop(), reply(body=json_body(PAGE)))
    budget = UnitBudget(10_000)
    async with make_client(server.base_url, budget=budget) as sr:
        resp = await sr._execute(positions(10))
    # The dropped attempt may have been billed: it counts at its worst case (1000).
    assert resp.units == 1300
    assert budget.spent == 1300
    assert budget.reserved == 0
    (entry,) = sr.ledger.entries
    assert entry.outcome == "ok"
    assert entry.uncertain
    assert entry.attempt_log == ("disconnected?", "200")


async def test_hung_server_times_out_and_settles_uncertain(server: ScriptedServer) -> None:
    server.default(POSITIONS, hang())
    budget = UnitBudget(10_000)
    policy = RetryPolicy(max_attempts=1)
    async with make_client(server.base_url, budget=budget, retry=policy, timeout=0.3) as sr:
        started = time.monotonic()
        with pytest.raises(errors.RequestTimeoutError):
            await sr._execute(positions(10))
        assert time.monotonic() - started < 2
    assert (budget.spent, budget.reserved) == (1000, 0)
    assert sr.ledger.entries[0].outcome == "uncertain"


async def test_cancelled_request_settles_its_reservation(server: ScriptedServer) -> None:
    server.default(POSITIONS, hang())
    budget = UnitBudget(10_000)
    async with make_client(server.base_url, budget=budget) as sr:
        task = asyncio.create_task(sr._execute(positions(10)))
        await asyncio.wait_for(server.arrived.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (budget.spent, budget.reserved) == (1000, 0)
    assert sr.ledger.entries[0].outcome == "uncertain"


async def test_cancel_before_sending_releases(server: ScriptedServer) -> None:
    budget = UnitBudget(10_000)
    async with make_client(server.base_url, budget=budget, rate_limit=0.5) as sr:
        server.default("/users/countapiunits.html", reply(body="1", content_type="text/html"))
        await sr.balance()  # takes the limiter's slot; the next waits ~2 s
        task = asyncio.create_task(sr._execute(positions(10)))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (budget.spent, budget.reserved) == (0, 0)
    assert len(sr.ledger) == 1  # the cancelled request sent nothing


async def test_oversized_response_is_refused(server: ScriptedServer) -> None:
    server.default(POSITIONS, reply(body=b"[" + b"1," * 5000 + b"1]"))
    async with make_client(server.base_url, max_response_bytes=1000) as sr:
        with pytest.raises(errors.ResponseTooLargeError):
            await sr._execute(positions())
    assert len(server.seen) == 1


async def test_malformed_success_is_typed_and_not_retried(server: ScriptedServer) -> None:
    server.default(POSITIONS, reply(body=b'{"total": "3", "data": {'))
    async with make_client(server.base_url) as sr:
        with pytest.raises(errors.MalformedResponseError):
            await sr._execute(positions())
    assert len(server.seen) == 1


async def test_redirects_are_not_followed(server: ScriptedServer) -> None:
    server.default(POSITIONS, reply(302, "", headers={"Location": "http://127.0.0.2/steal"}))
    async with make_client(server.base_url) as sr:
        with pytest.raises(errors.HttpStatusError) as info:
            await sr._execute(positions())
    assert info.value.status == 302
    assert len(server.seen) == 1


async def test_json_body_is_sent(server: ScriptedServer) -> None:
    server.default("/management/v1/projects", reply(body='{"project_id": 1, "project_name": "p"}'))
    async with make_client(server.base_url, budget=UnitBudget(1000)) as sr:
        resp = await sr._execute(CREATE)
    assert resp.data["project_id"] == 1
    assert resp.units == 100
    assert server.seen[0].body == b'{"project_name":"p","url":"x.com"}'


async def test_a_finished_attempt_does_not_keep_its_answer_alive() -> None:
    """Issue 15 (memory not flat at 1,000,000 rows): aiohttp schedules its keep-alive
    cleanup while the attempt is the context's current one; that timer kept the attempt
    for 15 s, and the attempt its clock, the clock its task, the task its answer: tens
    of pages' bodies alive at once. Now a pull holds only what is in flight."""
    import gc

    from asyncsemrush import SemrushClient
    from asyncsemrush._send import Sent
    from asyncsemrush.sandbox import Sandbox

    def alive() -> int:
        gc.collect()  # (cyclic garbage of earlier tests is not what this counts)
        return sum(1 for o in gc.get_objects() if type(o) is Sent)

    before = alive()  # what other tests left reachable is not this pull's
    async with Sandbox(keywords=3000, rate_limit=None) as sb:
        async with SemrushClient(sb.api_key, base_url=sb.base_url, rate_limit=None) as sr:
            most = 0
            async for page in (
                sr.tracking(sb.campaign_id).positions(page_size=100, prefetch=2).pages()
            ):
                most = max(most, alive() - before)
                del page
        assert len(sb.requests) == 30
    assert most <= 2 + 1  # the pages in flight and the one being taken
