"""The dialect seam, proven with a second dialect written here: a v4-like API (key in an
``Authorization: Apikey`` header, a ``meta``/``data``/``error`` envelope, ``limit``/
``offset``/``total_count``; ``../shared/reference/v4/COMMON.md``). The spine (budget,
verdict, retries, ledger, paginator) runs it unchanged, over MockTransport."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import pytest
from yarl import URL

from asyncsemrush import SemrushClient, UnitBudget, errors
from asyncsemrush._redact import Secret, redact
from asyncsemrush._wire import ApiRequest
from asyncsemrush.dialects import Dialect, PageAnswer
from asyncsemrush.pagination import AsyncPaginator, Shape
from asyncsemrush.pricing import Price, PriceTable, Usage
from asyncsemrush.transports import MockRequest, MockTransport, Outgoing, RawResponse

KEY = "v4key-0123456789abcdef0123456789ab"
ITEMS = [{"id": n, "name": f"item {n}"} for n in range(25)]


class EnvelopeDialect:
    """A v4-shaped API, in about fifty lines: all the spine needs to speak it."""

    name = "test-envelope"

    def prices(self) -> PriceTable:
        return PriceTable({"items": Price(per_line=10), "make": Price(per_request=50)})

    def outgoing(self, base: URL, request: ApiRequest, key: Secret) -> Outgoing:
        url = base.with_path(request.path).with_query(dict(request.params))
        body = None if request.json is None else orjson.dumps(request.json)

        def authorize(url: URL, headers: Mapping[str, str]) -> tuple[URL, Mapping[str, str]]:
            return url, {**headers, "Authorization": f"Apikey {key.reveal()}"}

        return Outgoing(request.method, url, {"Accept": "application/json"}, body, authorize)

    def failed(self, raw: RawResponse) -> bool:
        return raw.status >= 400

    def decode(self, raw: RawResponse, request: ApiRequest, url_redacted: str) -> Any:
        try:
            envelope = orjson.loads(raw.body)
        except orjson.JSONDecodeError:
            envelope = None
        if not isinstance(envelope, dict) or "meta" not in envelope:
            if self.failed(raw):
                cls = errors.http_error_for_status(raw.status)
                raise cls(None, f"HTTP {raw.status}", raw.status, request.method, url_redacted)
            raise errors.MalformedResponseError("no envelope", status=raw.status)
        if "error" in envelope:
            code, message = envelope["error"]["code"], redact(envelope["error"]["message"])
            if raw.status == 429 or raw.status >= 500:  # busy: a bare status, retried
                cls = errors.http_error_for_status(raw.status)
                raise cls(None, message, raw.status, request.method, url_redacted)
            raise errors.api_error_for_code(code)(
                code, message, raw.status, request.method, url_redacted
            )
        return envelope

    def peek_total(self, raw: RawResponse, *, rows_key: str, limit: int) -> int | None:
        return None  # the envelope's meta may come after the rows: wait for the decode

    def read_page(self, data: Any, *, rows_key: str, page_mode: bool) -> PageAnswer:
        meta = data["meta"]
        return PageAnswer(data[rows_key], f"$.{rows_key}", meta["total_count"], meta["offset"])


def envelope(status: int, **parts: Any) -> RawResponse:
    meta = {"success": status < 400, "status_code": status, **parts.pop("meta", {})}
    return RawResponse(status, "application/json", orjson.dumps({"meta": meta, **parts}))


class Api:
    """The server side of the test: pages of ITEMS, one busy answer at offset 10."""

    def __init__(self) -> None:
        self.busy_once = {10}
        self.seen: list[MockRequest] = []

    def __call__(self, request: MockRequest) -> RawResponse:
        self.seen.append(request)
        if request.headers.get("Authorization") != f"Apikey {KEY}":
            shown = request.headers.get("Authorization", "")
            return envelope(401, error={"code": 40101, "message": f"bad credential {shown}"})
        if "key" in request.url.query:
            return envelope(400, error={"code": 40001, "message": "no keys in URLs"})
        offset, limit = int(request.url.query["offset"]), int(request.url.query["limit"])
        if offset in self.busy_once:
            self.busy_once.discard(offset)
            return envelope(503, error={"code": 50301, "message": "busy"})
        rows = ITEMS[offset : offset + limit]
        meta = {"limit": limit, "offset": offset, "total_count": len(ITEMS)}
        return envelope(200, meta=meta, data=rows)


def items(sr: SemrushClient, **options: Any) -> AsyncPaginator[dict[str, Any]]:
    def request(offset: int, limit: int) -> ApiRequest:
        params = {"limit": str(limit), "offset": str(offset)}
        return ApiRequest(
            "GET", "/apis/v4/test/v1/items", "items", params, usage=Usage(lines=limit)
        )

    def parse(rows: Any, where: str) -> tuple[list[Any], errors.ResponseFormatError | None]:
        return list(rows), None

    shape = Shape(request=request, parse=parse, identity="id")
    return AsyncPaginator(sr._sender, shape, report_type="items", **options)


def test_the_test_dialect_is_a_dialect() -> None:
    assert isinstance(EnvelopeDialect(), Dialect)


async def test_a_second_dialect_pulls_through_the_unchanged_spine() -> None:
    api = Api()
    budget = UnitBudget(1_000)
    async with SemrushClient(
        KEY,
        base_url="https://api.example.test",
        transport=MockTransport(api),
        dialect=EnvelopeDialect(),
        budget=budget,
        rate_limit=None,
    ) as sr:
        assert "items" in sr.prices and "tracking_position_organic" not in sr.prices
        pager = items(sr, page_size=10, prefetch=2)
        rows = await pager.collect()
    assert [r["id"] for r in rows] == list(range(25))  # in order, each once
    assert budget.spent == sr.ledger.spent == 250  # 25 rows at 10; the 503 was free
    assert budget.reserved == 0
    retried = [e for e in sr.ledger.entries if e.attempts == 2]
    assert len(retried) == 1 and retried[0].attempt_log == ("503", "200")
    assert all("key=" not in str(r.url) for r in api.seen)  # the key went in the header only


async def test_a_second_dialects_errors_and_key_stay_its_own() -> None:
    api = Api()
    async with SemrushClient(
        "not-the-right-key-000",
        base_url="https://api.example.test",
        transport=MockTransport(api),
        dialect=EnvelopeDialect(),
        budget=UnitBudget(1_000),
    ) as sr:
        with pytest.raises(errors.ApiError) as caught:
            await items(sr, page_size=10).collect()
    assert caught.value.code == 40101 and caught.value.status == 401
    assert "not-the-right-key-000" not in str(caught.value)  # an echoed key is redacted
    assert len(api.seen) == 1  # a 401 is final, never retried
    assert sr.ledger.spent == 0 and sr.budget is not None and sr.budget.reserved == 0
