"""The exception tree of asyncsemrush.

Everything the library raises derives from :class:`SemrushError`; aiohttp's own
exceptions never escape. Server answers become :class:`ApiError` subclasses, one per
documented error code (``API_ERRORS``) and one per documented HTTP status
(``HTTP_ERRORS``). Local failures (:class:`BudgetExceededError`,
:class:`InvalidParameterError`) are raised before anything is sent.

No message or repr produced here contains the API key: URLs are stored redacted and
server text is scrubbed before it reaches an exception.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

__all__ = [
    "API_ERRORS",
    "HTTP_ERRORS",
    "ApiDisabledError",
    "ApiError",
    "ApiKeyHashError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BudgetExceededError",
    "BudgetStoreError",
    "CampaignExistsError",
    "ClientClosedError",
    "ClientLoopError",
    "ExportError",
    "ConnectionFailedError",
    "GatewayTimeoutError",
    "HttpStatusError",
    "InternalServerError",
    "InvalidParameterError",
    "InvalidTagError",
    "InvalidToolIdError",
    "KeywordsLimitError",
    "LicenseExpiredError",
    "LimitExceededError",
    "MalformedResponseError",
    "MethodNotAllowedError",
    "MissingParameterError",
    "NotAcceptableError",
    "NotFoundError",
    "MaxUnitsReachedError",
    "PaginationError",
    "PartialResponseError",
    "ProjectNotFoundError",
    "ProjectsLimitError",
    "QuotaError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "SemrushError",
    "ServiceUnavailableError",
    "SyncStoreError",
    "TooManyRequestsError",
    "TotalLimitExceededError",
    "TransportError",
    "UnitsExhaustedError",
    "UnknownApiError",
    "UnsupportedTargetError",
    "WrongHashFormatError",
    "WrongKeyFormatError",
    "WrongKeyIdPairError",
    "api_error_for_code",
    "http_error_for_status",
]


class SemrushError(Exception):
    """Root of every exception raised by asyncsemrush.

    Every one survives pickle with its fields (a process pool can hand it back): it is
    rebuilt from its message and attributes, without calling ``__init__`` again.
    """

    #: Set when the error ends a paginated pull: rows the pull delivered, the offset to
    #: resume from (``start_offset=``), and the pages already paid for past the failed
    #: one (decoded, in order; their rows were not delivered, to keep the order).
    rows_delivered: int | None = None
    resume_offset: int | None = None
    pages_after: tuple[Any, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(vars(self))))


def _rebuild(cls: type[SemrushError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An error of ``cls`` with ``args`` and ``state``, as it was pickled."""
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


# --------------------------------------------------------------------------- local


class InvalidParameterError(SemrushError, ValueError):
    """A parameter failed validation; raised before any request is sent or unit spent."""

    def __init__(self, parameter: str, value: object, allowed: str) -> None:
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"invalid {parameter}={value!r}: {allowed}")


class BudgetExceededError(SemrushError):
    """The request's worst-case cost does not fit the unit budget; nothing was sent."""

    def __init__(self, needed: int, available: int, limit: int, report_type: str = "") -> None:
        self.needed = needed
        self.available = available
        self.limit = limit
        self.report_type = report_type
        what = f"{report_type} " if report_type else ""
        super().__init__(
            f"{what}request needs up to {needed} units but only {available} of the "
            f"budget's {limit} are available; nothing was sent"
        )


class BudgetStoreError(SemrushError):
    """The shared budget store (Redis, SQLite) failed, or its budget vanished (a Redis
    restarted empty). A request that was answered is still in the ledger: the units were
    charged whatever the store could record."""


class ExportError(SemrushError):
    """Rows could not be written to a file format (a value the format cannot hold)."""


class SyncStoreError(SemrushError):
    """A sync store could not be opened or written (a DuckDB file another process holds,
    a dataset directory that cannot be written). What was committed stays: a sync run
    again resumes from it."""


