"""Semrush API v3 (Projects, Position Tracking, Site Audit): the wire rules.

The key goes in the query string (``key=``, also on POST/PUT/DELETE, as the v3
reference shows); errors come as ``ERROR 50 :: NOTHING FOUND`` text, as
``{"code", "message"}`` objects or as a bare HTTP status; a paginated answer carries
``total`` and echoes ``offset`` (or ``page``) next to its ``data`` rows.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from yarl import URL

from .. import _leaf
from .._redact import Secret, excerpt, redact, register_pattern
from .._wire import ApiRequest, loads
from ..errors import (
    ApiError,
    MalformedResponseError,
    ResponseFormatError,
    api_error_for_code,
    http_error_for_status,
)
from ..pricing import PriceTable
from ..transports import Outgoing, RawResponse
from . import PageAnswer

__all__ = ["SemrushV3"]

#: ``key=`` in a query string or in text, up to the next separator: redacted everywhere.
KEY_PARAM = re.compile(r"(?i)(\bkey=)([^&\s\"'<>#]+)")
register_pattern(KEY_PARAM)

_ERROR_TEXT = re.compile(rb"^\s*ERROR\s+(\d+)\s*::\s*(.*)$", re.S)
_UNITS_TEXT = re.compile(r"^\s*(\d{1,3}(?:[,\s]\d{3})+|\d+)\s*$")
# A page's head: counters (a name, then digits or a short string without escapes) and
# then the rows' key opening an object or a list. Strings cannot hold a quote, so no
# counter can be read out of another's value.
_COUNTER_TEXT = rb'\s*"(\w{1,32})"\s*:\s*("[^"\\]{0,64}"|\d{1,19})\s*,'
_COUNTER = re.compile(_COUNTER_TEXT)
_PAGE_HEAD = re.compile(
    rb"\s*\{(?P<counters>(?:" + _COUNTER_TEXT + rb')+)\s*"(?P<rows>\w{1,32})"\s*:\s*[\[{]'
)
_ACCEPT = {"Accept": "application/json"}
_JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def build_url(base: URL, request: ApiRequest) -> URL:
    """The request URL without the key."""
    url = base.with_path(base.path.rstrip("/") + request.path)
    return url.with_query(request.params) if request.params else url


def count(data: Any, key: str, path: str | None = None) -> int | None:
    """A counter of the answer (``total``, ``offset``, ``page``): a whole number >= 0, as
    a number or numeric text; ``true``, ``49.9`` or ``-1`` are refused, never coerced."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        number = _leaf.to_int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise ResponseFormatError(
            path or f"$.{key}", f"expected a whole number >= 0, got {value!r}", answer=data
        )
    return number


def _error_from_body(data: Any, status: int, method: str, url_redacted: str) -> ApiError | None:
    """A ``{"code", "message"}`` object as its typed error, else ``None``."""
    if not isinstance(data, dict) or "code" not in data or len(data) > 4:
        return None
    if "message" not in data and "error" not in data:
        return None
    raw_code = data["code"]
    try:
        code = int(raw_code)
    except (TypeError, ValueError):
        return None
    message = redact(str(data.get("message", data.get("error", ""))))[:500]
    return api_error_for_code(code)(code, message, status, method, url_redacted)


