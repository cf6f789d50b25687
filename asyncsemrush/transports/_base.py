"""What crosses the transport seam: the request going out, the answer coming back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol, runtime_checkable

import attrs
from yarl import URL

#: Takes the rate-limit slot; a transport awaits it once, just before the request is
#: written (when its connection is ready), and starts the attempt's timeout after it.
OnReady = Callable[[], Awaitable[None]]

#: Adds the credentials to a request's URL and headers. Called only inside the expression
#: that hands them to the HTTP library, so no local variable holds the keyed result.
Authorize = Callable[[URL, Mapping[str, str]], tuple[URL, Mapping[str, str]]]


def _unchanged(url: URL, headers: Mapping[str, str]) -> tuple[URL, Mapping[str, str]]:
    return url, headers


@attrs.frozen
class Outgoing:
    """One attempt to send: printable as it is (``url`` and ``headers`` carry no
    credentials; ``authorize`` adds them where the request leaves)."""

    method: str
    url: URL
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | None = attrs.field(default=None, repr=lambda b: f"<{len(b or b'')} bytes>")
    authorize: Authorize = attrs.field(default=_unchanged, repr=False)

    @property
    def url_redacted(self) -> str:
        """The URL as shown in errors, logs and the ledger (it has no key)."""
        return str(self.url)


@attrs.frozen
class RawResponse:
    """What the transport got back. Its repr leaves the body out (a server may echo the
    key in it; an error reporter's frame locals show reprs)."""

    status: int
    content_type: str
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")
    retry_after: str | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)


@runtime_checkable
class Transport(Protocol):
    """Sends one HTTP attempt; knows nothing of prices, budgets or retries."""

    async def send(
        self, request: Outgoing, *, on_ready: OnReady | None, timeout: float
    ) -> RawResponse:
        """Send ``request`` and read its whole answer.

        ``on_ready`` (the rate-limit slot) is awaited once, when the connection is ready
        and before anything is written; ``timeout`` seconds for the attempt start after
        it. Raises ``ConnectionFailedError``/``RequestTimeoutError`` (with ``sent``) and
        ``ResponseTooLargeError``; never retries."""
        ...

    async def close(self) -> None:
        """Release what the transport owns (a borrowed session is left open)."""
        ...
