"""Wire dialects: everything one API version decides about the bytes.

A dialect builds a request's URL and headers and adds the credentials, says whether an
answer is an error and decodes it (or raises the typed error it stands for), reads a
page's rows and counters, and brings its price table. The send loop, the budget, the
retry verdict and the paginator never look at the wire themselves. Semrush v3 is
:class:`~asyncsemrush.dialects.semrush_v3.SemrushV3`; a second API (v4: an
``Authorization`` header, a ``meta``/``data``/``error`` envelope, ``total_count``) is one
more module implementing :class:`Dialect`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import attrs
from yarl import URL

from .._redact import Secret
from .._wire import ApiRequest
from ..pricing import PriceTable
from ..transports import Outgoing, RawResponse

__all__ = ["Dialect", "PageAnswer"]


@attrs.frozen
class PageAnswer:
    """A page as the dialect read it: ``rows`` as sent (at ``rows_path``), the report's
    ``total``, the ``cursor`` the answer echoes (its offset or page number; None
    when it echoes none), and the page size it echoes (``limit``; None when none)."""

    rows: Any
    rows_path: str
    total: int
    cursor: int | None
    limit: int | None = None


@runtime_checkable
class Dialect(Protocol):
    """The wire rules of one API version."""

    name: str

    def prices(self) -> PriceTable:
        """A fresh copy of this API's price table."""
        ...

    def outgoing(self, base: URL, request: ApiRequest, key: Secret) -> Outgoing:
        """``request`` as it is sent from ``base``: URL and headers without the key, the
        body as bytes, and an ``authorize`` that adds the key where it leaves."""
        ...

    def failed(self, raw: RawResponse) -> bool:
        """Whether an answer is an error, decided without decoding a success body."""
        ...

    def decode(self, raw: RawResponse, request: ApiRequest, url_redacted: str) -> Any:
        """The answer's data, or raise its typed error: an ``ApiError`` for an error
        answer, ``MalformedResponseError`` for a success that cannot be read."""
        ...

    def peek_total(self, raw: RawResponse, *, rows_key: str, limit: int) -> int | None:
        """A page's ``total`` read from its undecoded body when that is certain and the
        page was served ``limit`` rows a page as asked (so the next pages can leave
        before it is decoded), else None."""
        ...

    def read_page(self, data: Any, *, rows_key: str, page_mode: bool) -> PageAnswer:
        """A paginated answer's rows and counters; ``ResponseFormatError`` when the
        counters are missing or not whole numbers >= 0 (never coerced)."""
        ...
