"""UnitBudget under random concurrent use (a Hypothesis state machine), and a real
crowd of requests against a budget that pays for only some of them."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from asyncsemrush import BudgetExceededError, SemrushClient, UnitBudget
from asyncsemrush.budget import Reservation
from asyncsemrush.sandbox import Sandbox

T = TypeVar("T")


def now(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that must not suspend (the memory store never does)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise AssertionError("the memory store suspended")


class BudgetMachine(RuleBasedStateMachine):
    """Requests reserve, then settle, fail, get cancelled or end uncertain, interleaved."""

    held = Bundle("held")

    def __init__(self) -> None:
        super().__init__()
        self.limit = 10_000
        self.budget = UnitBudget(self.limit)
        self.expected_spent = 0
        self.open: list[Reservation] = []

    @rule(target=held, amount=st.integers(0, 4_000))
    def reserve(self, amount: int) -> Reservation | None:
        before = self.budget.state()
        try:
            r = now(self.budget.reserve(amount))
            self.open.append(r)
            return r
        except BudgetExceededError:
            assert (
                before.spent + before.reserved + amount > self.limit
            )  # refused only when it does not fit
            return None

    @rule(r=consumes(held), fraction=st.floats(0, 1))
    def settle(self, r: Reservation | None, fraction: float) -> None:
        if r is not None:
            actual = int(r.amount * fraction)
            now(r.settle(actual))
            self.expected_spent += actual

    @rule(r=consumes(held))
    def fail_or_cancel_before_sending(self, r: Reservation | None) -> None:
        if r is not None:
            now(r.release())

    @rule(r=consumes(held))
    def cancelled_in_flight(self, r: Reservation | None) -> None:
        if r is not None:
            now(r.settle(r.amount, uncertain=True))
            self.expected_spent += r.amount

    @invariant()
    def never_overspent(self) -> None:
        state = self.budget.state()
        assert state.spent + state.reserved <= self.limit
        assert state.spent == self.expected_spent

    def teardown(self) -> None:
        # the requests still holding units end (cancelled before sending): nothing leaks
        for r in self.open:
            if not r.settled:
                now(r.release())
        assert self.budget.reserved == 0
        assert self.budget.spent == self.expected_spent


BudgetMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
TestBudgetMachine = BudgetMachine.TestCase


async def test_crowd_against_a_budget_for_57() -> None:
    """200 concurrent mixed calls; the budget pays for 57 of the largest: the server
    never charges more than the budget."""
    async with Sandbox(keywords=2000, rate_limit=None) as sb:
        budget = UnitBudget(57 * 1_000)
        async with SemrushClient(
            sb.api_key, base_url=sb.base_url, budget=budget, rate_limit=None, max_concurrency=10
        ) as sr:
            t = sr.tracking(sb.campaign_id)
            calls: list[Any] = []
            for n in range(200):
                if n % 4 == 0:
                    calls.append(
                        t.positions(
                            sb.tracked_url, page_size=10, max_rows=10, speculate=False
                        ).collect()
                    )
                elif n % 4 == 1:
                    calls.append(sr.projects.list())
                elif n % 4 == 2:
                    calls.append(t.visibility(sb.tracked_url))
                else:
                    calls.append(sr.site_audit(sb.audit_project_id).info())
            results = await asyncio.gather(*calls, return_exceptions=True)
        refused = [r for r in results if isinstance(r, BudgetExceededError)]
        failed = [
            r
            for r in results
            if isinstance(r, BaseException) and not isinstance(r, BudgetExceededError)
        ]
    assert failed == []
    assert refused  # the budget did bind
    assert sb.units_charged == budget.spent <= budget.limit
    assert budget.reserved == 0
