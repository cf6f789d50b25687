"""The only module that talks HTTP: one attempt in, status + headers + body out.

aiohttp's exceptions are mapped here to ours; ``sent`` on a connection error says
whether the request may have reached the server (it decides whether a POST may be
retried and whether the attempt may have been charged).
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import aiohttp
import orjson
from yarl import URL

from ._limits import RateLimiter
from ._redact import Secret, redact
from ._wire import RawResponse, with_key
from .errors import ConnectionFailedError, RequestTimeoutError, ResponseTooLargeError

_CHUNK = 1 << 16


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


class Attempt:
    """What the trace hooks do and learn for one attempt on the client's own session.

    The rate-limit slot is taken once the connection is ready, just before the
    request is written: a start then is the moment the request leaves, not the moment
    before a connection (or a TLS handshake) of unknown length. ``sent`` tells
    whether the request was written, for failures that come before that.
    """

    __slots__ = ("connected", "limiter", "sent")

    def __init__(self, limiter: RateLimiter | None) -> None:
        self.limiter = limiter
        self.connected = False
        self.sent = False

    def may_have_arrived(self) -> bool:
        """Whether the server may have seen the request (True when nobody told us)."""
        return self.sent or not self.connected


async def _connection_ready(_session: object, ctx: Any, _params: object) -> None:
    attempt = ctx.trace_request_ctx
    if isinstance(attempt, Attempt):
        attempt.connected = True
        if attempt.limiter is not None:
            await attempt.limiter.acquire()


async def _headers_sent(_session: object, ctx: Any, _params: object) -> None:
    attempt = ctx.trace_request_ctx
    if isinstance(attempt, Attempt):
        attempt.sent = True


def tracing() -> aiohttp.TraceConfig:
    """The trace hooks :class:`Attempt` needs, for a session the client creates."""
    config = aiohttp.TraceConfig()
    config.on_connection_reuseconn.append(_connection_ready)
    config.on_connection_create_end.append(_connection_ready)
    config.on_request_headers_sent.append(_headers_sent)
    return config


class Transport:
    """Sends one HTTP attempt over a shared ``aiohttp.ClientSession``."""

    def __init__(self, *, timeout: float, max_response_bytes: int) -> None:
        self.timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=min(timeout, 10.0), connect=None
        )
        self.max_response_bytes = max_response_bytes

    async def send(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        url_redacted: str,
        json_body: Any = None,
        attempt: Attempt | None = None,
        timeout: float | None = None,
        key: Secret | None = None,
    ) -> RawResponse:
        """Send one attempt and read the whole body (up to the size cap), within the
        transport's timeout or the shorter ``timeout`` given (what a call's deadline
        leaves). With an ``attempt``, the session must carry :func:`tracing`'s hooks."""
        limit = self.timeout
        if timeout is not None and timeout < (limit.total or math.inf):
            limit = aiohttp.ClientTimeout(
                total=timeout, sock_connect=min(timeout, limit.sock_connect or timeout)
            )
        data = None
        headers = {"Accept": "application/json"}
        if json_body is not None:
            data = orjson.dumps(json_body)
            headers["Content-Type"] = "application/json"
        try:
            async with session.request(
                method,
                url if key is None else with_key(url, key),  # the keyed URL: no local holds it
                data=data,
                headers=headers,
                timeout=limit,
                allow_redirects=False,  # never carry the key to another host
                trace_request_ctx=attempt,
            ) as resp:
                length = resp.content_length
                if resp.headers.get("Content-Encoding", "identity").lower() != "identity":
                    # Content-Length counts the compressed bytes: a 1 MB gzip body may
                    # unpack to 1,000 MB. Count what is unpacked, as it is read.
                    length = None
                if length is not None and length > self.max_response_bytes:
                    raise ResponseTooLargeError(
                        f"response of {length} bytes exceeds the "
                        f"{self.max_response_bytes}-byte cap",
                        method=method,
                        url_redacted=url_redacted,
                    )
                if length is not None:
                    body = await resp.read()  # known and within the cap: one read
                else:
                    body = await self._read(resp, method, url_redacted)
                return RawResponse(
                    status=resp.status,
                    content_type=resp.headers.get("Content-Type", ""),
                    body=body,
                    retry_after=resp.headers.get("Retry-After"),
                )
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            raise ConnectionFailedError(
                f"could not connect: {_describe(exc)}",
                sent=False,
                method=method,
                url_redacted=url_redacted,
            ) from _cause(exc)
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise RequestTimeoutError(
                f"no complete answer within {limit.total:g} s",
                sent=attempt is None or attempt.may_have_arrived(),
                method=method,
                url_redacted=url_redacted,
            ) from _cause(exc)
        except aiohttp.ClientPayloadError as exc:
            raise ConnectionFailedError(
                f"response body incomplete: {_describe(exc)}",
                sent=True,
                method=method,
                url_redacted=url_redacted,
            ) from _cause(exc)
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectionFailedError(
                f"connection failed: {_describe(exc)}",
                sent=attempt is None or attempt.may_have_arrived(),
                method=method,
                url_redacted=url_redacted,
            ) from _cause(exc)

    async def _read(self, resp: aiohttp.ClientResponse, method: str, url_redacted: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise ResponseTooLargeError(
                    f"response exceeds the {self.max_response_bytes}-byte cap",
                    method=method,
                    url_redacted=url_redacted,
                )
            chunks.append(chunk)
        return b"".join(chunks)
