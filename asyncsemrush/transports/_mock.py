"""A transport that answers from a function: the spine tested without a socket."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping

import attrs
from yarl import URL

from ._base import OnReady, Outgoing, RawResponse


@attrs.frozen
class MockRequest:
    """What a :class:`MockTransport` handler is shown: the request as it would leave,
    credentials included (``url`` with the key, ``headers`` with any auth header)."""

    method: str
    url: URL
    headers: Mapping[str, str]
    body: bytes | None = attrs.field(repr=False)


Handler = Callable[[MockRequest], "RawResponse | Awaitable[RawResponse]"]


class MockTransport:
    """Answers each attempt with ``handler(request)`` (a function or a coroutine function
    returning a :class:`RawResponse`, or raising ``ConnectionFailedError`` /
    ``RequestTimeoutError`` to play a network failure). ``on_ready`` is awaited first, as
    a real transport does once its connection is ready, and the attempt's ``timeout``
    starts after it. ``requests`` lists what was sent."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[MockRequest] = []
        self.closed = False

    async def send(
        self, request: Outgoing, *, on_ready: OnReady | None, timeout: float
    ) -> RawResponse:
        """Take the slot, then answer from the handler within ``timeout``."""
        from ..errors import RequestTimeoutError

        if on_ready is not None:
            await on_ready()
        url, headers = request.authorize(request.url, request.headers)
        seen = MockRequest(request.method, url, dict(headers), request.body)
        self.requests.append(seen)
        answer = self.handler(seen)
        try:
            if inspect.isawaitable(answer):
                return await asyncio.wait_for(answer, timeout)
            return answer
        except asyncio.TimeoutError:
            raise RequestTimeoutError(
                f"no complete answer within {timeout:g} s",
                sent=True,
                method=request.method,
                url_redacted=request.url_redacted,
            ) from None

    async def close(self) -> None:
        """Nothing to release."""
        self.closed = True