class ClientClosedError(SemrushError, RuntimeError):
    """The client was used after ``close()``, or its borrowed ``session=`` is closed."""


class ClientLoopError(SemrushError, RuntimeError):
    """The client was used in another event loop than the one it was first used in
    (a second ``asyncio.run``, or a thread with its own loop): its session, locks and
    limiter belong to the first. Create one client per event loop."""


# ----------------------------------------------------------------------- transport


class TransportError(SemrushError):
    """The request did not produce a usable HTTP response."""

    def __init__(self, message: str, *, method: str = "", url_redacted: str = "") -> None:
        self.method = method
        self.url_redacted = url_redacted
        where = f" ({method} {url_redacted})" if method else ""
        super().__init__(f"{message}{where}")


class ConnectionFailedError(TransportError, ConnectionError):
    """The connection failed or was dropped.

    ``sent`` is False when the failure provably happened before the request was sent
    (connecting failed); only then is a billable POST retried.
    """

    def __init__(
        self, message: str, *, sent: bool, method: str = "", url_redacted: str = ""
    ) -> None:
        self.sent = sent
        super().__init__(message, method=method, url_redacted=url_redacted)


class RequestTimeoutError(TransportError, TimeoutError):
    """No complete answer arrived within the configured timeout."""

    def __init__(
        self, message: str, *, sent: bool = True, method: str = "", url_redacted: str = ""
    ) -> None:
        self.sent = sent
        super().__init__(message, method=method, url_redacted=url_redacted)


class ResponseTooLargeError(TransportError):
    """The response body exceeded the configured size cap and was not buffered."""


class MalformedResponseError(SemrushError):
    """The server answered something that is not the documented format.

    Carries the HTTP status and a short, redacted excerpt of the body.
    """

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        excerpt: str = "",
        method: str = "",
        url_redacted: str = "",
    ) -> None:
        self.reason = reason
        self.status = status
        self.excerpt = excerpt
        self.method = method
        self.url_redacted = url_redacted
        parts = [reason]
        if status is not None:
            parts.append(f"HTTP {status}")
        if method:
            parts.append(f"{method} {url_redacted}")
        if excerpt:
            parts.append(f"body starts {excerpt!r}")
        super().__init__("; ".join(parts))


class ResponseFormatError(MalformedResponseError):
    """A decoded response does not fit its model; ``field`` names where (``$.data.0.Nq``).

    What was paid for stays reachable: ``answer`` is the decoded JSON that did not fit
    (for a pull, the page's rows as sent). Raised by a pull, it also says how far the
    pull got: ``rows_delivered`` (the page's rows before the bad one were delivered) and
    ``resume_offset`` (the bad row's offset, for ``start_offset=``); both are None
    outside a pull.
    """

    def __init__(
        self,
        field: str,
        reason: str,
        *,
        model: str = "",
        answer: Any = None,
        rows_delivered: int | None = None,
        resume_offset: int | None = None,
    ) -> None:
        self.field = field
        self.model = model
        self.answer = answer
        self.rows_delivered = rows_delivered
        self.resume_offset = resume_offset
        where = f"{model} " if model else ""
        super().__init__(f"unexpected {where}response at {field}: {reason}")


class PaginationError(SemrushError):
    """A paginated pull cannot go on without losing or repeating rows.

    ``resume_offset`` is where a new pull (``start_offset=``) would continue;
    ``rows_delivered`` how many rows this pull yielded.
    """

    resume_offset: int
    rows_delivered: int

    def __init__(self, message: str, *, resume_offset: int, rows_delivered: int) -> None:
        self.resume_offset = resume_offset
        self.rows_delivered = rows_delivered
        super().__init__(
            f"{message}; {rows_delivered} rows delivered, resume with start_offset={resume_offset}"
        )


