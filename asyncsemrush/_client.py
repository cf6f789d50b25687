"""SemrushClient: lifecycle, configuration and the entry point to every resource."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import random
from collections.abc import Awaitable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from yarl import URL

from ._ledger import UnitLedger
from ._limits import ConcurrencyLimiter, LocalRateLimiter, RateLimiter, Slots
from ._reconcile import BalanceMark, Reconciliation, compare
from ._redact import Secret, install_log_filter
from ._retry import RetryPolicy
from ._send import CAPTURE, Sender
from ._wire import ApiRequest, ApiResponse, Method
from .budget import UnitBudget
from .cache import ResponseCache
from .dialects import Dialect
from .dialects.semrush_v3 import DEFAULT as SEMRUSH_V3
from .errors import ClientClosedError, ClientLoopError, InvalidParameterError
from .params import integer, positive
from .pricing import Price, PriceTable, Usage
from .resources import GeoResource, ProjectsResource, SiteAuditResource, TrackingResource
from .transports import AiohttpTransport, Transport

if TYPE_CHECKING:
    import aiohttp

T = TypeVar("T")
log = logging.getLogger("asyncsemrush")

DEFAULT_BASE_URL = "https://api.semrush.com"
DEFAULT_BALANCE_URL = "https://www.semrush.com"
BALANCE_PATH = "/users/countapiunits.html"
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_base_url(value: object, parameter: str, allow_insecure: bool) -> URL:
    if not isinstance(value, (str, URL)):
        raise InvalidParameterError(parameter, value, "an absolute https:// URL, as text")
    try:
        url = URL(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            parameter, "<unparsable URL>", "an absolute https:// URL"
        ) from None
    if url.user is not None or url.password is not None:
        # never echo it: the password would be in the message (and everywhere it goes)
        shown = str(url.with_user(None).with_password(None))
        raise InvalidParameterError(
            parameter,
            f"{shown} (credentials removed)",
            "a URL without user name or password: the API key is the only credential",
        )
    if url.scheme not in ("https", "http") or not url.host:
        raise InvalidParameterError(parameter, value, "an absolute https:// URL")
    if url.query_string or url.fragment:
        raise InvalidParameterError(parameter, value, "a URL without query or fragment")
    if url.scheme == "http" and not (allow_insecure or _is_loopback(url.host)):
        raise InvalidParameterError(
            parameter,
            value,
            "https:// (plain http:// only for a loopback host, or with allow_insecure=True)",
        )
    return url


class SemrushClient:
    """An asyncio client for the Semrush Projects API.

    Use it as ``async with SemrushClient(...) as sr:``; it owns one aiohttp session
    (or borrows yours via ``session=``, which it then never closes). Every request is
    priced, reserved against ``budget``, rate-limited to ``rate_limit`` starts per
    second with at most ``max_concurrency`` in flight, retried per ``retry`` and
    recorded in ``ledger``.

    ``api_key`` falls back to the ``SEMRUSH_API_KEY`` environment variable.
    ``base_url`` is used for every request; plain ``http://`` is refused unless the
    host is loopback or ``allow_insecure=True``. ``timeout`` is seconds per attempt,
    counted from the moment its rate-limit slot is taken (waiting for the slot is not
    counted; ``retry.deadline`` bounds the whole call).

    ``transport`` replaces the HTTP layer (``transports.MockTransport(handler)`` tests
    code without a socket; ``session=`` is then not used); ``dialect`` the wire rules
    (default: Semrush v3).

    ``cache``: a response cache for Position Tracking reports (off by default): a file
    path (a SQLite cache), or a :class:`~asyncsemrush.cache.ResponseCache`. A hit costs
    0 units; the rules are in ``ResponseCache`` and the README's "Paying once".
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        budget: UnitBudget | None = None,
        rate_limit: float | RateLimiter | None = 10.0,
        max_concurrency: int | ConcurrencyLimiter = 10,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        session: aiohttp.ClientSession | None = None,
        prices: PriceTable | None = None,
        ledger: UnitLedger | None = None,
        balance_url: str | None = None,
        allow_insecure: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: Transport | None = None,
        dialect: Dialect | None = None,
        cache: ResponseCache | str | os.PathLike[str] | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("SEMRUSH_API_KEY")
        if key is not None and not isinstance(key, str):
            raise InvalidParameterError(
                "api_key", f"<{type(key).__name__}>", "your Semrush API key, as text"
            )
        if not key or not key.strip():
            raise InvalidParameterError(
                "api_key",
                "<missing>",
                "your Semrush API key, passed as api_key= or set in SEMRUSH_API_KEY",
            )
        key = key.strip()
        if any(c.isspace() or c in "&#=?/" for c in key):
            raise InvalidParameterError(
                "api_key", "<hidden>", "a key without spaces or URL delimiters"
            )
        install_log_filter()
        self._key = Secret(key)  # prints as REDACTED wherever it is held
        base = _check_base_url(base_url, "base_url", allow_insecure)
        if balance_url is None:
            balance_url = DEFAULT_BALANCE_URL if base_url == DEFAULT_BASE_URL else base_url
        balance = _check_base_url(balance_url, "balance_url", allow_insecure)
        # nan would never time out, inf overflows the loop's timer: both refused here
        timeout = positive("timeout", timeout, "seconds per attempt, a finite number > 0")
        if budget is not None and not isinstance(budget, UnitBudget):
            raise InvalidParameterError("budget", budget, "a UnitBudget or None")
        max_response_bytes = integer(
            "max_response_bytes", max_response_bytes, minimum=1
        )  # "big", nan, 1.5 and True are refused
        limiter: RateLimiter | None
        if rate_limit is None or isinstance(rate_limit, RateLimiter):
            limiter = rate_limit
        else:
            limiter = LocalRateLimiter(rate_limit)
        self.base_url = str(base)
        self._budget = budget
        self._ledger = ledger if ledger is not None else UnitLedger()
        self._balance_mark: BalanceMark | None = None
        self._projects: ProjectsResource | None = None
        self._geo: GeoResource | None = None
        if transport is not None and not isinstance(transport, Transport):
            raise InvalidParameterError("transport", transport, "a Transport (send, close)")
        if dialect is not None and not isinstance(dialect, Dialect):
            raise InvalidParameterError("dialect", dialect, "a Dialect")
        dialect = dialect if dialect is not None else SEMRUSH_V3
        if isinstance(cache, (str, os.PathLike)):
            cache = ResponseCache(cache)
        elif cache is not None and not isinstance(cache, ResponseCache):
            raise InvalidParameterError("cache", cache, "a file path, a ResponseCache or None")
        self._cache = cache
        slots = Slots(max_concurrency, limiter)
        if transport is None:
            transport = AiohttpTransport(
                max_response_bytes=max_response_bytes,
                max_connections=slots.max_concurrency,
                session=session,
            )
        self._transport = transport
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sender = Sender(
            api_key=self._key,
            base_url=base,
            balance_url=balance,
            prices=prices if prices is not None else dialect.prices(),
            budget=budget,
            ledger=self._ledger,
            slots=slots,
            retry=retry if retry is not None else RetryPolicy(),
            transport=transport,
            dialect=dialect,
            timeout=float(timeout),
            guard=self._check_usable,
            rng=random.Random(),
            cache=cache,
        )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> SemrushClient:
        self._check_usable()
        if isinstance(self._transport, AiohttpTransport):
            await self._transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _check_usable(self) -> None:
        """Refuse, before anything is reserved or sent, a client that cannot send: closed,
        used from another event loop than its first, or with a closed borrowed session."""
        if self._closed:
            raise ClientClosedError("this SemrushClient is closed")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientLoopError(
                "this SemrushClient was first used in another event loop (a second "
                "asyncio.run?); its session and limits belong to that loop: create one "
                "client per event loop"
            )
        lent = self._transport.borrowed if isinstance(self._transport, AiohttpTransport) else None
        if lent is not None and lent.closed:
            raise ClientClosedError("the aiohttp session passed as session= is closed")

    async def close(self) -> None:
        """Close the owned session (a borrowed one is left open). Safe to call twice."""
        self._closed = True
        try:
            await self._transport.close()
        finally:
            if self._cache is not None:
                await self._cache.close()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._closed

    # ------------------------------------------------------------------ accounting

    @property
    def cache(self) -> ResponseCache | None:
        """The response cache (``None``: every request is sent)."""
        return self._cache

    @property
    def budget(self) -> UnitBudget | None:
        """The unit budget requests reserve against (``None``: unlimited)."""
        return self._budget

    @property
    def ledger(self) -> UnitLedger:
        """Every request's estimated and actual units."""
        return self._ledger

    @property
    def prices(self) -> PriceTable:
        """The price table used to estimate and settle requests."""
        return self._sender.prices

    async def balance(self) -> int:
        """The account's API units balance, from the free ``countapiunits`` check (0 units).

        Each read is also the mark :meth:`reconcile` compares the next one with."""
        return (await self._read_balance()).balance

    async def _read_balance(self) -> BalanceMark:
        response = await self._sender.execute(
            ApiRequest("GET", BALANCE_PATH, "balance", expect="units", host="balance")
        )
        units = response.data
        assert isinstance(units, int)
        self._balance_mark = BalanceMark.of(units, self._ledger)
        return self._balance_mark

    async def reconcile(self) -> Reconciliation:
        """Compare what the account was charged since the last balance read (the fall of
        the balance) with what the ledger recorded meanwhile; free (it reads the
        balance). The first call only takes the mark. A difference is logged as a
        warning and reported, never used to change the ledger. Exact only when no other
        client spends on the same key and nothing was in flight across the reads."""
        before = self._balance_mark
        report = compare(before, await self._read_balance())
        if report.difference:
            log.warning("reconcile: %s", report.describe())
        return report

    async def seed_budget(self, *, keep: int = 0) -> int:
        """Set the budget's limit so that it allows the account's balance minus ``keep``.

        Returns the new limit. Needs a budget (``SemrushClient(budget=UnitBudget(0))``).
        """
        if self._budget is None:
            raise InvalidParameterError("budget", None, "a UnitBudget to seed (got None)")
        keep = integer("keep", keep, minimum=0)
        available = max(await self.balance() - keep, 0)
        state = self._budget.state()
        limit = state.spent + state.reserved + available
        await self._budget.set_limit(limit)
        return limit

    async def _execute(self, request: ApiRequest) -> ApiResponse:
        """Run one request description through the send loop."""
        return await self._sender.execute(request)

    # ------------------------------------------------------------------ resources

    @property
    def projects(self) -> ProjectsResource:
        """Projects: list, get, create, update, delete."""
        if self._projects is None:
            self._projects = ProjectsResource(self)
        return self._projects

    @property
    def geo(self) -> GeoResource:
        """Countries, regions and cities (cached for the client's life)."""
        if self._geo is None:
            self._geo = GeoResource(self)
        return self._geo

    def tracking(self, campaign_id: int | str) -> TrackingResource:
        """Position Tracking of a campaign: ``"6647718_272401"`` or a project ID."""
        return TrackingResource(self, campaign_id)

    def site_audit(self, project_id: int | str) -> SiteAuditResource:
        """Site Audit of a project."""
        return SiteAuditResource(self, project_id)

    # ------------------------------------------------------------------ raw access

    async def request(
        self,
        method: Method,
        path: str,
        *,
        report_type: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        lines: int = 0,
        keywords: int = 0,
        snapshots: int = 0,
    ) -> ApiResponse:
        """Send any call of the API and get the decoded JSON with its metadata.

        Priced like every request (``report_type`` names the price-table row; ``lines``,
        ``keywords``, ``snapshots`` are the worst case to reserve), rate-limited,
        retried and recorded. For fields the models do not have. A per-line report
        without ``lines`` is priced from its ``display_limit`` (a per-snapshot one from
        its ``limit``), and refused when it has none: it is never reserved at 0.
        """
        if method not in ("GET", "POST", "PUT", "DELETE"):
            raise InvalidParameterError("method", method, "GET, POST, PUT or DELETE")
        if params is not None and (
            not isinstance(params, Mapping)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
        ):
            raise InvalidParameterError("params", params, "a mapping of str to str")
        if not isinstance(path, str) or not path.startswith("/") or "?" in path:
            raise InvalidParameterError(
                "path", path, "an absolute path without a query, such as /management/v1/projects"
            )
        usage = Usage(
            lines=integer("lines", lines, minimum=0),
            keywords=integer("keywords", keywords, minimum=0),
            snapshots=integer("snapshots", snapshots, minimum=0),
        )
        usage = _worst_case(self._sender.prices[report_type], usage, params or {})
        request = ApiRequest(
            method,
            path,
            report_type,
            params=dict(params or {}),
            json=json,
            usage=usage,
            expect="json_or_empty",
        )
        self._sender.estimate(request)  # an unknown report type fails before anything is sent
        return await self._sender.execute(request)

    async def with_response(self, call: Awaitable[T]) -> tuple[T, list[ApiResponse]]:
        """Await a resource call and also get the raw answers behind it.

        ``projects, [response] = await sr.with_response(sr.projects.list())`` gives the
        typed result and each :class:`ApiResponse` (decoded JSON, status, attempts, units)
        of the requests it made, in order: resource calls, ``request()``, ``balance()`` and
        every page of a pull (an answer served by the response cache too: ``cached=True``,
        0 units).
        """
        captured: list[ApiResponse] = []
        token = CAPTURE.set(captured)
        try:
            value = await call
        finally:
            CAPTURE.reset(token)
        return value, captured

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<SemrushClient base_url={self.base_url!r} {state} budget={self._budget!r}>"

    def __getstate__(self) -> Any:
        raise TypeError("SemrushClient cannot be pickled")


def _worst_case(price: Price, usage: Usage, query: Mapping[str, str]) -> Usage:
    """``usage`` with the rows a per-row report asks for, read from its query when the
    caller did not say: a request is never reserved below what it may cost."""
    for per_row, field, parameter in (
        (price.per_line, "lines", "display_limit"),
        (price.per_snapshot, "snapshots", "limit"),
    ):
        if not per_row or getattr(usage, field):
            continue
        asked = query.get(parameter)
        if asked is None:
            raise InvalidParameterError(
                field,
                0,
                f"the rows to reserve for (or {parameter} in params): this report "
                "is charged per row",
            )
        usage = attrs.evolve(usage, **{field: integer(parameter, _whole(asked), minimum=1)})
    return usage


def _whole(text: object) -> object:
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() else text
