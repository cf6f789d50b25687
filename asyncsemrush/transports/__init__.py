"""The transport seam: one async ``send`` per HTTP attempt, and no policy.

A transport is handed an :class:`Outgoing` request (method, URL without credentials,
headers, body, and the dialect's ``authorize`` that adds them only where the request is
handed over), takes the rate-limit slot through ``on_ready`` once its connection is
ready, starts the attempt's ``timeout`` after that, and returns a
:class:`RawResponse`. It raises :class:`~asyncsemrush.errors.ConnectionFailedError` or
:class:`~asyncsemrush.errors.RequestTimeoutError` with ``sent`` telling whether the
request may have reached the server, and
:class:`~asyncsemrush.errors.ResponseTooLargeError`. Retries, prices and budgets are
the send loop's (``asyncsemrush._send``): a transport never retries.

:class:`AiohttpTransport` is the real one (it owns its session, or borrows yours);
:class:`MockTransport` answers from a function, for tests without a socket.
"""

from __future__ import annotations

from ._aiohttp import AiohttpTransport
from ._base import Authorize, OnReady, Outgoing, RawResponse, Transport
from ._mock import MockRequest, MockTransport

__all__ = [
    "AiohttpTransport",
    "Authorize",
    "MockRequest",
    "MockTransport",
    "OnReady",
    "Outgoing",
    "RawResponse",
    "Transport",
]
