"""The aiohttp transport: the only module that talks HTTP.

aiohttp's exceptions are mapped here to ours; ``sent`` on a connection error says
whether the request may have reached the server (it decides whether a POST may be
retried and whether the attempt may have been charged).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sys
from typing import Any

import aiohttp

from .._redact import redact
from ..errors import (
    ClientClosedError,
    ConnectionFailedError,
    RequestTimeoutError,
    ResponseTooLargeError,
)
from ._base import OnReady, Outgoing, RawResponse

if sys.version_info >= (3, 11):
    from asyncio import timeout as _clock
else:  # aiohttp depends on async-timeout below 3.11
    from async_timeout import timeout as _clock  # type: ignore[import-not-found, unused-ignore]

_CHUNK = 1 << 16
#: Seconds a connection may take to open (DNS, TCP, TLS), before the slot is taken.
CONNECT_TIMEOUT = 10.0


def _describe(exc: BaseException) -> str:
    text = redact(str(exc))[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _cause(theirs: BaseException) -> BaseException | None:
    """aiohttp's exception as our cause, only when its text cannot leak the key, and
    without its traceback or chain: the frames inside aiohttp hold the keyed URL as
    locals, which ``capture_locals`` reporters would print."""
    safe = redact(str(theirs)) == str(theirs) and redact(repr(theirs)) == repr(theirs)
    if not safe:
        return None
    theirs.__traceback__ = None
    theirs.__context__ = theirs.__cause__ = None
    return theirs


class _Attempt:
    """One attempt's clock, and whether its connection is ready.

    Until the connection is ready the clock allows the connect timeout; then the
    rate-limit slot is taken (``on_ready``) and the attempt's own ``timeout`` starts:
    waiting for the slot is never counted against it (with ``rate_limit=1,
    timeout=1``, 3 of 4 concurrent calls used to time out while the server had seen
    one). Before the connection is ready nothing was written; after, the request may
    have reached the server.
    """

    __slots__ = ("clock", "connected", "on_ready", "timeout")

    def __init__(self, on_ready: OnReady | None, timeout: float) -> None:
        self.on_ready = on_ready
        self.timeout = timeout
        self.connected = False
        self.clock: Any = None

    async def ready(self) -> None:
        if self.connected:
            return
        self.connected = True
        loop = asyncio.get_running_loop()
        if self.on_ready is not None:
            _move(self.clock, None)  # waiting for the slot is not the attempt's time
            await self.on_ready()
        _move(self.clock, loop.time() + self.timeout)

    def may_have_arrived(self) -> bool:
        """Whether the server may have seen the request."""
        return self.connected


def _move(clock: Any, when: float | None) -> None:
    """Set the attempt's clock to ``when`` (loop time; None: no limit)."""
    if hasattr(clock, "reschedule"):  # asyncio.Timeout (3.11+), async-timeout 4.0.3+
        clock.reschedule(when)
    elif when is None:
        clock.reject()
    else:
        clock.update(when)


#: The attempt the current task is sending (read by the connector once it has a
#: connection for it).
_CURRENT: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar(
    "asyncsemrush_attempt", default=None
)


class _SlotConnector(aiohttp.TCPConnector):
    """A TCP connector that, once it has a connection ready for a request (opened or
    reused), takes the attempt's rate-limit slot: the start is the moment the request
    leaves, not the moment before a connection (or a TLS handshake) of unknown length.
    (It replaced aiohttp trace hooks, which cost about 150 us a request: aiohttp sends
    every trace event, one per body chunk too, once any hook is set.)"""

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        conn = await super().connect(req, traces, timeout)
        attempt = _CURRENT.get()
        if attempt is not None:
            try:
                await attempt.ready()
            except BaseException:  # cancelled while it waited for its slot
                conn.release()
                raise
        return conn


