"""The unit budget: reserve a request's worst case before sending, settle after.

``UnitBudget(limit)`` guarantees ``spent + reserved <= limit`` whenever every settled
amount is at most what was reserved (the price table's worst case). A request is sent
only while it holds a :class:`Reservation`; after the response the reservation settles
to the actual cost and the rest returns to the pool. The numbers live in a
:class:`BudgetStore`: :class:`MemoryBudgetStore` for one process; shared stores (SQLite,
Redis) implement the same four methods.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Hashable
from typing import Literal, Protocol, TypeVar, runtime_checkable

import attrs

from . import params
from ._ledger import LedgerEntry, LedgerTotals, Outcome, UnitLedger
from .errors import BudgetExceededError, InvalidParameterError

T = TypeVar("T")


async def _to_the_end(step: Awaitable[T]) -> tuple[T, bool]:
    """Run a store operation to its end even when the caller is cancelled meanwhile (a
    SQLite transaction goes on in its thread, a Redis script on the server, whatever we
    do): returns its result and whether a cancel arrived, for the caller to undo what
    must be undone and then raise ``CancelledError``."""
    task = asyncio.ensure_future(step)
    cancelled = False
    while True:
        try:
            return await asyncio.shield(task), cancelled
        except asyncio.CancelledError:
            if task.done():
                raise  # the operation itself was cancelled
            cancelled = True


__all__ = [
    "BudgetState",
    "BudgetStore",
    "LedgerEntry",
    "LedgerTotals",
    "MemoryBudgetStore",
    "Outcome",
    "Reservation",
    "UnitBudget",
    "UnitLedger",
]


OnExhausted = Literal["raise", "wait"]


#: The limit of a pull's own cap when it has no ``max_units``: it only counts what its
#: pages hold.
UNCAPPED = 1 << 62


@attrs.frozen
class BudgetState:
    """A consistent reading of a budget's numbers."""

    limit: int
    spent: int
    reserved: int

    @property
    def remaining(self) -> int:
        """Units that a new reservation may still take."""
        return max(self.limit - self.spent - self.reserved, 0)


@runtime_checkable
class BudgetStore(Protocol):
    """Where a budget's numbers live. Every method is atomic with respect to the others."""

    async def try_reserve(self, amount: int) -> Hashable | None:
        """Reserve ``amount`` if ``spent + reserved + amount <= limit``; a token or ``None``."""
        ...

    async def settle(self, token: Hashable, actual: int) -> None:
        """Turn the reservation ``token`` into ``actual`` spent units and free the rest."""
        ...

    async def set_limit(self, limit: int) -> None:
        """Change the limit (reservations already held are kept)."""
        ...

    def state(self) -> BudgetState:
        """The last known numbers, without I/O."""
        ...


