"""Requests as data and responses as bytes: building URLs, decoding, mapping errors.

Nothing here touches the network; the transport hands over status, headers and body
and gets back decoded JSON or a typed exception.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import orjson
from yarl import URL

from ._redact import Secret, excerpt, redact
from .errors import (
    ApiError,
    MalformedResponseError,
    api_error_for_code,
    http_error_for_status,
)
from .pricing import Usage

Method = Literal["GET", "POST", "PUT", "DELETE"]
Expect = Literal["json", "json_or_empty", "units"]

_ERROR_TEXT = re.compile(rb"^\s*ERROR\s+(\d+)\s*::\s*(.*)$", re.S)
_UNITS_TEXT = re.compile(r"^\s*(\d{1,3}(?:[,\s]\d{3})+|\d+)\s*$")

# Bodies from this size up are decoded with the cyclic GC paused (see ``loads``).
PAUSE_GC_BYTES = 1 << 16
_gc_lock = threading.Lock()
_gc_pausers = 0  # decodes in progress that asked for the pause, across threads
_gc_resume = False  # whether the last of them turns the collector back on


def loads(body: bytes) -> Any:
    """``orjson.loads``, with the cyclic garbage collector paused for big bodies.

    A 2 MB page decodes into ~35,000 containers; each 700 new containers start a
    collection, and the young ones, all alive, are traversed again and again on their
    way to the oldest generation: about a third of a big pull's time went there.
    Decoded JSON cannot hold a reference cycle, so nothing is collectable meanwhile:
    the pause only postpones work. It nests across threads (the collector comes back
    when the last decode ends, and only if it was on when the first began); a
    collector that was off stays off. Objects made in other threads meanwhile are
    collected when the collector is back.
    """
    global _gc_pausers, _gc_resume
    if len(body) < PAUSE_GC_BYTES:
        return orjson.loads(body)
    with _gc_lock:
        if not _gc_pausers:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        return orjson.loads(body)
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if not _gc_pausers and _gc_resume:
                gc.enable()


@attrs.frozen
class ApiRequest:
    """One request described as data: what to send, what it may cost, how to read it.

    ``usage`` is the worst case reserved before sending (lines asked for, keywords
    added, snapshots asked for); ``keywords`` the phrases of a keyword addition, by which
    the answer tells what was added (and charged). ``host`` selects the API (``"api"``)
    or the balance endpoint's host (``"balance"``).
    """

    method: Method
    path: str
    report_type: str
    params: Mapping[str, str] = attrs.field(factory=dict)
    json: Any = None
    usage: Usage = attrs.field(factory=Usage)
    expect: Expect = "json"
    host: Literal["api", "balance"] = "api"
    keywords: tuple[str, ...] = ()


@attrs.frozen
class RawResponse:
    """What the transport got back. Its repr leaves the body out (a server may echo the
    key in it; an error reporter's frame locals show reprs)."""

    status: int
    content_type: str
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")
    retry_after: str | None = None


@attrs.frozen
class ApiResponse:
    """A decoded answer with its metadata: the raw escape hatch.

    ``data`` is the decoded JSON (or the parsed number for the balance check);
    ``units`` what the request cost, ``attempts`` how many HTTP attempts it took.
    """

    data: Any
    status: int
    attempts: int
    units: int
    usage: Usage
    report_type: str


def build_url(base: URL, request: ApiRequest) -> URL:
    """The request URL without the key (the transport adds it)."""
    url = base.with_path(base.path.rstrip("/") + request.path)
    if request.params:
        url = url.with_query(dict(request.params))
    return url


def with_key(url: URL, key: Secret) -> URL:
    """``url`` with the API key added to its query string: call it only inside the
    expression that hands the URL to aiohttp, so no local of ours holds the result."""
    return url.update_query(key=key.reveal())


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


def decode(raw: RawResponse, request: ApiRequest, url_redacted: str) -> Any:
    """The decoded body of a response, or the typed error it stands for."""
    method, status, body = request.method, raw.status, raw.body
    failed = status >= 300 or status == 244

    m = _ERROR_TEXT.match(body[:2000])
    if m:
        code = int(m.group(1))
        text = redact(m.group(2).decode("utf-8", "replace").strip())[:500]
        raise api_error_for_code(code)(code, text, status, method, url_redacted)

    if request.expect == "units" and not failed:
        text = body.decode("utf-8", "replace")
        units = _UNITS_TEXT.match(text)
        if not units:
            raise MalformedResponseError(
                "balance is not a number",
                status=status,
                excerpt=excerpt(body),
                method=method,
                url_redacted=url_redacted,
            )
        return int(re.sub(r"[,\s]", "", units.group(1)))

    if not body.strip():
        if failed:
            raise http_error_for_status(status)(
                None, f"HTTP {status} with an empty body", status, method, url_redacted
            )
        if request.expect == "json_or_empty":
            return None
        raise MalformedResponseError(
            "empty response body", status=status, method=method, url_redacted=url_redacted
        )

    try:
        data = loads(body)
    except orjson.JSONDecodeError:
        if failed:
            raise http_error_for_status(status)(
                None, excerpt(body) or f"HTTP {status}", status, method, url_redacted
            ) from None
        raise MalformedResponseError(
            "response is not valid JSON",
            status=status,
            excerpt=excerpt(body),
            method=method,
            url_redacted=url_redacted,
        ) from None

    error = _error_from_body(data, status, method, url_redacted)
    if error is not None:
        raise error
    if failed:
        message = data.get("message") if isinstance(data, dict) else None
        text = redact(str(message))[:500] if message else excerpt(body)
        raise http_error_for_status(status)(None, text, status, method, url_redacted)
    return data
