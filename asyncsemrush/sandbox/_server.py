"""The sandbox's HTTP machinery: key check, limits, faults, charging, recording."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
import orjson
from aiohttp import web

from ..pricing import PriceTable, Usage
from ._state import SandboxError, World
from ._tracking import RowIndex

_KEY_SHAPE = re.compile(r"^[0-9a-f]{32}$")
_GATEWAY_PAGE = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"
)


@attrs.frozen
class Faults:
    """Fault injection, off by default. Probabilities are per request; seeded.

    ``error_5xx``: a 503 with an HTML body (nothing charged). ``rate_429``: a 429
    (nothing charged). ``drop``: the request is processed and charged, then the
    connection is closed without an answer. ``truncate``: processed and charged, then
    the body is cut short. ``latency`` ± ``jitter`` seconds are added to every request.
    """

    error_5xx: float = 0.0
    rate_429: float = 0.0
    drop: float = 0.0
    truncate: float = 0.0
    latency: float = 0.0
    jitter: float = 0.0
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        total = self.error_5xx + self.rate_429 + self.drop + self.truncate
        if (
            not 0.0 <= total <= 1.0
            or min(self.error_5xx, self.rate_429, self.drop, self.truncate) < 0
        ):
            raise ValueError("fault probabilities must be >= 0 and sum to at most 1")
        if (
            self.latency < 0
            or self.jitter < 0
            or (self.jitter > self.latency + 1e-9 and self.latency)
        ):
            raise ValueError("latency and jitter must be >= 0, jitter <= latency")


@attrs.frozen
class RecordedRequest:
    """One request as the sandbox saw it (the key redacted)."""

    method: str
    path: str
    query: Mapping[str, str]
    time: float  # time.monotonic() at arrival
    status: int
    units: int
    report_type: str
    fault: str | None = None


@attrs.define
class Reply:
    """What a handler answers: JSON data (or text), its price key and usage."""

    data: Any
    report_type: str
    usage: Usage = attrs.field(factory=Usage)
    text: bool = False
    body: bytes | None = None  # pre-rendered


class Ctx:
    """Per-request helpers handed to route handlers."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    def affordable(self, report_type: str, wanted: int) -> int:
        """Lines (or snapshots) the balance pays for, at most ``wanted``; 132 at zero."""
        price = self.server.prices[report_type]
        each = price.per_line or price.per_snapshot
        balance = self.server.balance - price.per_request
        if self.server.balance <= 0 or balance < 0:
            raise SandboxError(132, "API units balance is zero")
        if not each:
            return wanted
        lines = min(wanted, balance // each)
        if lines == 0 and wanted > 0:
            raise SandboxError(132, "API units balance is zero")
        return lines


Handler = Callable[[web.Request, Ctx], Awaitable[Reply]]


def densest_window(times: list[float], window: float = 1.0) -> tuple[int, list[float]]:
    """The most of ``times`` that fall within any half-open ``window`` of seconds, and
    the sorted times from the first of them on (what a failing check shows)."""
    times = sorted(times)
    best, first, j = 0, 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        if i - j + 1 > best:
            best, first = i - j + 1, j
    return best, times[first:]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most of ``times`` that fall within any half-open ``window`` of seconds."""
    return densest_window(times, window)[0]


class SandboxServer:
    """Owns the world, the balance, the request log and the aiohttp application."""

    def __init__(
        self,
        world: World,
        *,
        api_key: str,
        units: int,
        rate_limit: float | None,
        max_concurrent: int,
        faults: Faults,
        page_cache_bytes: int,
        api_disabled: bool = False,
        max_page_size: int | None = None,
    ) -> None:
        self.world = world
        self.max_page_size = max_page_size
        self.api_key = api_key
        self.balance = units
        self.rate_limit = rate_limit
        self.max_concurrent = max_concurrent
        self.faults = faults
        self.api_disabled = api_disabled
        self.prices = PriceTable()
        self.requests: list[RecordedRequest] = []
        self.units_charged = 0
        self._rng = random.Random(faults.seed)
        self._admitted: deque[float] = deque()
        self._in_flight = 0
        self.max_in_flight = 0
        self.rows = RowIndex()
        self.page_cache: OrderedDict[tuple[Any, ...], tuple[bytes, int]] = OrderedDict()
        self._page_cache_bytes = page_cache_bytes
        self._cached_bytes = 0

    # ---------------------------------------------------------------- plumbing

    def app(self, routes: Callable[[SandboxServer], list[web.RouteDef]]) -> web.Application:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.add_routes(routes(self))
        return app

    def wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def run(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, handler)

        return run

    def _record(
        self,
        request: web.Request,
        arrived: float,
        status: int,
        units: int,
        rtype: str,
        fault: str | None,
    ) -> None:
        query = {k: ("REDACTED" if k == "key" else v) for k, v in request.query.items()}
        self.requests.append(
            RecordedRequest(
                request.method, request.path, query, arrived, status, units, rtype, fault
            )
        )

    def _rate_ok(self, now: float) -> bool:
        """At most ``rate_limit`` admitted arrivals in any 0.95-s window.

        The 50 ms of slack absorbs network jitter for a client that spaces its starts
        exactly 1/rate apart; a client that bursts is still caught.
        """
        if self.rate_limit is None:
            return True
        window = 1.0 - 0.05
        while self._admitted and self._admitted[0] <= now - window:
            self._admitted.popleft()
        if len(self._admitted) >= self.rate_limit:
            return False
        self._admitted.append(now)
        return True

    def _check_key(self, request: web.Request) -> None:
        key = request.query.get("key", "")
        if not key:
            raise SandboxError(122, "Wrong format or empty key")
        if not _KEY_SHAPE.match(key):
            raise SandboxError(121, "Wrong format or empty hash")
        if key != self.api_key:
            raise SandboxError(120, "Wrong key - ID pair")
        if self.api_disabled:
            raise SandboxError(130, "API disabled")

    def _error(self, request: web.Request, exc: SandboxError) -> web.Response:
        if request.path.endswith("countapiunits.html"):
            return web.Response(status=200, text=f"ERROR {exc.code} :: {exc.message.upper()}")
        if exc.code == 0:  # HTTP-level answers without a Semrush code
            return web.json_response({"message": exc.message}, status=exc.status)
        return web.json_response({"code": exc.code, "message": exc.message}, status=exc.status)

    async def _serve(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        arrived = time.monotonic()
        faults = self.faults
        draw = self._rng.random()
        delay = faults.latency + (
            self._rng.uniform(-faults.jitter, faults.jitter) if faults.jitter else 0.0
        )
        if self._in_flight >= self.max_concurrent or not self._rate_ok(arrived):
            self._record(request, arrived, 429, 0, "", "rate")
            return web.json_response({"message": "Call rate limit reached."}, status=429)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            fault = None
            if draw < faults.error_5xx:
                self._record(request, arrived, 503, 0, "", "5xx")
                return web.Response(
                    status=503,
                    text=_GATEWAY_PAGE,
                    content_type="text/html",
                )
            draw -= faults.error_5xx
            if draw < faults.rate_429:
                self._record(request, arrived, 429, 0, "", "429")
                return web.json_response({"message": "Call rate limit reached."}, status=429)
            draw -= faults.rate_429
            if draw < faults.drop:
                fault = "drop"
            elif draw < faults.drop + faults.truncate:
                fault = "truncate"
            try:
                self._check_key(request)
                reply = await handler(request, Ctx(self))
            except SandboxError as exc:
                self._record(request, arrived, exc.status, 0, "", None)
                return self._error(request, exc)
            units = self.prices.cost(reply.report_type, reply.usage)
            if units > self.balance:  # handlers check; this is the last line of defence
                self._record(request, arrived, 400, 0, reply.report_type, None)
                return self._error(request, SandboxError(132, "API units balance is zero"))
            self.balance -= units
            self.units_charged += units
            body = reply.body if reply.body is not None else self._render(reply)
            self._record(request, arrived, 200, units, reply.report_type, fault)
            if fault == "drop":
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=200)
            if fault == "truncate":
                resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
                resp.content_length = len(body)
                await resp.prepare(request)
                await resp.write(body[: max(len(body) // 2, 1)])
                assert request.transport is not None
                request.transport.close()
                return resp
            content_type = "text/html" if reply.text else "application/json"
            return web.Response(status=200, body=body, content_type=content_type)
        finally:
            self._in_flight -= 1

    @staticmethod
    def _render(reply: Reply) -> bytes:
        if reply.text:
            return str(reply.data).encode()
        return orjson.dumps(reply.data)

    # ---------------------------------------------------------------- page cache

    def cached_page(self, key: tuple[Any, ...]) -> tuple[bytes, int] | None:
        hit = self.page_cache.get(key)
        if hit is not None:
            self.page_cache.move_to_end(key)
        return hit

    def cache_page(self, key: tuple[Any, ...], body: bytes, lines: int) -> None:
        if self._page_cache_bytes <= 0 or len(body) > self._page_cache_bytes:
            return
        self.page_cache[key] = (body, lines)
        self._cached_bytes += len(body)
        while self._cached_bytes > self._page_cache_bytes:
            _, (old, _) = self.page_cache.popitem(last=False)
            self._cached_bytes -= len(old)

    def invalidate(self) -> None:
        """Drop cached pages (the data changed)."""
        self.page_cache.clear()
        self._cached_bytes = 0

    # ---------------------------------------------------------------- observability

    def max_requests_in_window(self, window: float = 1.0, *, admitted_only: bool = False) -> int:
        """The most requests that arrived within any ``window`` seconds."""
        return max_in_window(
            [r.time for r in self.requests if not admitted_only or r.fault != "rate"], window
        )
