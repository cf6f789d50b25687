"""The path of one request: price, reserve, take a slot, send, decode, settle, record.

This is the single send path of the library and the only place that retries.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable

import aiohttp
import attrs
import orjson
from yarl import URL

from ._ledger import LedgerEntry, Outcome, UnitLedger
from ._limits import Slots
from ._redact import Secret, scrub_chain
from ._retry import IDEMPOTENT, RetryPolicy, parse_retry_after
from ._transport import Attempt, Transport
from ._wire import ApiRequest, ApiResponse, RawResponse, build_url, decode
from .budget import JointReservation, Reservation, UnitBudget
from .errors import (
    ApiError,
    BudgetStoreError,
    ConnectionFailedError,
    InvalidParameterError,
    MalformedResponseError,
    RequestTimeoutError,
    ResponseTooLargeError,
    SemrushError,
)
from .pricing import PriceTable, Usage

log = logging.getLogger("asyncsemrush.transport")

#: Set by ``SemrushClient.with_response``: every answer decoded inside it (resource calls,
#: ``request()``, ``balance()``, each page of a pull), in the order they were decoded.
CAPTURE: contextvars.ContextVar[list[ApiResponse] | None] = contextvars.ContextVar(
    "asyncsemrush_capture", default=None
)


@attrs.define
class _Attempts:
    """What happened so far to one request."""

    count: int = 0
    charged: int = 0
    log: list[str] = attrs.field(factory=list)
    status: int | None = None


@attrs.define(eq=False)
class Sent:
    """A successful answer not yet decoded; its reservation is still open."""

    request: ApiRequest
    raw: RawResponse
    reservation: Reservation | JointReservation | None
    state: _Attempts
    estimate: int
    url_redacted: str
    done: bool = False

    @property
    def size(self) -> int:
        """Bytes held."""
        return len(self.raw.body)


async def _settle(
    reservation: Reservation | JointReservation | None, amount: int, *, uncertain: bool = False
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


def _check_body(request: ApiRequest) -> None:
    """A JSON body that cannot be serialised (a set, an int beyond 64 bits) is bad input:
    refused before anything is reserved, never counted as spent with nothing sent."""
    if request.json is None:
        return
    try:
        orjson.dumps(request.json)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise InvalidParameterError(
            "json",
            f"<{type(request.json).__name__} body>",
            f"a JSON body: strings, ints within 64 bits, floats, bools, None, lists and "
            f"objects with string keys ({exc})",
        ) from None


def _failed(raw: RawResponse) -> bool:
    """Whether an answer is an error (decided without decoding a success body)."""
    return raw.status >= 300 or raw.status == 244 or raw.body[:16].lstrip().startswith(b"ERROR")


class Pipeline:
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
        session: Callable[[], Awaitable[aiohttp.ClientSession]],
        rate_in_request: bool = False,
        rng: random.Random | None = None,
        guard: Callable[[], None] = lambda: None,
    ) -> None:
        self._key = api_key if isinstance(api_key, Secret) else Secret(api_key)
        self._bases = {"api": base_url, "balance": balance_url}
        self.prices = prices
        self.budget = budget
        self.ledger = ledger
        self.slots = slots
        self.retry = retry
        self.transport = transport
        self._session = session
        # True when the sessions carry _transport.tracing(): the slot is taken there.
        self.rate_in_request = rate_in_request
        self._rng = rng or random.Random()
        self._guard = guard  # raises when the client cannot send (closed, wrong loop)

    def estimate(self, request: ApiRequest) -> int:
        """The worst-case units of ``request`` (validates its report type)."""
        return self.prices.cost(request.report_type, request.usage)

    async def _reserve(
        self, amount: int, report_type: str, cap: UnitBudget | None = None
    ) -> Reservation | JointReservation | None:
        """Hold ``amount`` in the client's budget and, for a pull, in its own cap
        (``max_units``): a retry is reserved again, so it counts against both."""
        budgets = [b for b in (cap, self.budget) if b is not None]
        if not budgets:
            return None
        if len(budgets) == 1:
            return await budgets[0].reserve(amount, report_type=report_type)
        first = await budgets[0].reserve(amount, report_type=report_type)
        try:
            second = await budgets[1].reserve(amount, report_type=report_type)
        except BaseException:
            await first.release()
            raise
        return JointReservation([first, second], amount)

    async def execute(self, request: ApiRequest) -> ApiResponse:
        """Send ``request`` (with retries) and return its decoded answer."""
        return await self.finish(await self.send(request))

    async def send(self, request: ApiRequest, cap: UnitBudget | None = None) -> Sent:
        """Reserve, send and retry until a successful answer arrives; do not decode it.

        The reservation stays open in the returned :class:`Sent` until :meth:`finish`
        decodes the body, so a paginator can hold prefetched pages as bytes.
        """
        self._guard()
        estimate = self.estimate(request)
        _check_body(request)
        url = build_url(self._bases[request.host], request)
        url_redacted = str(url)  # the key is added by the transport, only to what is sent
        state = _Attempts()
        reservation = await self._reserve(estimate, request.report_type, cap)
        in_flight = False
        attempt: Attempt | None = None
        deadline = self.retry.deadline
        give_up: float | None = None  # from the first attempt on: waiting for a slot is not
        try:
            while True:
                raw: RawResponse | None = None
                try:
                    # On the client's own session the rate-limit slot is taken once the
                    # connection is ready (see _transport.Attempt); on a borrowed one, here.
                    hooked = self.rate_in_request
                    async with self.slots.slot(rate=not hooked):
                        state.count += 1
                        started = time.monotonic()
                        if give_up is None and deadline is not None:
                            give_up = started + deadline  # counted from the first attempt
                        in_flight = True
                        session = await self._session()
                        attempt = Attempt(self.slots.limiter) if hooked else None
                        left = None if give_up is None else max(give_up - time.monotonic(), 0.001)
                        raw = await self.transport.send(
                            session,
                            request.method,
                            url,
                            url_redacted,
                            request.json,
                            attempt,
                            timeout=left,
                            key=self._key,
                        )
                        in_flight = False
                    state.status = raw.status
                    if _failed(raw):
                        decode(raw, request, url_redacted)  # raises the typed error
                except SemrushError as exc:
                    scrub_chain(exc)
                    in_flight = False
                    maybe_charged, retryable = self._classify(exc, request)
                    label = _label(exc, raw) + ("?" if maybe_charged else "")
                    state.log.append(label)
                    self._log_attempt(request, url_redacted, state, label, started)
                    if maybe_charged and reservation is not None:
                        store_failed = await _settle(
                            reservation, reservation.amount, uncertain=True
                        )
                        state.charged += reservation.amount
                        reservation = None
                        if store_failed is not None:  # recorded below, as uncertain
                            raise store_failed from None
                    elif maybe_charged:
                        state.charged += estimate
                    if not retryable or state.count >= self.retry.max_attempts:
                        raise
                    retry_after = parse_retry_after(raw.retry_after) if raw else None
                    delay = self.retry.delay(state.count, retry_after, self._rng)
                    if give_up is not None and time.monotonic() + delay >= give_up:
                        raise  # the call's deadline leaves no time for another attempt
                    log.debug(
                        "%s %s: retrying in %.2f s (attempt %d of %d failed: %s)",
                        request.method,
                        url_redacted,
                        delay,
                        state.count,
                        self.retry.max_attempts,
                        label,
                    )
                    await asyncio.sleep(delay)
                    if reservation is None:
                        reservation = await self._reserve(estimate, request.report_type, cap)
                    continue
                self._log_attempt(request, url_redacted, state, str(raw.status), started)
                return Sent(request, raw, reservation, state, estimate, url_redacted)
        except BaseException as exc:
            if in_flight and attempt is not None and not attempt.may_have_arrived():
                # Stopped while waiting for its rate-limit slot: nothing was written.
                in_flight = False
                state.count -= 1
            store_failed = None
            if reservation is not None:
                if in_flight:
                    # Cancelled (or killed) while the request may have reached the server.
                    store_failed = await _settle(reservation, reservation.amount, uncertain=True)
                    state.charged += reservation.amount
                    state.log.append("cancelled?")
                else:
                    store_failed = await _settle(reservation, 0)
            self._record_failure(request, url_redacted, estimate, state, exc)
            if store_failed is not None and not isinstance(exc, asyncio.CancelledError):
                raise store_failed from None
            raise

    async def finish(self, sent: Sent) -> ApiResponse:
        """Decode a sent request's answer, settle its reservation, record it. Once only."""
        if sent.done:
            raise RuntimeError("this response was already finished")
        sent.done = True
        request, raw, state = sent.request, sent.raw, sent.state
        try:
            data = decode(raw, request, sent.url_redacted)
        except SemrushError as exc:
            scrub_chain(exc)  # orjson's error holds the body as .doc
            # A 2xx whose body is unusable may still have been billed; an error body not.
            maybe_charged = not isinstance(exc, ApiError)
            state.log.append(_label(exc, raw) + ("?" if maybe_charged else ""))
            amount = sent.reservation.amount if sent.reservation is not None else 0
            store_failed = await _settle(
                sent.reservation, amount if maybe_charged else 0, uncertain=maybe_charged
            )
            if maybe_charged:
                state.charged += sent.estimate
            self._record_failure(request, sent.url_redacted, sent.estimate, state, exc)
            if store_failed is not None:
                raise store_failed from None
            raise
        cost, usage = self.prices.actual(
            request.report_type, data, sent=request.usage, keywords=request.keywords
        )
        store_failed = await _settle(sent.reservation, cost)
        state.charged += cost
        state.log.append(str(raw.status))
        # charged whatever the store could record: the entry goes in first
        self._record(request, sent.url_redacted, sent.estimate, state, "ok", usage)
        if store_failed is not None:
            raise store_failed
        response = ApiResponse(
            data=data,
            status=raw.status,
            attempts=state.count,
            units=state.charged,
            usage=usage,
            report_type=request.report_type,
        )
        captured = CAPTURE.get()
        if captured is not None:
            captured.append(response)
        return response

    def _record_failure(
        self,
        request: ApiRequest,
        url_redacted: str,
        estimate: int,
        state: _Attempts,
        exc: BaseException,
    ) -> None:
        if not state.count:
            return  # nothing was sent: nothing to record
        outcome: Outcome
        if state.charged:
            outcome = "uncertain"
        elif isinstance(exc, SemrushError):
            outcome = "error"
        else:
            outcome = "cancelled"
        self._record(request, url_redacted, estimate, state, outcome, None, type(exc).__name__)

    def _classify(self, exc: SemrushError, request: ApiRequest) -> tuple[bool, bool]:
        """(may have been charged, may be retried) for a failed attempt."""
        idempotent = request.method in IDEMPOTENT
        if isinstance(exc, (ConnectionFailedError, RequestTimeoutError)):
            return exc.sent, idempotent or not exc.sent
        if isinstance(exc, ApiError):
            # Failed requests are not charged (SUPPLEMENT.md).
            return False, exc.retryable and idempotent
        if isinstance(exc, (MalformedResponseError, ResponseTooLargeError)):
            # A 2xx the server may have billed, but whose data we cannot use.
            return True, False
        return False, False

    def _log_attempt(
        self, request: ApiRequest, url_redacted: str, state: _Attempts, result: str, t0: float
    ) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s [%s] attempt %d -> %s in %.3f s",
                request.method,
                url_redacted,
                request.report_type,
                state.count,
                result,
                time.monotonic() - t0,
            )

    def _record(
        self,
        request: ApiRequest,
        url_redacted: str,
        estimate: int,
        state: _Attempts,
        outcome: Outcome,
        usage: Usage | None,
        error: str | None = None,
    ) -> None:
        self.ledger.record(
            LedgerEntry(
                time=dt.datetime.now(dt.timezone.utc),
                report_type=request.report_type,
                method=request.method,
                path=url_redacted,
                estimated=estimate,
                actual=state.charged,
                lines=usage.lines if usage is not None else None,
                attempts=state.count,
                outcome=outcome,
                status=state.status,
                error=error,
                attempt_log=tuple(state.log),
            )
        )


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
