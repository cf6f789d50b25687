"""The unit ledger: one entry per request sent, with running totals."""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from .pricing import dollars

#: How a request ended: ``ok``; ``error`` (the server refused it, nothing charged);
#: ``uncertain`` (it may have been charged; counted at its reserved worst case);
#: ``cancelled`` (cancelled before anything was sent, nothing charged); ``cached``
#: (answered by the response cache: nothing sent, ``saved`` the units it would have cost).
Outcome = Literal["ok", "error", "uncertain", "cancelled", "cached"]


log = logging.getLogger("asyncsemrush")


@attrs.frozen
class LedgerEntry:
    """What one request cost. ``path`` never contains the API key. ``overrun`` is what
    the answer cost beyond the worst case reserved for it (a server that sent more rows
    than asked): charged, recorded, and flagged here and in a warning. ``saved``: what a
    ``cached`` answer would have cost (its ``actual`` is 0)."""

    time: dt.datetime
    report_type: str
    method: str
    path: str
    estimated: int
    actual: int
    lines: int | None
    attempts: int
    outcome: Outcome
    status: int | None = None
    error: str | None = None
    attempt_log: tuple[str, ...] = ()
    overrun: int = 0
    saved: int = 0

    @property
    def uncertain(self) -> bool:
        """Whether ``actual`` includes a charge that may not have happened."""
        return self.outcome == "uncertain" or any(a.endswith("?") for a in self.attempt_log)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict of this entry."""
        d = attrs.asdict(self)
        d["time"] = self.time.isoformat()
        d["attempt_log"] = list(self.attempt_log)
        d["uncertain"] = self.uncertain
        return d


@attrs.define
class LedgerTotals:
    """Running totals over a set of ledger entries."""

    requests: int = 0
    attempts: int = 0
    estimated: int = 0
    spent: int = 0
    uncertain: int = 0
    lines: int = 0
    errors: int = 0
    overrun: int = 0
    cached: int = 0  # answers served by the response cache (not requests: nothing was sent)
    saved: int = 0  # the units those answers would have cost

    @property
    def dollars(self) -> Decimal:
        """``spent`` in US dollars."""
        return dollars(self.spent)

    def add(self, entry: LedgerEntry) -> None:
        if entry.outcome == "cached":
            self.cached += 1
            self.saved += entry.saved
            return
        self.requests += 1
        self.attempts += entry.attempts
        self.estimated += entry.estimated
        self.spent += entry.actual
        self.lines += entry.lines or 0
        self.overrun += entry.overrun
        if entry.uncertain:
            self.uncertain += entry.actual
        if entry.outcome == "error":
            self.errors += 1


class UnitLedger:
    """Every request's estimated and actual units, report type and outcome.

    Totals cover every entry ever recorded; ``entries`` keeps the newest
    ``max_entries`` (default 10,000, about 6 MB; ``None``: all) so a long pull or a
    long-running service does not grow without end (a ``SqliteLedger`` keeps them all).
    """

    def __init__(self, *, max_entries: int | None = 10_000) -> None:
        self._entries: deque[LedgerEntry] = deque(maxlen=max_entries)
        self._total = LedgerTotals()
        self._by_type: dict[str, LedgerTotals] = {}
        self._listeners: list[Callable[[LedgerEntry], None]] = []

    def record(self, entry: LedgerEntry) -> None:
        """Add an entry and tell listeners. A listener that fails (a locked SQLite file,
        a full disk) is logged, never raised into the request that was charged: the
        entry is in this ledger whatever a listener could do with it."""
        self._entries.append(entry)
        self._total.add(entry)
        by_type = self._by_type.get(entry.report_type)
        if by_type is None:  # (not setdefault: that builds a LedgerTotals every time)
            by_type = self._by_type[entry.report_type] = LedgerTotals()
        by_type.add(entry)
        for listener in self._listeners:
            try:
                listener(entry)
            except Exception:
                log.exception("a ledger listener failed on a %s entry", entry.report_type)

    def add_listener(self, listener: Callable[[LedgerEntry], None]) -> None:
        """Call ``listener(entry)`` for every entry recorded from now on."""
        self._listeners.append(listener)

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """The retained entries, oldest first."""
        return tuple(self._entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def totals(self) -> LedgerTotals:
        """Totals over every entry recorded."""
        return attrs.evolve(self._total)

    @property
    def spent(self) -> int:
        """Units spent, uncertain charges included."""
        return self._total.spent

    @property
    def estimated(self) -> int:
        """Units reserved as worst cases before sending."""
        return self._total.estimated

    @property
    def requests(self) -> int:
        """Requests recorded (sent; cache hits are counted in ``cached``)."""
        return self._total.requests

    @property
    def cached(self) -> int:
        """Answers served by the response cache."""
        return self._total.cached

    @property
    def saved(self) -> int:
        """Units the response cache saved (what its answers would have cost)."""
        return self._total.saved

    @property
    def attempts(self) -> int:
        """HTTP attempts made, retries included."""
        return self._total.attempts

    @property
    def dollars(self) -> Decimal:
        """Units spent, in US dollars (20,000 units = $1)."""
        return self._total.dollars

    def by_type(self) -> Mapping[str, LedgerTotals]:
        """Totals per report type."""
        return {k: attrs.evolve(v) for k, v in self._by_type.items()}

    def as_dicts(self) -> list[dict[str, Any]]:
        """The retained entries as JSON-friendly dicts (an export)."""
        return [e.as_dict() for e in self._entries]

    def __repr__(self) -> str:
        t = self._total
        return (
            f"UnitLedger(requests={t.requests}, attempts={t.attempts}, spent={t.spent}, "
            f"uncertain={t.uncertain}, dollars={t.dollars})"
        )