class AiohttpTransport:
    """Sends attempts over one ``aiohttp.ClientSession``: its own (created on first use,
    with the connector that takes the rate-limit slot once a connection is ready, closed by
    :meth:`close`), or a borrowed ``session=`` (left open; the slot is then taken just
    before the request, as a lent session has its own connector).

    Either way aiohttp's silent resend of an idempotent request over a dropped
    kept-alive connection is switched off: that attempt may be billed, and the ledger
    would not see it (a borrowed session was charged 240,000 where the ledger saw
    200,000). Responses bigger than ``max_response_bytes`` (counted unpacked) are refused.
    """

    def __init__(
        self,
        *,
        max_response_bytes: int,
        max_connections: int = 10,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.max_connections = max_connections
        if session is not None:
            _no_silent_resend(session)
        self._borrowed = session
        self._own: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def borrowed(self) -> aiohttp.ClientSession | None:
        """The session lent to this transport, if any."""
        return self._borrowed

    def _session(self) -> tuple[aiohttp.ClientSession, bool]:
        """The session and whether its connector takes the slot. After :meth:`close`, none:
        a retry or a later page of a pull in flight cannot open a new one."""
        if self._closed:
            raise ClientClosedError("this transport is closed (its client was closed)")
        if self._borrowed is not None:
            return self._borrowed, False
        if self._own is None:
            connector = _SlotConnector(limit=max(self.max_connections, 1))
            self._own = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": "asyncsemrush"}
            )
            _no_silent_resend(self._own)
        return self._own, True

    async def open(self) -> None:
        """Create the owned session now (inside the running loop)."""
        self._session()

    async def close(self) -> None:
        """Close the owned session; a borrowed one is left open. Final."""
        self._closed = True
        session, self._own = self._own, None
        if session is not None and not session.closed:
            await session.close()

    async def send(
        self, request: Outgoing, *, on_ready: OnReady | None, timeout: float
    ) -> RawResponse:
        """Send one attempt and read the whole body (up to the size cap); see
        :class:`~asyncsemrush.transports.Transport`."""
        session, hooked = self._session()
        attempt = _Attempt(on_ready, timeout)
        connect = min(timeout, CONNECT_TIMEOUT)
        limits = _socket_timeout(connect)
        method, shown = request.method, request.url_redacted
        cause: BaseException
        failure: ConnectionFailedError | RequestTimeoutError
        current = _CURRENT.set(attempt if hooked else None)
        try:
            async with _clock(asyncio.get_running_loop().time() + connect) as clock:
                attempt.clock = clock
                if not hooked:
                    await attempt.ready()
                    attempt.connected = False  # unknown: a connect error still says unsent
                async with session.request(
                    method,
                    **_handover(request),  # the keyed URL and headers: no local holds them
                    data=request.body,
                    timeout=limits,
                    allow_redirects=False,  # never carry the key to another host
                ) as resp:
                    return await self._read(resp, method, shown)
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            cause, failure = exc, _failure(request, False, f"could not connect: {_describe(exc)}")
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            if hooked and not attempt.connected:
                text = f"could not connect within {connect:g} s"
                cause, failure = exc, _failure(request, False, text)
            else:
                sent = not hooked or attempt.may_have_arrived()
                text = f"no complete answer within {timeout:g} s"
                cause, failure = exc, _failure(request, sent, text, RequestTimeoutError)
        except aiohttp.ClientPayloadError as exc:
            text = f"response body incomplete: {_describe(exc)}"
            cause, failure = exc, _failure(request, True, text)
        except (aiohttp.ClientError, OSError) as exc:
            sent = not hooked or attempt.may_have_arrived()
            cause, failure = exc, _failure(request, sent, f"connection failed: {_describe(exc)}")
        finally:
            _CURRENT.reset(current)
            # aiohttp schedules its keep-alive cleanup while this attempt is the context's
            # current one, and that timer keeps the context (so the attempt) for 15 s: an
            # attempt that still held its clock held the clock's task, its result and the
            # body with it (tens of pages alive at once in a long pull, RSS up to 2.5x)
            attempt.clock = attempt.on_ready = None
        chained = _cause(cause)  # only when it cannot show the key
        del cause  # a frame local an error reporter would print
        raise failure from chained

    async def _read(self, resp: aiohttp.ClientResponse, method: str, shown: str) -> RawResponse:
        length = resp.content_length
        if resp.headers.get("Content-Encoding", "identity").lower() != "identity":
            # Content-Length counts the compressed bytes: a 1 MB gzip body may unpack
            # to 1,000 MB. Count what is unpacked, as it is read.
            length = None
        cap = self.max_response_bytes
        if length is not None and length > cap:
            raise ResponseTooLargeError(
                f"response of {length} bytes exceeds the {cap}-byte cap",
                method=method,
                url_redacted=shown,
            )
        if length is not None:
            body = await resp.read()  # known and within the cap: one read
        else:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLargeError(
                        f"response exceeds the {cap}-byte cap", method=method, url_redacted=shown
                    )
                chunks.append(chunk)
            body = b"".join(chunks)
        return RawResponse(
            status=resp.status,
            content_type=resp.headers.get("Content-Type", ""),
            body=body,
            retry_after=resp.headers.get("Retry-After"),
            headers=resp.headers,  # (read-only and case-insensitive: no copy needed)
        )


@functools.lru_cache(maxsize=64)
def _socket_timeout(connect: float) -> aiohttp.ClientTimeout:
    """aiohttp's timeout for one attempt: only the socket's connect (the attempt's own
    clock covers the rest). One object per value, not one per request."""
    return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=connect)


def _failure(
    request: Outgoing,
    sent: bool,
    text: str,
    kind: type[ConnectionFailedError | RequestTimeoutError] = ConnectionFailedError,
) -> ConnectionFailedError | RequestTimeoutError:
    """Our error for a failed attempt; ``sent``: whether it may have reached the server."""
    return kind(text, sent=sent, method=request.method, url_redacted=request.url_redacted)


def _handover(request: Outgoing) -> dict[str, Any]:
    url, headers = request.authorize(request.url, request.headers)
    return {"url": url, "headers": headers}


def _no_silent_resend(session: aiohttp.ClientSession) -> None:
    # No public switch exists; aiohttp's own test_utils sets the same attribute.
    if getattr(session, "_retry_connection", False):
        session._retry_connection = False