class SemrushV3:
    """The wire rules of Semrush API v3 (the default dialect)."""

    name = "semrush-v3"

    def prices(self) -> PriceTable:
        """The v3 price table (``CURRENT_V3.md`` §6)."""
        return PriceTable()

    def outgoing(self, base: URL, request: ApiRequest, key: Secret) -> Outgoing:
        """The URL without the key (the key is added by :meth:`authorize`), JSON body."""
        body = None if request.json is None else orjson.dumps(request.json)
        return Outgoing(
            request.method,
            build_url(base, request),
            _ACCEPT if body is None else _JSON,
            body,
            authorize=lambda url, headers: (url.extend_query(key=key.reveal()), headers),
        )

    def failed(self, raw: RawResponse) -> bool:
        """An error status (3xx and up, or 244), or an ``ERROR nn ::`` body."""
        return raw.status >= 300 or raw.status == 244 or raw.body[:16].lstrip().startswith(b"ERROR")

    def decode(self, raw: RawResponse, request: ApiRequest, url_redacted: str) -> Any:
        """The decoded body of a response, or the typed error it stands for."""
        method, status, body = request.method, raw.status, raw.body
        failed = status >= 300 or status == 244

        def malformed(reason: str, shown: str = "") -> MalformedResponseError:
            return MalformedResponseError(
                reason, status=status, excerpt=shown, method=method, url_redacted=url_redacted
            )

        m = _ERROR_TEXT.match(body[:2000])
        if m:
            code = int(m.group(1))
            text = redact(m.group(2).decode("utf-8", "replace").strip())[:500]
            raise api_error_for_code(code)(code, text, status, method, url_redacted)

        if request.expect == "units" and not failed:
            text = body.decode("utf-8", "replace")
            units = _UNITS_TEXT.match(text)
            if not units:
                raise malformed("balance is not a number", excerpt(body))
            return int(re.sub(r"[,\s]", "", units.group(1)))

        if not body or body.isspace():  # (strip() would copy a 64 MB body to look)
            if failed:
                raise http_error_for_status(status)(
                    None, f"HTTP {status} with an empty body", status, method, url_redacted
                )
            if request.expect == "json_or_empty":
                return None
            raise malformed("empty response body")

        try:
            data = loads(body)
        except orjson.JSONDecodeError:
            if failed:
                raise http_error_for_status(status)(
                    None, excerpt(body) or f"HTTP {status}", status, method, url_redacted
                ) from None
            raise malformed("response is not valid JSON", excerpt(body)) from None

        error = _error_from_body(data, status, method, url_redacted)
        if error is not None:
            raise error
        if failed:
            message = data.get("message") if isinstance(data, dict) else None
            text = redact(str(message))[:500] if message else excerpt(body)
            raise http_error_for_status(status)(None, text, status, method, url_redacted)
        return data

    def peek_total(self, raw: RawResponse, *, rows_key: str, limit: int) -> int | None:
        """A page's ``total`` from the head of its body, before it is decoded: only when
        the head is plain counters (``"total": "199"``, ``"limit": 10``, short strings)
        and then the rows (``"data": {``), as Semrush sends a page, ``total`` is among
        them once, and a ``limit`` among them is the one asked for (a smaller one: the
        service served smaller pages, which the decoded page tells the pull). Anything
        else is None: the decoded answer will say."""
        if self.failed(raw):
            return None
        head = _PAGE_HEAD.match(raw.body, 0, 512)
        if head is None or head.group("rows") != rows_key.encode():
            return None
        pairs = _COUNTER.findall(head.group("counters"))
        names = [name for name, _ in pairs]
        if names.count(b"total") != 1 or len(set(names)) != len(names):
            return None
        counters = {name: value.strip(b'"') for name, value in pairs}
        if b"limit" in counters and counters[b"limit"] != b"%d" % limit:
            return None
        value = counters[b"total"]
        return int(value) if value.isdigit() and len(value) < 19 else None

    def read_page(self, data: Any, *, rows_key: str, page_mode: bool) -> PageAnswer:
        """``total`` (required), the echoed ``offset`` or ``page``, and the rows."""
        if not isinstance(data, dict):
            raise ResponseFormatError("$", "expected an object", answer=data)
        total = count(data, "total")
        if total is None:
            raise ResponseFormatError("$.total", "required field missing", answer=data)
        cursor = count(data, "page" if page_mode else "offset")
        try:  # the page size served: only informative, so a strange one is no echo
            limit = count(data, "limit")
        except ResponseFormatError:
            limit = None
        return PageAnswer(data.get(rows_key, {}), f"$.{rows_key}", total, cursor, limit)


#: The dialect a client speaks unless told otherwise.
DEFAULT = SemrushV3()
