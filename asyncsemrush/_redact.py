"""Keep the API key out of every message, log line, repr and URL we print."""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "REDACTED"

# ``key=`` in a query string or in text, up to the next separator.
_KEY_PARAM = re.compile(r"(?i)(\bkey=)[^&\s\"'<>#]+")

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Remember ``secret`` so that every redaction removes it, wherever it appears."""
    if len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every ``key=...`` value and every registered secret replaced."""
    text = _KEY_PARAM.sub(rf"\g<1>{REDACTED}", text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


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
