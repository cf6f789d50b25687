"""The API key appears in no exception, repr, log line, ledger entry or export."""

from __future__ import annotations

import json
import logging
import traceback

import aiohttp
import pytest
from aioresponses import aioresponses

from asyncsemrush import SemrushError, UnitBudget, errors

from ._server import ScriptedServer, drop, json_body, reply
from .conftest import TEST_KEY, make_client
from .test_transport import CREATE, PAGE, POSITIONS, positions


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert TEST_KEY not in text, text


async def test_key_appears_nowhere_in_a_full_session(
    server: ScriptedServer, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.queue(
        POSITIONS, reply(503, f"<html>echo key={TEST_KEY}</html>", content_type="text/html")
    )
    server.queue(POSITIONS, drop(), reply(body=json_body(PAGE)))
    server.queue(POSITIONS, reply(400, json.dumps({"code": 120, "message": f"bad key {TEST_KEY}"})))
    server.queue(POSITIONS, reply(200, f"ERROR 122 :: {TEST_KEY}", content_type="text/html"))
    server.queue(POSITIONS, reply(200, f"<html>{TEST_KEY}</html>", content_type="text/html"))
    raised: list[BaseException] = []
    budget = UnitBudget(100_000)
    async with make_client(server.base_url, budget=budget) as sr:
        await sr._execute(positions())
        for _ in range(3):
            try:
                await sr._execute(positions())
            except SemrushError as exc:
                raised.append(exc)
        async with make_client(f"http://127.0.0.1:{closed_port}") as dead:
            try:
                await dead._execute(CREATE)
            except SemrushError as exc:
                raised.append(exc)
        assert_clean(repr(sr), str(sr.ledger), repr(budget), repr(sr.ledger.entries))
        assert_clean(json.dumps(sr.ledger.as_dicts()))
    assert [type(e) for e in raised] == [
        errors.WrongKeyIdPairError,
        errors.WrongKeyFormatError,
        errors.MalformedResponseError,
        errors.ConnectionFailedError,
    ]
    for exc in raised:
        assert_clean(str(exc), repr(exc), "".join(traceback.format_exception(exc)))
    assert "key=REDACTED" in raised[0].url_redacted or "key" not in raised[0].url_redacted
    # DEBUG logs show every attempt, retries included, and never the key.
    messages = [r.getMessage() for r in caplog.records]
    assert_clean(*messages)
    assert any("attempt 1 -> 503" in m for m in messages)
    assert any("retrying in" in m for m in messages)
    assert any("disconnected?" in m for m in messages)


def test_log_filter_scrubs_foreign_records(caplog: pytest.LogCaptureFixture) -> None:
    make_client("http://127.0.0.1:1")  # registers the key and installs the filter
    caplog.set_level(logging.DEBUG)
    logging.getLogger("asyncsemrush").debug("GET https://x/?key=%s&a=1", TEST_KEY)
    logging.getLogger("asyncsemrush").debug("bare %s", TEST_KEY)
    assert_clean(*(r.getMessage() for r in caplog.records))
    assert "key=REDACTED&a=1" in caplog.records[0].getMessage()


async def test_aiohttp_errors_never_escape_unwrapped() -> None:
    # A payload error mid-body cannot be provoked reliably from a real server.
    base = "https://api.semrush.com"
    with aioresponses() as mocked:
        mocked.get(
            f"{base}{POSITIONS}?action=report&display_limit=3&key={TEST_KEY}"
            "&type=tracking_position_organic",
            exception=aiohttp.ClientPayloadError(
                f"Response payload is not completed key={TEST_KEY}"
            ),
            repeat=True,
        )
        sr = make_client(base)
        try:
            with pytest.raises(errors.ConnectionFailedError) as info:
                await sr._execute(positions())
        finally:
            await sr.close()
    exc = info.value
    assert exc.sent
    assert exc.__cause__ is None
    assert_clean(str(exc), "".join(traceback.format_exception(exc)))
    assert sr.ledger.entries[0].attempts == 4


def _everything(err: BaseException, *, locals_too: bool = True) -> str:
    """What an error reporter can see: the chain (cause and context), every attribute,
    and (``locals_too``) every frame local of every traceback in it."""
    parts: list[str] = []
    seen: set[int] = set()
    node: BaseException | None = err
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        parts.append(repr(node) + str(node))
        for name in dir(node):
            if not name.startswith("__"):
                try:
                    parts.append(repr(getattr(node, name)))
                except Exception:
                    continue
        node = node.__cause__ or node.__context__
    if locals_too:  # every frame but this test's own (which holds the key to compare)
        te: traceback.TracebackException | None = traceback.TracebackException.from_exception(
            err, capture_locals=True
        )
        while te is not None:
            for frame in te.stack:
                if frame.filename != __file__:
                    parts.append(f"{frame.filename}:{frame.lineno} {frame.locals}")
            te = te.__cause__ or te.__context__
    return "\n".join(parts)


async def test_no_error_shows_the_key_in_its_chain_attributes_or_frame_locals(
    server: ScriptedServer,
) -> None:
    """Issue 14: frame locals held the keyed URL; `from None` kept aiohttp's and orjson's
    exceptions (the keyed URL, the echoed body) as __context__; an upper-cased echo was
    not redacted."""
    from ._server import hang

    upper = TEST_KEY.upper()
    # bodies that echo the key (the server's data: read, then shown nowhere)
    server.queue(
        POSITIONS, reply(500, f"<html>{upper} and {TEST_KEY}</html>", content_type="text/html")
    )
    server.queue(
        POSITIONS, reply(200, f'{{"broken": "{TEST_KEY}"', content_type="application/json")
    )
    server.queue(POSITIONS, reply(400, json.dumps({"code": 120, "message": f"bad key {upper}"})))
    # failures where only our own frames could hold the key: their locals are checked too
    server.queue(POSITIONS, drop())
    server.queue(POSITIONS, hang())
    server.queue(POSITIONS, reply(503, "<html>busy</html>", content_type="text/html"))
    caught: list[BaseException] = []
    from asyncsemrush import RetryPolicy

    async with make_client(server.base_url, retry=RetryPolicy(max_attempts=1), timeout=0.5) as sr:
        for _ in range(6):
            try:
                await sr._execute(positions())
            except SemrushError as exc:
                caught.append(exc)
    kinds = [type(e).__name__ for e in caught]
    assert len(caught) == 6 and {"MalformedResponseError", "RequestTimeoutError"} <= set(kinds)
    for n, err in enumerate(caught):
        seen = _everything(err, locals_too=n >= 3)
        assert TEST_KEY not in seen and upper not in seen, kinds[n]
