"""The ledger checked against the account: what the balance says was charged between
two balance reads, against what the ledger recorded meanwhile.

Pure: :func:`compare` takes two :class:`BalanceMark` and returns a
:class:`Reconciliation`; the client takes the marks (``sr.balance()``,
``sr.reconcile()``). A difference is reported and logged, never used to change the
ledger: the ledger stays what this client saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from ._ledger import UnitLedger
from .pricing import dollars

__all__ = ["BalanceMark", "Reconciliation"]


@attrs.frozen
class BalanceMark:
    """A balance read, and what the ledger had recorded when it was read."""

    balance: int
    recorded: int  # ledger spent, every report type
    uncertain: int
    by_type: Mapping[str, int]  # ledger spent per report type
    time: dt.datetime

    @classmethod
    def of(cls, balance: int, ledger: UnitLedger) -> BalanceMark:
        """The mark of a balance just read."""
        totals = ledger.totals
        return cls(
            balance,
            totals.spent,
            totals.uncertain,
            {t: v.spent for t, v in ledger.by_type().items()},
            dt.datetime.now(dt.timezone.utc),
        )


@attrs.frozen
class Reconciliation:
    """What the account was charged between two balance reads, and what the ledger
    recorded in the same time.

    ``charged`` is the fall of the balance (None at the first read: there is nothing to
    compare yet); ``recorded`` the units the ledger recorded, ``by_type`` per report
    type, ``uncertain`` those recorded at a worst case because the answer was lost.
    ``difference`` is ``charged - recorded``: positive, the account paid more than the
    ledger knows (another client on the same key, or a price that rose); negative, less
    (a price that fell, worst cases that were not charged, or units added to the
    account). ``suspect`` names the report type when only one was used meanwhile.
    """

    balance_before: int | None
    balance_now: int
    charged: int | None
    recorded: int
    uncertain: int
    by_type: Mapping[str, int]
    since: dt.datetime | None

    @property
    def difference(self) -> int | None:
        """``charged - recorded`` (None at the first read)."""
        return None if self.charged is None else self.charged - self.recorded

    @property
    def matches(self) -> bool:
        """Whether the account was charged exactly what the ledger recorded."""
        return self.difference == 0

    @property
    def suspect(self) -> str | None:
        """The one report type used between the reads, if there was only one."""
        used = [t for t, units in self.by_type.items() if units]
        return used[0] if len(used) == 1 else None

    def describe(self) -> str:
        """One line for a person."""
        if self.charged is None:
            return f"balance {self.balance_now:,} units: the first read, nothing to compare yet"
        diff = self.difference
        assert diff is not None
        head = (
            f"the account was charged {self.charged:,} units (${dollars(self.charged):,.2f}), "
            f"the ledger recorded {self.recorded:,}"
        )
        if diff == 0:
            return head + ": they match"
        where = f" (only {self.suspect} was used)" if self.suspect else ""
        side = "more" if diff > 0 else "less"
        note = ""
        if diff < 0 and self.uncertain:
            note = f"; {self.uncertain:,} recorded at a worst case may not have been charged"
        return f"{head}: the account paid {abs(diff):,} {side} than recorded{where}{note}"


def compare(before: BalanceMark | None, now: BalanceMark) -> Reconciliation:
    """The reconciliation of the time between two marks (or the first, without one)."""
    if before is None:
        return Reconciliation(None, now.balance, None, 0, 0, {}, None)
    by_type = {
        t: now.by_type.get(t, 0) - before.by_type.get(t, 0)
        for t in now.by_type
        if now.by_type.get(t, 0) != before.by_type.get(t, 0)
    }
    return Reconciliation(
        before.balance,
        now.balance,
        before.balance - now.balance,
        now.recorded - before.recorded,
        now.uncertain - before.uncertain,
        by_type,
        before.time,
    )