class PartialResponseError(PaginationError):
    """The service answered fewer rows than asked while ``total`` says more exist.

    This is how it answers when the unit balance pays for only part of a page: the rows
    received were delivered; the rest starts at ``resume_offset``.
    """

    def __init__(
        self, *, received: int, asked: int, total: int, resume_offset: int, rows_delivered: int
    ) -> None:
        self.received = received
        self.asked = asked
        self.total = total
        super().__init__(
            f"partial response: {received} of {asked} rows while {total} exist "
            "(the unit balance may be too low)",
            resume_offset=resume_offset,
            rows_delivered=rows_delivered,
        )


class MaxUnitsReachedError(PaginationError):
    """A pull stopped at its ``max_units`` before the end of the report (raised with
    ``on_max_units="raise"``; by default the pull ends and says so in
    ``pager.stopped_by``). ``resume_offset`` is where the next pull starts."""

    def __init__(self, *, max_units: int, resume_offset: int, rows_delivered: int) -> None:
        self.max_units = max_units
        super().__init__(
            f"the pull reached max_units={max_units} before the end of the report",
            resume_offset=resume_offset,
            rows_delivered=rows_delivered,
        )


# ----------------------------------------------------------------------- API errors


class ApiError(SemrushError):
    """The server answered with an error.

    ``code`` is Semrush's machine-readable error code (``None`` for a bare HTTP-level
    failure), ``message`` the server's text, ``status`` the HTTP status, ``method`` and
    ``url_redacted`` the request (the key replaced by ``REDACTED``). ``retryable`` says
    whether the same request may succeed if sent again later (the retry verdict's rule:
    429 and 5xx without a Semrush error code).
    """

    default_code: ClassVar[int | None] = None

    def __init__(
        self,
        code: int | None,
        message: str,
        status: int | None = None,
        method: str = "",
        url_redacted: str = "",
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.method = method
        self.url_redacted = url_redacted
        head = f"[{code}] " if code is not None else ""
        tail = []
        if status is not None:
            tail.append(f"HTTP {status}")
        if method:
            tail.append(f"{method} {url_redacted}")
        suffix = f" ({', '.join(tail)})" if tail else ""
        super().__init__(f"{head}{message}{suffix}")

    @property
    def retryable(self) -> bool:
        """Whether the send loop retries this answer (for an idempotent request)."""
        from ._retry import retried_status

        return self.code is None and retried_status(self.status)


class AuthenticationError(ApiError):
    """The API key was rejected or the account has no API access (70, 120-122, 130, 403)."""


class QuotaError(ApiError):
    """A request or unit quota of the account is used up (131, 132, 134)."""


class RateLimitedError(ApiError):
    """Too many requests (HTTP 429); retried automatically with backoff."""

    default_code = None


class ApiKeyHashError(AuthenticationError):
    """70: API key hash failure."""

    default_code = 70


class WrongKeyIdPairError(AuthenticationError):
    """120: wrong key-ID pair."""

    default_code = 120


class WrongHashFormatError(AuthenticationError):
    """121: wrong format or empty hash."""

    default_code = 121


class WrongKeyFormatError(AuthenticationError):
    """122: wrong format or empty key."""

    default_code = 122


class ApiDisabledError(AuthenticationError):
    """130: the API is disabled for this subscription."""

    default_code = 130


class LimitExceededError(QuotaError):
    """131: the request limit for this report is reached (not retried: it is a quota)."""

    default_code = 131


class UnitsExhaustedError(QuotaError):
    """132: the API units balance is zero."""

    default_code = 132


class TotalLimitExceededError(QuotaError):
    """134: the total API request limit is reached."""

    default_code = 134


class UnknownApiError(ApiError):
    """511: unknown error on the server side."""

    default_code = 511


class ProjectNotFoundError(ApiError):
    """512: no project with that ID."""

    default_code = 512


class InvalidToolIdError(ApiError):
    """513: invalid tool_id."""

    default_code = 513


class CampaignExistsError(ApiError):
    """515: a campaign with the same parameters already exists."""

    default_code = 515


class MissingParameterError(ApiError):
    """519: a mandatory URL parameter is missing."""

    default_code = 519


class InvalidTagError(ApiError):
    """520: invalid tag name."""

    default_code = 520


class ProjectsLimitError(QuotaError):
    """521: the account's project limit is reached.

    ``projects_count`` and ``projects_limit`` are parsed from the message (``None``
    when the server's text does not carry them).
    """

    default_code = 521

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        m = re.search(r"created:\s*(\d+).*?are\s*(\d+)", self.message, re.S)
        self.projects_count: int | None = int(m.group(1)) if m else None
        self.projects_limit: int | None = int(m.group(2)) if m else None


class KeywordsLimitError(QuotaError):
    """522: the account's keyword limit is reached.

    ``keywords_limit`` and ``keywords_count`` are parsed from the message (``None``
    when the server's text does not carry them).
    """

    default_code = 522

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        m = re.search(r"limit\s*(\d+).*?tracked keywords\s*(\d+)", self.message, re.S)
        self.keywords_limit: int | None = int(m.group(1)) if m else None
        self.keywords_count: int | None = int(m.group(2)) if m else None


#: Every documented Semrush error code and its exception class.
API_ERRORS: dict[int, type[ApiError]] = {
    cls.default_code: cls
    for cls in (
        ApiKeyHashError,
        WrongKeyIdPairError,
        WrongHashFormatError,
        WrongKeyFormatError,
        ApiDisabledError,
        LimitExceededError,
        UnitsExhaustedError,
        TotalLimitExceededError,
        UnknownApiError,
        ProjectNotFoundError,
        InvalidToolIdError,
        CampaignExistsError,
        MissingParameterError,
        InvalidTagError,
        ProjectsLimitError,
        KeywordsLimitError,
    )
    if cls.default_code is not None
}


# ---------------------------------------------------------------------- HTTP errors


class HttpStatusError(ApiError):
    """An HTTP-level failure without a Semrush error code (``code`` is ``None``)."""


class UnsupportedTargetError(HttpStatusError):
    """244: results for huge websites are unavailable via the API."""


class BadRequestError(HttpStatusError):
    """400 without a Semrush error body: invalid parameter, format or target."""


class LicenseExpiredError(HttpStatusError, AuthenticationError):
    """403: the account's license has expired."""


class NotFoundError(HttpStatusError):
    """404: the requested resource does not exist."""


class MethodNotAllowedError(HttpStatusError):
    """405: the HTTP method is not supported for this resource."""


class NotAcceptableError(HttpStatusError):
    """406: the server cannot produce the requested format."""


class TooManyRequestsError(HttpStatusError, RateLimitedError):
    """429: call rate limit reached (retried with backoff, honouring Retry-After)."""


class InternalServerError(HttpStatusError):
    """500: unexpected server error (retried)."""


class BadGatewayError(HttpStatusError):
    """502: a gateway failed (retried)."""


class ServiceUnavailableError(HttpStatusError):
    """503: the system is busy (retried)."""


class GatewayTimeoutError(HttpStatusError):
    """504: a gateway timed out (retried)."""


#: Every documented HTTP status and its exception class.
HTTP_ERRORS: dict[int, type[HttpStatusError]] = {
    244: UnsupportedTargetError,
    400: BadRequestError,
    403: LicenseExpiredError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    406: NotAcceptableError,
    429: TooManyRequestsError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    504: GatewayTimeoutError,
}


def api_error_for_code(code: int) -> type[ApiError]:
    """The exception class for a Semrush error code (``ApiError`` if undocumented)."""
    return API_ERRORS.get(code, ApiError)


def http_error_for_status(status: int) -> type[HttpStatusError]:
    """The exception class for an HTTP status; undocumented 5xx are retryable."""
    cls = HTTP_ERRORS.get(status)
    if cls is not None:
        return cls
    return InternalServerError if status >= 500 else HttpStatusError
