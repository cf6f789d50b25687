"""Keep the API key out of every message, log line, repr and URL we print."""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "REDACTED"

_secrets: dict[str, re.Pattern[str]] = {}
# Where a dialect puts credentials in text (v3: ``key=`` in a query string): the value
# in group 2 is replaced, group 1 kept. Registered by each dialect's module.
_patterns: list[re.Pattern[str]] = []
_lock = threading.Lock()


def register_pattern(pattern: re.Pattern[str]) -> None:
    """Redact, from now on, group 2 of every match of ``pattern`` (group 1 is kept)."""
    with _lock:
        if pattern not in _patterns:
            _patterns.append(pattern)


class Secret:
    """A credential that prints as ``REDACTED``: its repr and str hide it, so a frame
    local, an attribute or an argument holding it shows nothing to an error reporter
    (``capture_locals``, Sentry, rich's ``show_locals``). ``reveal()`` is called only
    where the key goes into what is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The credential itself."""
        return self._value

    def __repr__(self) -> str:
        return f"<Secret {REDACTED}>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def register_secret(secret: str) -> None:
    """Remember ``secret`` so that every redaction removes it, in any letter case."""
    if len(secret) >= 4:
        with _lock:
            _secrets.setdefault(secret, re.compile(re.escape(secret), re.IGNORECASE))


def redact(text: str) -> str:
    """``text`` with every credential a dialect's pattern finds (v3: ``key=...``) and
    every registered secret replaced (a server that echoes the key upper-cased is
    redacted too)."""
    for credential in _patterns:
        text = credential.sub(rf"\g<1>{REDACTED}", text)
    folded = text.casefold()
    for secret, pattern in list(_secrets.items()):
        if secret.casefold() in folded:
            text = pattern.sub(REDACTED, text)
    return text


def scrub_chain(err: BaseException) -> BaseException:
    """Cut what an error raised ``from`` something still carries as ``__context__``
    (aiohttp's exception with the keyed URL, orjson's with the body): a chain walker sees
    only the cause we chose. Returns ``err``."""
    seen: set[int] = set()
    node: BaseException | None = err
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if node.__suppress_context__:
            node.__context__ = None
        node = node.__cause__ or node.__context__
    return err


def excerpt(body: bytes, limit: int = 200) -> str:
    """A short, redacted, printable start of a response body."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return redact(text)[:limit]


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs API keys from a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix
            return True
        clean = redact(message)
        if clean != message:
            record.msg = clean
            record.args = None
        return True


_FILTER = RedactingFilter()
_FILTERED_LOGGERS = (
    "asyncsemrush",
    "asyncsemrush.transport",
    "asyncsemrush.budget",
    "aiohttp.client",
    "aiohttp.access",
    "aiohttp.server",
    "aiohttp.web",
)


def install_log_filter() -> None:
    """Attach the redacting filter to our loggers and aiohttp's (idempotent).

    A filter only sees records logged to its own logger, so each one is named;
    aiohttp's server access log (used by the sandbox) prints full query strings.
    """
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
