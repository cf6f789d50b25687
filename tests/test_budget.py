"""UnitBudget and UnitLedger: reservations, waiting, and the never-overspend property."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncsemrush import BudgetExceededError, InvalidParameterError, UnitBudget, UnitLedger
from asyncsemrush.budget import BudgetStore, LedgerEntry, MemoryBudgetStore


async def test_reserve_settle_release() -> None:
    budget = UnitBudget(1000)
    r = await budget.reserve(600, report_type="x")
    assert (budget.spent, budget.reserved, budget.remaining) == (0, 600, 400)
    with pytest.raises(BudgetExceededError) as info:
        await budget.reserve(500)
    assert (info.value.needed, info.value.available, info.value.limit) == (500, 400, 1000)
    await r.settle(250)
    assert (budget.spent, budget.reserved, budget.remaining) == (250, 0, 750)
    r2 = await budget.reserve(750)
    await r2.release()
    assert (budget.spent, budget.reserved) == (250, 0)
    with pytest.raises(RuntimeError):
        await r2.settle(1)


async def test_wait_mode_waits_for_settlement() -> None:
    budget = UnitBudget(1000, on_exhausted="wait")
    first = await budget.reserve(800)
    waiter = asyncio.create_task(budget.reserve(500))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    await first.settle(300)  # 700 remain: the waiter fits now
    second = await asyncio.wait_for(waiter, 1)
    assert budget.reserved == 500
    await second.release()


async def test_wait_mode_raises_when_it_can_never_fit() -> None:
    budget = UnitBudget(1000, on_exhausted="wait")
    r = await budget.reserve(100)
    await r.settle(100)
    with pytest.raises(BudgetExceededError):
        await asyncio.wait_for(budget.reserve(901), 1)


async def test_set_limit_wakes_waiters() -> None:
    budget = UnitBudget(0, on_exhausted="wait")
    with pytest.raises(BudgetExceededError):
        await budget.reserve(1)
    await budget.set_limit(100)
    r = await budget.reserve(100)
    await r.settle(100)
    assert budget.remaining == 0


def test_validation() -> None:
    with pytest.raises(InvalidParameterError, match="limit"):
        UnitBudget(-1)
    with pytest.raises(InvalidParameterError, match="on_exhausted"):
        UnitBudget(10, on_exhausted="block")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="store"):
        UnitBudget(10, store=MemoryBudgetStore(10))
    assert isinstance(MemoryBudgetStore(1), BudgetStore)


# One action of a simulated request: how much it reserves, what it then does.
actions = st.tuples(
    st.integers(min_value=0, max_value=400),  # reserved worst case
    st.sampled_from(["settle", "fail", "cancel", "uncertain"]),
    st.floats(min_value=0, max_value=1),  # fraction of the worst case actually charged
    st.integers(min_value=0, max_value=3),  # yields while "in flight"
)


@settings(max_examples=150, deadline=None)
@given(
    limit=st.integers(min_value=0, max_value=2000),
    wait=st.booleans(),
    plan=st.lists(actions, min_size=1, max_size=40),
)
def test_concurrent_reservations_never_overspend_or_leak(
    limit: int, wait: bool, plan: list[tuple[int, str, float, int]]
) -> None:
    async def scenario() -> None:
        budget = UnitBudget(limit, on_exhausted="wait" if wait else "raise")
        violations: list[str] = []

        def check() -> None:
            s = budget.state()
            if s.spent + s.reserved > s.limit:
                violations.append(f"{s}")

        async def request(amount: int, action: str, frac: float, yields: int) -> None:
            try:
                r = await budget.reserve(amount)
            except BudgetExceededError:
                return
            check()
            try:
                for _ in range(yields):
                    await asyncio.sleep(0)
                    check()
                if action == "cancel":
                    raise asyncio.CancelledError
                if action == "fail":
                    raise RuntimeError("server error")
                await r.settle(int(amount * frac), uncertain=action == "uncertain")
            except (asyncio.CancelledError, RuntimeError):
                await r.release()
            check()

        tasks = [asyncio.create_task(request(*a)) for a in plan]
        # In wait mode some requests may wait for units that never free up: bound it.
        _done, pending = await asyncio.wait(tasks, timeout=2)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        assert not violations
        assert budget.reserved == 0, "a reservation leaked"
        assert budget.spent <= limit

    asyncio.run(scenario())


def _entry(
    report_type: str, actual: int, outcome: str = "ok", log: tuple[str, ...] = ("200",)
) -> LedgerEntry:
    return LedgerEntry(
        time=dt.datetime.now(dt.timezone.utc),
        report_type=report_type,
        method="GET",
        path="https://api.semrush.com/x",
        estimated=actual * 2,
        actual=actual,
        lines=actual // 100,
        attempts=len(log),
        outcome=outcome,  # type: ignore[arg-type]
        status=200,
        attempt_log=log,
    )


def test_ledger_totals_and_retention() -> None:
    ledger = UnitLedger(max_entries=2)
    seen: list[LedgerEntry] = []
    ledger.add_listener(seen.append)
    ledger.record(_entry("a", 100))
    ledger.record(_entry("b", 20_000, log=("timeout?", "200")))
    ledger.record(_entry("a", 0, outcome="error", log=("400:512",)))
    assert len(ledger) == 2
    assert len(seen) == 3
    assert (ledger.requests, ledger.spent, ledger.attempts) == (3, 20_100, 4)
    assert str(ledger.dollars) == "1.005"
    by_type = ledger.by_type()
    assert by_type["a"].spent == 100
    assert by_type["a"].errors == 1
    assert by_type["b"].uncertain == 20_000
    assert ledger.entries[0].uncertain
    assert not ledger.entries[1].uncertain
    exported = ledger.as_dicts()
    assert exported[0]["uncertain"] is True
    assert exported[0]["attempt_log"] == ["timeout?", "200"]