class MemoryBudgetStore:
    """The in-process store: plain integers, atomic because nothing in it awaits."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._spent = 0
        self._held: dict[int, int] = {}
        self._reserved = 0
        self._ids = itertools.count(1)

    async def try_reserve(self, amount: int) -> Hashable | None:
        if self._spent + self._reserved + amount > self._limit:
            return None
        token = next(self._ids)
        self._held[token] = amount
        self._reserved += amount
        return token

    async def settle(self, token: Hashable, actual: int) -> None:
        amount = self._held.pop(token)  # type: ignore[call-overload]
        self._reserved -= amount
        self._spent += actual

    async def set_limit(self, limit: int) -> None:
        self._limit = limit

    def state(self) -> BudgetState:
        return BudgetState(self._limit, self._spent, self._reserved)


class Reservation:
    """Units held for one request until it is settled. Settle exactly once."""

    __slots__ = ("_budget", "_token", "actual", "amount", "report_type", "uncertain")

    def __init__(self, budget: UnitBudget, token: Hashable, amount: int, report_type: str):
        self._budget = budget
        self._token = token
        self.amount = amount
        self.report_type = report_type
        self.actual: int | None = None
        self.uncertain = False

    @property
    def settled(self) -> bool:
        """Whether the reservation was settled or released."""
        return self.actual is not None

    async def settle(self, actual: int, *, uncertain: bool = False) -> None:
        """Record ``actual`` units as spent and free the rest of the reservation.

        ``uncertain`` marks a charge that may or may not have happened (the request was
        cancelled or timed out after it may have reached the server).
        """
        if self.actual is not None:
            raise RuntimeError("reservation already settled")
        if actual < 0:
            raise ValueError(f"actual must be >= 0, got {actual}")
        self.actual = actual
        self.uncertain = uncertain
        await self._budget._settle(self._token, actual)  # completes even if cancelled

    async def release(self) -> None:
        """Free the whole reservation (the request was not charged)."""
        await self.settle(0)

    def __repr__(self) -> str:
        state = "open" if self.actual is None else f"settled={self.actual}"
        return f"<Reservation {self.report_type or '?'} {self.amount} units {state}>"


class JointReservation:
    """Reservations of one request in several budgets (a pull's own cap and the
    client's), settled and released together."""

    __slots__ = ("amount", "parts")

    def __init__(self, parts: list[Reservation], amount: int) -> None:
        self.parts = parts
        self.amount = amount

    @property
    def settled(self) -> bool:
        """Whether the reservation was settled or released."""
        return all(p.settled for p in self.parts)

    async def settle(self, actual: int, *, uncertain: bool = False) -> None:
        """Settle every part at ``actual`` (see :meth:`Reservation.settle`); a cancel
        meanwhile settles them all first, then propagates."""
        cancelled = False
        failure: BaseException | None = None
        for part in self.parts:
            if part.settled:
                continue
            try:
                await part.settle(actual, uncertain=uncertain)
            except asyncio.CancelledError:
                cancelled = True  # the part is settled (see _settle): on to the next
            except Exception as exc:  # a failing store: settle the others, then raise
                failure = failure or exc
        if failure is not None:
            raise failure
        if cancelled:
            raise asyncio.CancelledError

    async def release(self) -> None:
        """Free every part (the request was not charged)."""
        await self.settle(0)


class UnitBudget:
    """A cap on the API units a client (or several, with a shared store) may spend.

    ``on_exhausted="raise"`` fails a request whose worst case does not fit now with
    :class:`~asyncsemrush.errors.BudgetExceededError`; ``"wait"`` waits until in-flight
    reservations settle and free enough units (and raises at once if the request could
    never fit). Nothing is sent in either case.
    """

    def __init__(
        self,
        limit: int | None = None,
        *,
        on_exhausted: OnExhausted = "raise",
        store: BudgetStore | None = None,
        poll_interval: float = 0.25,
    ) -> None:
        if store is None:
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise InvalidParameterError("limit", limit, "a whole number of units >= 0")
            store = MemoryBudgetStore(limit)
        elif limit is not None:
            raise InvalidParameterError(
                "limit", limit, "None when a store is given (the store holds the limit)"
            )
        if on_exhausted not in ("raise", "wait"):
            raise InvalidParameterError("on_exhausted", on_exhausted, "'raise' or 'wait'")
        self.on_exhausted: OnExhausted = on_exhausted
        self._store: BudgetStore = store
        # 0 would make a waiting request poll the store in a busy loop
        self._poll_interval = params.positive(
            "poll_interval", poll_interval, "seconds between store polls, a finite number > 0"
        )
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def store(self) -> BudgetStore:
        """The store holding the numbers."""
        return self._store

    def state(self) -> BudgetState:
        """A consistent reading of limit, spent and reserved."""
        return self._store.state()

    @property
    def limit(self) -> int:
        """Units this budget may spend in all."""
        return self._store.state().limit

    @property
    def spent(self) -> int:
        """Units settled as spent (including uncertain charges)."""
        return self._store.state().spent

    @property
    def reserved(self) -> int:
        """Units held by requests in flight."""
        return self._store.state().reserved

    @property
    def remaining(self) -> int:
        """Units a new request may still reserve."""
        return self._store.state().remaining

    async def set_limit(self, limit: int) -> None:
        """Change the limit; waiting requests are re-checked."""
        if limit < 0:
            raise InvalidParameterError("limit", limit, "a whole number of units >= 0")
        await self._store.set_limit(limit)
        self._wake()

    async def reserve(
        self, amount: int, *, report_type: str = "", not_waiting_for: int = 0
    ) -> Reservation:
        """Hold ``amount`` units for one request, or raise ``BudgetExceededError``.

        ``not_waiting_for`` is what the caller's own other requests hold (a pull's pages
        queued behind this one): those units are freed only after this request, so it
        never waits for them (it used to, for good, with ``on_exhausted="wait"``)."""
        if amount < 0:
            raise InvalidParameterError("amount", amount, "a whole number of units >= 0")
        while True:
            token = await self._try_reserve(amount)
            if token is not None:
                return Reservation(self, token, amount, report_type)
            state = self._store.state()
            freeable = state.limit - state.spent - not_waiting_for
            if self.on_exhausted == "raise" or amount > freeable:
                raise BudgetExceededError(amount, state.remaining, state.limit, report_type)
            await self._wait_for_change()

    async def _try_reserve(self, amount: int) -> Hashable | None:
        """A reservation, or None; a cancel meanwhile never leaves one behind (a SQLite
        reservation committed under a cancel used to be reclaimed later as spent)."""
        if isinstance(self._store, MemoryBudgetStore):  # never awaits: cannot be cut
            return await self._store.try_reserve(amount)
        token, cancelled = await _to_the_end(self._store.try_reserve(amount))
        if cancelled:
            if token is not None:
                await _to_the_end(self._store.settle(token, 0))
                self._wake()
            raise asyncio.CancelledError
        return token

    async def _settle(self, token: Hashable, actual: int) -> None:
        """Settle in the store, completely even when cancelled meanwhile (then raise)."""
        if isinstance(self._store, MemoryBudgetStore):
            await self._store.settle(token, actual)
            self._wake()
            return
        _, cancelled = await _to_the_end(self._store.settle(token, actual))
        self._wake()
        if cancelled:
            raise asyncio.CancelledError

    async def _wait_for_change(self) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            # Shared stores change without telling us: poll them as well.
            await asyncio.wait_for(asyncio.shield(fut), self._poll_interval)
        except asyncio.TimeoutError:
            pass
        finally:
            if fut in self._waiters:
                self._waiters.remove(fut)
            if not fut.done():
                fut.cancel()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def __repr__(self) -> str:
        s = self.state()
        return (
            f"UnitBudget(limit={s.limit}, spent={s.spent}, reserved={s.reserved}, "
            f"on_exhausted={self.on_exhausted!r})"
        )
