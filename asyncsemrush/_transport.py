"""The only module that talks HTTP: one attempt in, status + headers + body out.

aiohttp's exceptions are mapped here to ours; ``sent`` on a connection error says
whether the request may have reached the server (it decides whether a POST may be
retried and whether the attempt may have been charged).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson
from yarl import URL

from ._redact import redact
from ._wire import RawResponse
from .errors import ConnectionFailedError, RequestTimeoutError, ResponseTooLargeError

_CHUNK = 1 << 16


def _describe(exc: BaseException) -> str:
    text = redact(str(exc))[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _cause(theirs: BaseException) -> BaseException | None:
    """aiohttp's exception as our cause, only when its text cannot leak the key."""
    safe = redact(str(theirs)) == str(theirs) and redact(repr(theirs)) == repr(theirs)
    return theirs if safe else None


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
    ) -> RawResponse:
        """Send one attempt and read the whole body (up to the size cap)."""
        data = None
        headers = {"Accept": "application/json"}
        if json_body is not None:
            data = orjson.dumps(json_body)
            headers["Content-Type"] = "application/json"
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,  # never carry the key to another host
            ) as resp:
                length = resp.content_length
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
                f"no complete answer within {self.timeout.total} s",
                sent=True,
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
                sent=True,
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
