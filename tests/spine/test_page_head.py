"""A page's ``total`` read from the head of its body, so that the next pages leave while
the first one decodes: the dialect reads it only from a plain head (golden cases: the
documented answers' heads), and the paginator uses it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web

from asyncsemrush import SemrushClient, UnitBudget
from asyncsemrush.dialects.semrush_v3 import SemrushV3
from asyncsemrush.sandbox import Sandbox
from asyncsemrush.transports import RawResponse

from .._server import ScriptedServer
from ..conftest import make_client
from ..test_transport import POSITIONS

# The heads of documented answers, as the pages print them (2015 reference, 001) and as
# CURRENT_V3 lists today's top level (total, state, limit, offset, data).
PEEKS: list[tuple[bytes, int | None]] = [
    (b'{ "total": "199", "limit": "10", "offset": "0", "data": { "0": { "Pi": "12', 199),
    (b'{"total":1204,"state":"success","limit":1000,"offset":0,"data":{"0":{"Pi":"1', 1204),
    (b'{ "total": "9", "last_crawl": "2", "data": { "0": { "Dt": "20140401", }', 9),
    (b'{ "limit":10, "page":1, "total":101, "data":[ { "title":"Web', 101),
    # the main domain's row before total (competitors): not a plain head
    (b'{ "Md": { "Ur": "alibaba.com", "Dt": {} }, "total": "12706", "data": {', None),
    (b'{"total":"5","total":"6","data":{}}', None),  # said twice: the decoder keeps the last
    (b'{"a":"x\\",\\"total\\":\\"9","total":"3","data":{}}', None),  # an escape: not plain
    (b'{"total":"-5","data":{}}', None),
    (b'{"total":"12","rows":{}}', None),  # not the rows asked for
    (b'{"limit":"10","data":{"total":"3"}}', None),
    (b'{"total":"' + b"9" * 19 + b'","data":{}}', None),
    (b'{"data":{"0":{}},"total":"1"}', None),  # after the rows: only the decode knows
    (b"ERROR 50 :: NOTHING FOUND", None),
]


def test_a_head_that_echoes_a_smaller_page_is_not_peeked() -> None:
    """The service served 500 rows a page for 1,000 asked: the pages after this one
    must not leave at the asked size's offsets; the decoded page tells the pull."""
    raw = RawResponse(200, "application/json", b'{"total":"9000","limit":"500","data":{')
    assert SemrushV3().peek_total(raw, rows_key="data", limit=1000) is None
    assert SemrushV3().peek_total(raw, rows_key="data", limit=500) == 9000


@pytest.mark.parametrize(("body", "total"), PEEKS)
def test_a_page_total_is_peeked_only_from_a_plain_head(body: bytes, total: int | None) -> None:
    raw = RawResponse(200, "application/json", body)
    echoed = re.search(rb'"limit":\s*"?(\d+)', body)
    limit = int(echoed.group(1)) if echoed else 10
    assert SemrushV3().peek_total(raw, rows_key="data", limit=limit) == total
    failed = RawResponse(500, "application/json", body)
    assert SemrushV3().peek_total(failed, rows_key="data", limit=limit) is None


class Recorder:
    """A rate limiter that limits nothing and notes each start."""

    rate = 1000.0

    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def acquire(self) -> None:
        self.events.append("start")


@pytest.mark.parametrize("edition", ["today", "2015"])
async def test_the_second_page_leaves_before_the_first_is_decoded(
    edition: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the first page was decoded (15-35 ms for 1,000 rows) before ``total`` let
    any other page leave: at 10/s the second start trailed the first answer by 21-37 ms.
    With the total peeked from the head, page two takes its slot first; the pull is the
    same, row for row, and costs the same."""
    events: list[str] = []
    real = SemrushV3.decode

    def decode(self: SemrushV3, raw: RawResponse, request: Any, url: str) -> Any:
        events.append(f"decode {request.params.get('display_offset')}")
        return real(self, raw, request, url)

    budget = UnitBudget(10**8)
    async with (
        Sandbox(keywords=1200, rate_limit=None, seed=5, edition=edition) as sb,
        SemrushClient(
            sb.api_key, base_url=sb.base_url, budget=budget, rate_limit=Recorder(events)
        ) as sr,
    ):
        pager = sr.tracking(sb.campaign_id).positions(sb.tracked_url, page_size=300)
        monkeypatch.setattr(SemrushV3, "decode", decode)
        rows = [row.keyword_id async for row in pager]
        monkeypatch.undo()
        assert len(rows) == len(set(rows)) == 1200
        assert sr.ledger.spent == sb.units_charged == 1200 * 100
    first = events.index("decode 0")
    assert events[:first].count("start") >= 2, events


async def test_a_head_that_lies_about_total_costs_only_pages_the_pull_was_willing_to_pay(
    server: ScriptedServer,
) -> None:
    """A hostile page 0: its head says 3,000 rows, a second ``total`` after the rows (the
    decoder keeps the last) says 300. The pages the peek sent past row 300 are settled
    at what the server charged and dropped: the pull delivers the 300 rows once, and
    the budget and the ledger agree on every unit."""

    def page(offset: int, rows: int, tail: bytes = b"") -> bytes:
        data = ",".join(f'"{n}":{{"Pi":"{offset + n}","Ph":"k{offset + n}"}}' for n in range(rows))
        head = b'{"total":"%d","limit":"100","offset":"%d","data":{' % (3000, offset)
        return head + data.encode() + b"}" + tail + b"}"

    async def handler(request: web.Request) -> web.StreamResponse:
        offset = int(request.query["display_offset"])
        rows = max(min(100, 300 - offset), 0)
        tail = b',"total":"300"' if offset == 0 else b""
        body = page(offset, rows, tail)
        if offset:  # later pages tell the truth
            body = body.replace(b'"total":"3000"', b'"total":"300"')
        return web.Response(body=body, content_type="application/json")

    server.default(POSITIONS, handler)
    budget = UnitBudget(10**6)
    async with make_client(server.base_url, budget=budget) as sr:
        pager = sr.tracking("1_2").positions("*.a.com/*", page_size=100)
        ids = [row.keyword_id async for row in pager]
        assert ids == [str(n) for n in range(300)]
        assert budget.reserved == 0 and budget.spent == sr.ledger.spent == 300 * 100
    offsets = sorted(int(s.query["display_offset"]) for s in server.seen)
    assert offsets[:3] == [0, 100, 200] and len(offsets) <= 5  # at most the depth past
