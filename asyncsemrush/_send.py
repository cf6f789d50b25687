"""The send loop: reserve → slot → transport → verdict → sleep or settle → record.

This is the single send path of the library and the only place that retries. Each
step is one short helper below, read top-down from :meth:`Sender.send`; what a failed
attempt means (charged? retried? after how long?) is decided by the pure
:func:`~asyncsemrush._retry.verdict`, the wire rules by the dialect, the bytes by the
transport.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import random
import time
from collections.abc import Callable

import attrs
import orjson
from yarl import URL

from ._ledger import LedgerEntry, Outcome, UnitLedger
from ._limits import Slots
from ._redact import Secret, scrub_chain
from ._retry import Outcome as AttemptOutcome
from ._retry import RetryPolicy, Verdict, verdict
from ._wire import ApiRequest, ApiResponse, RawResponse
from .budget import UNCAPPED, JointReservation, Reservation, UnitBudget
from .cache import ResponseCache
from .cache._rules import DATES_REPORT
from .dialects import Dialect
from .errors import (
    ApiError,
    BudgetStoreError,
    ConnectionFailedError,
    InvalidParameterError,
    RequestTimeoutError,
    ResponseTooLargeError,
    SemrushError,
    TransportError,
)
from .pricing import PriceTable, Usage
from .transports import Outgoing, Transport

log = logging.getLogger("asyncsemrush.transport")

#: Set by ``SemrushClient.with_response``: every answer decoded inside it (resource calls,
#: ``request()``, ``balance()``, each page of a pull), in the order they were decoded.
CAPTURE: contextvars.ContextVar[list[ApiResponse] | None] = contextvars.ContextVar(
    "asyncsemrush_capture", default=None
)

Held = Reservation | JointReservation


@attrs.define(eq=False)
class Call:
    """One request on its way: what it may cost, what its attempts did so far."""

    request: ApiRequest
    outgoing: Outgoing
    estimate: int
    cap: UnitBudget | None
    reservation: Held | None = None
    count: int = 0  # attempts that may have left
    charged: int = 0  # units counted as spent so far
    log: list[str] = attrs.field(factory=list)
    status: int | None = None
    give_up: float | None = None  # the call's deadline (monotonic), from its first attempt
    in_flight: bool = False  # an attempt is in the transport now
    slot_taken: bool = False  # ... and has its rate-limit slot: it may have been written
    started: float = 0.0
    #: seconds from the last attempt's rate slot (the moment it left) to its answer
    latency: float = 0.0
    #: the URL as errors, logs and the ledger show it (no key), made once
    url_redacted: str = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.url_redacted = self.outgoing.url_redacted


@attrs.define(eq=False)
class Sent:
    """A successful answer not yet decoded; its reservation is still open. ``cached``:
    answered by the response cache (nothing sent or reserved)."""

    call: Call
    raw: RawResponse
    done: bool = False
    cached: bool = False

    @property
    def size(self) -> int:
        """Bytes held."""
        return len(self.raw.body)

    @property
    def latency(self) -> float:
        """Seconds the answer took once the request left (0 for a cached answer)."""
        return 0.0 if self.cached else self.call.latency


async def _settle(
    reservation: Held | None, amount: int, *, uncertain: bool = False
) -> BudgetStoreError | None:
    """Settle ``reservation``; a store that fails is returned, to be raised once the
    ledger has the entry (the units were charged whatever the store could record)."""
    if reservation is None:
        return None
    try:
        await reservation.settle(amount, uncertain=uncertain)
    except BudgetStoreError as exc:
        return exc
    return None


def _unserialisable(request: ApiRequest, exc: Exception) -> InvalidParameterError:
    """A JSON body that cannot be serialised (a set, an int beyond 64 bits) is bad input:
    refused before anything is reserved, never counted as spent with nothing sent."""
    return InvalidParameterError(
        "json",
        f"<{type(request.json).__name__} body>",
        f"a JSON body: strings, ints within 64 bits, floats, bools, None, lists and "
        f"objects with string keys ({exc})",
    )


def _outcome(exc: SemrushError, raw: RawResponse | None) -> AttemptOutcome:
    """A failed attempt as the verdict reads it."""
    if isinstance(exc, RequestTimeoutError):
        return AttemptOutcome("timeout", sent=exc.sent)
    if isinstance(exc, ConnectionFailedError):
        return AttemptOutcome("dropped" if exc.sent else "connect", sent=exc.sent)
    if isinstance(exc, ResponseTooLargeError):
        return AttemptOutcome("too-large")
    if isinstance(exc, ApiError):
        retry_after = raw.retry_after if raw is not None else None
        return AttemptOutcome("answer", exc.status, exc.code, retry_after=retry_after)
    return AttemptOutcome("unreadable", raw.status if raw is not None else None)


class Sender:
    """Runs :class:`ApiRequest` descriptions through the spine of the library."""

    def __init__(
        self,
        *,
        api_key: str | Secret,
        base_url: URL,
        balance_url: URL,
        prices: PriceTable,
        budget: UnitBudget | None,
        ledger: UnitLedger,
        slots: Slots,
        retry: RetryPolicy,
        transport: Transport,
        dialect: Dialect,
        timeout: float = 60.0,
        rng: random.Random | None = None,
        guard: Callable[[], None] = lambda: None,
        cache: ResponseCache | None = None,
    ) -> None:
        self._key = api_key if isinstance(api_key, Secret) else Secret(api_key)
        self._bases = {"api": base_url, "balance": balance_url}
        self.prices = prices
        self.budget = budget
        self.ledger = ledger
        self.slots = slots
        self.retry = retry
        self.transport = transport
        self.dialect = dialect
        self.timeout = timeout  # seconds per attempt, from its rate-limit slot on
        self._rng = rng or random.Random()
        self._guard = guard  # raises when the client cannot send (closed, wrong loop)
        self.cache = cache

    def estimate(self, request: ApiRequest) -> int:
        """The worst-case units of ``request`` (validates its report type)."""
        return self.prices.cost(request.report_type, request.usage)

    async def execute(self, request: ApiRequest) -> ApiResponse:
        """Send ``request`` (with retries) and return its decoded answer."""
        try:
            return await self.finish(await self.send(request))
        finally:
            if self.cache is not None and request.method != "GET":
                await self.cache.written(request)  # (sent or maybe sent: forget its reports)

    # ------------------------------------------------------------------ the loop

    async def send(self, request: ApiRequest, cap: UnitBudget | None = None) -> Sent:
        """Reserve, send and retry until a successful answer arrives; do not decode it.

        The reservation stays open in the returned :class:`Sent` until :meth:`finish`
        decodes the body, so a paginator can hold prefetched pages as bytes. ``cap`` is
        a pull's own budget (``max_units``): every attempt reserves against it too.
        """
        call = self._prepare(request, cap)
        if self.cache is not None:
            hit = await self._cached(call)
            if hit is not None:
                return hit
        call.reservation = await self._reserve(call)
        try:
            while True:
                raw, failure = await self._attempt(call)
                if failure is None:
                    assert raw is not None
                    return Sent(call, raw)
                decided = self._judge(call, failure, raw)
                await self._count_failure(call, decided)
                if not decided.retry:
                    raise failure
                await asyncio.sleep(decided.wait)
                if call.reservation is None:  # the failed attempt took its units
                    call.reservation = await self._reserve(call, again=True)
        except BaseException as exc:
            await self._abort(call, exc)
            raise

    def _prepare(self, request: ApiRequest, cap: UnitBudget | None) -> Call:
        """Check everything that can be checked before anything is reserved."""
        self._guard()
        estimate = self.estimate(request)
        try:  # the body is serialised here, once
            outgoing = self.dialect.outgoing(self._bases[request.host], request, self._key)
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise _unserialisable(request, exc) from None
        return Call(request, outgoing, estimate, cap)

    async def _cached(self, call: Call) -> Sent | None:
        """The response cache's answer, before anything is reserved (a hit costs 0). Its
        date check, when the rules ask for one, is a request of its own, reserved against
        the client's budget and recorded in the ledger; a pull with ``max_units`` makes
        none (it pays for its own pages only), and a check that fails only means the
        answer is fetched."""
        assert self.cache is not None
        check_price = self.prices.cost(DATES_REPORT, Usage())
        capped = call.cap is not None and call.cap.limit < UNCAPPED

        async def check(request: ApiRequest) -> object:
            if capped:  # a pull with max_units pays for its pages only: no side request
                return None  # (what is not known is fetched, never served on a guess)
            try:
                return await self.execute(request)
            except SemrushError as exc:
                log.warning("the cache's date check failed (%s): fetching instead", exc)
                return None

        hit = await self.cache.lookup(call.request, call.estimate, check, check_price)
        if hit is None:
            return None
        return Sent(call, RawResponse(hit.status, hit.content_type, hit.body), cached=True)

    async def _reserve(self, call: Call, *, again: bool = False) -> Held | None:
        """Hold the worst case in the pull's cap and in the client's budget: a retry is
        reserved again, so it counts against both. A retry never waits for units its
        own pull holds (the pages queued behind it free them only after it)."""
        kind = call.request.report_type
        cap, budget = call.cap, self.budget
        first = None if cap is None else await cap.reserve(call.estimate, report_type=kind)
        if budget is None:
            return first
        own = cap.reserved - call.estimate if again and cap is not None else 0
        try:
            second = await budget.reserve(
                call.estimate, report_type=kind, not_waiting_for=max(own, 0)
            )
        except BaseException:
            if first is not None:
                await first.release()
            raise
        if first is None:
            return second
        return JointReservation([first, second], call.estimate)

    async def _attempt(self, call: Call) -> tuple[RawResponse | None, SemrushError | None]:
        """One attempt: a concurrency slot, then the transport (which takes the rate slot
        once its connection is ready). Returns the answer, or the failure it came to."""
        raw: RawResponse | None = None
        async with self.slots.slot():
            call.count += 1
            call.started = time.monotonic()
            if call.give_up is None and self.retry.deadline is not None:
                call.give_up = call.started + self.retry.deadline
            call.in_flight, call.slot_taken = True, False

            left = 0.0

            async def take_rate_slot() -> None:
                nonlocal left
                if self.slots.limiter is not None:
                    await self.slots.limiter.acquire()
                call.slot_taken = True
                left = time.monotonic()

            try:
                raw = await self.transport.send(
                    call.outgoing, on_ready=take_rate_slot, timeout=self._time_left(call)
                )
                call.latency = time.monotonic() - (left or call.started)
            except TransportError as exc:  # connection, timeout, size: judged below
                call.in_flight = False
                scrub_chain(exc)
                return None, exc
            # (cancelled: still in flight, for _abort to count it)
            call.in_flight = False
        call.status = raw.status
        if self.dialect.failed(raw):
            try:
                self.dialect.decode(raw, call.request, call.url_redacted)
            except SemrushError as exc:
                scrub_chain(exc)
                return raw, exc
        return raw, None

    def _time_left(self, call: Call) -> float:
        """The attempt's timeout: the client's, cut to what the call's deadline leaves."""
        if call.give_up is None:
            return self.timeout
        return min(self.timeout, max(call.give_up - time.monotonic(), 0.001))

    def _judge(self, call: Call, failure: SemrushError, raw: RawResponse | None) -> Verdict:
        left = None if call.give_up is None else call.give_up - time.monotonic()
        decided = verdict(
            call.request.method,
            _outcome(failure, raw),
            attempt=call.count,
            policy=self.retry,
            rng=self._rng,
            left=left,
        )
        label = _label(failure, raw) + ("?" if decided.charged else "")
        call.log.append(label)
        self._log_attempt(call, label)
        if decided.retry:
            log.debug(
                "%s %s: retrying in %.2f s (attempt %d of %d failed: %s)",
                call.request.method,
                call.url_redacted,
                decided.wait,
                call.count,
                self.retry.max_attempts,
                label,
            )
        return decided

    async def _count_failure(self, call: Call, decided: Verdict) -> None:
        """An attempt that may have been charged takes its reservation (uncertain)."""
        if not decided.charged:
            return
        if call.reservation is None:
            call.charged += call.estimate
            return
        held, call.reservation = call.reservation, None
        call.charged += held.amount
        store_failed = await _settle(held, held.amount, uncertain=True)
        if store_failed is not None:  # the entry is recorded by _abort, as uncertain
            raise store_failed from None

    async def _abort(self, call: Call, exc: BaseException) -> None:
        """Settle and record a call that ends without an answer (failed, cancelled)."""
        if call.in_flight and not call.slot_taken:
            # stopped before its rate-limit slot: nothing was written
            call.in_flight = False
            call.count -= 1
        store_failed = None
        if call.reservation is not None:
            held, call.reservation = call.reservation, None
            if call.in_flight:  # cancelled while the request may have reached the server
                call.charged += held.amount
                call.log.append("cancelled?")
                store_failed = await _settle(held, held.amount, uncertain=True)
            else:
                store_failed = await _settle(held, 0)
        self._record_failure(call, exc)
        if store_failed is not None and not isinstance(exc, asyncio.CancelledError):
            raise store_failed from None

    # ------------------------------------------------------------------ the answer

    async def finish(self, sent: Sent) -> ApiResponse:
        """Decode a sent request's answer, settle its reservation, record it. Once only."""
        if sent.done:
            raise RuntimeError("this response was already finished")
        sent.done = True
        call, raw = sent.call, sent.raw
        if sent.cached:
            return self._from_cache(call, raw)
        held, call.reservation = call.reservation, None
        try:
            data = self.dialect.decode(raw, call.request, call.url_redacted)
        except SemrushError as exc:
            scrub_chain(exc)  # orjson's error holds the body as .doc
            # A 2xx whose body is unusable may still have been billed; an error body not.
            maybe_charged = not isinstance(exc, ApiError)
            call.log.append(_label(exc, raw) + ("?" if maybe_charged else ""))
            amount = held.amount if held is not None else call.estimate
            if maybe_charged:
                call.charged += amount
            store_failed = await _settle(
                held, amount if maybe_charged else 0, uncertain=maybe_charged
            )
            self._record_failure(call, exc)
            if store_failed is not None:
                raise store_failed from None
            raise
        request = call.request
        cost, usage = self.prices.actual(
            request.report_type, data, sent=request.usage, keywords=request.keywords
        )
        call.charged += cost
        call.log.append(str(raw.status))
        overrun = max(cost - call.estimate, 0)
        if overrun:
            log.warning(
                "%s %s cost %d units, %d more than the %d reserved (more rows than asked)",
                request.method,
                call.url_redacted,
                cost,
                overrun,
                call.estimate,
            )
        try:
            store_failed = await _settle(held, cost)
        finally:  # charged whatever the store could record (or a cancel): the entry goes in
            self._record(call, "ok", usage, overrun=overrun)
        if store_failed is not None:
            raise store_failed
        if self.cache is not None:
            self.cache.learned(request, data)
            await self.cache.keep(request, raw, cost)
        return _captured(
            ApiResponse(
                data=data,
                status=raw.status,
                attempts=call.count,
                units=call.charged,
                usage=usage,
                report_type=request.report_type,
            )
        )

    def _from_cache(self, call: Call, raw: RawResponse) -> ApiResponse:
        """A cached answer decoded and recorded: 0 units, ``saved`` what it cost then."""
        request = call.request
        data = self.dialect.decode(raw, request, call.url_redacted)
        saved, usage = self.prices.actual(
            request.report_type, data, sent=request.usage, keywords=request.keywords
        )
        call.log.append("cached")
        self._record(call, "cached", usage, saved=saved)
        return _captured(
            ApiResponse(
                data=data,
                status=raw.status,
                attempts=0,
                units=0,
                usage=usage,
                report_type=request.report_type,
                cached=True,
            )
        )

    # ------------------------------------------------------------------ the record

    def _record_failure(self, call: Call, exc: BaseException) -> None:
        if not call.count:
            return  # nothing was sent: nothing to record
        outcome: Outcome
        if call.charged:
            outcome = "uncertain"
        elif isinstance(exc, SemrushError):
            outcome = "error"
        else:
            outcome = "cancelled"
        self._record(call, outcome, None, type(exc).__name__)

    def _log_attempt(self, call: Call, result: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s [%s] attempt %d -> %s in %.3f s",
                call.request.method,
                call.url_redacted,
                call.request.report_type,
                call.count,
                result,
                time.monotonic() - call.started,
            )

    def _record(
        self,
        call: Call,
        outcome: Outcome,
        usage: Usage | None,
        error: str | None = None,
        *,
        overrun: int = 0,
        saved: int = 0,
    ) -> None:
        self.ledger.record(
            LedgerEntry(
                time=dt.datetime.now(dt.timezone.utc),
                report_type=call.request.report_type,
                method=call.request.method,
                path=call.url_redacted,
                estimated=call.estimate,
                actual=call.charged,
                lines=usage.lines if usage is not None else None,
                attempts=call.count,
                outcome=outcome,
                status=call.status,
                error=error,
                attempt_log=tuple(call.log),
                overrun=overrun,
                saved=saved,
            )
        )


def _captured(response: ApiResponse) -> ApiResponse:
    """``response``, added to what ``SemrushClient.with_response`` collects, if open."""
    captured = CAPTURE.get()
    if captured is not None:
        captured.append(response)
    return response


def _label(exc: SemrushError, raw: RawResponse | None) -> str:
    if isinstance(exc, RequestTimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionFailedError):
        return "disconnected" if exc.sent else "connect-failed"
    if isinstance(exc, ResponseTooLargeError):
        return "too-large"
    if isinstance(exc, ApiError) and exc.code is not None:
        return f"{raw.status if raw else ''}:{exc.code}"
    if raw is not None:
        return str(raw.status)
    return type(exc).__name__
