"""Random interleavings of every ledger operation, checked against a model after each step.

Runs on SQLite and, in the services pass, on PostgreSQL. The example count comes from a
Hypothesis profile: ``ledger-fast`` by default, ``LEDGER_HYPOTHESIS_PROFILE=ledger-thorough``
for a long soak.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from core.clock import now
from identity.models import Volunteer
from ledger import accounts, holds, operations, queries
from ledger.errors import HoldNotPending, InsufficientPoints
from ledger.models import Account, Entry, Lot
from ledger.verify import verify

settings.register_profile(
    "ledger-fast",
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ledger-thorough",
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("LEDGER_HYPOTHESIS_PROFILE", "ledger-fast")

VOLUNTEERS = 3
EXPIRY_DAYS = st.one_of(st.none(), st.sampled_from([1, 5, 30]))


@dataclass
class ModelLot:
    expires_day: int | None  # days after the machine's start; None never expires
    remaining: int
    order: int


@dataclass
class ModelAccount:
    balance: int = 0
    held: int = 0
    lots: list[ModelLot] = field(default_factory=list)

    @property
    def available(self) -> int:
        return self.balance - self.held

    def credit(self, amount: int, expires_day: int | None, order: int) -> None:
        self.balance += amount
        self.lots.append(ModelLot(expires_day, amount, order))

    def debit(self, amount: int) -> None:
        self.balance -= amount
        key = lambda lot: (lot.expires_day is None, lot.expires_day or 0, lot.order)  # noqa: E731
        for lot in sorted(self.lots, key=key):
            take = min(lot.remaining, amount)
            lot.remaining -= take
            amount -= take
        assert amount == 0


@dataclass
class ModelHold:
    id: int
    volunteer: int
    amount: int


@dataclass
class ModelTransaction:
    id: int
    legs: dict[int | str, int]  # volunteer index or "merchant" → amount (system legs left out)


class LedgerMachine(RuleBasedStateMachine):
    """A few volunteers and one merchant, fresh per example; system accounts are shared."""

    transactions = Bundle("transactions")
    pending_holds = Bundle("holds")

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.start = now()
        self.volunteers = []
        for _ in range(VOLUNTEERS):
            volunteer = Volunteer(openid=f"machine-{uuid.uuid4().hex}")
            session.add(volunteer)
            session.commit()
            self.volunteers.append(volunteer.id)
        self.merchant = accounts.merchant_code(uuid.uuid4().int % 10**9)
        self.model = [ModelAccount() for _ in self.volunteers]
        self.merchant_balance = 0
        self.reversed: set[int] = set()
        self.live_holds: dict[int, ModelHold] = {}
        self.order = 0

    def code(self, index: int) -> str:
        return accounts.volunteer_code(self.volunteers[index])

    def _lot_order(self) -> int:
        self.order += 1
        return self.order

    def _expires(self, days: int | None):
        return None if days is None else self.start + timedelta(days=days)

    @rule(
        target=transactions,
        who=st.integers(0, VOLUNTEERS - 1),
        amount=st.integers(1, 100),
        days=EXPIRY_DAYS,
    )
    def earn(self, who, amount, days):
        posted = operations.earn(
            self.session, self.volunteers[who], amount, expires_at=self._expires(days)
        )
        self.model[who].credit(amount, days, self._lot_order())
        return ModelTransaction(posted.transaction_id, {who: amount})

    @rule(
        target=transactions,
        who=st.integers(0, VOLUNTEERS - 1),
        amount=st.integers(-60, 60).filter(bool),
    )
    def adjust(self, who, amount):
        if self.model[who].available + amount < 0:
            self._refused(
                lambda: operations.adjust(self.session, self.volunteers[who], amount, reason="测试")
            )
            return None
        posted = operations.adjust(self.session, self.volunteers[who], amount, reason="测试")
        self._apply(who, amount, None)
        return ModelTransaction(posted.transaction_id, {who: amount})

    @rule(
        target=transactions,
        source=st.integers(0, VOLUNTEERS - 1),
        destination=st.integers(0, VOLUNTEERS - 1),
        amount=st.integers(1, 80),
    )
    def transfer(self, source, destination, amount):
        if source == destination:
            return None
        move = partial(
            operations.transfer, self.session, self.code(source), self.code(destination), amount
        )
        if self.model[source].available < amount:
            self._refused(move)
            return None
        posted = move()
        self._apply(source, -amount, None)
        self._apply(destination, amount, None)
        return ModelTransaction(posted.transaction_id, {source: -amount, destination: amount})

    @rule(target=pending_holds, who=st.integers(0, VOLUNTEERS - 1), amount=st.integers(1, 80))
    def hold(self, who, amount):
        reserve = partial(
            holds.reserve,
            self.session,
            self.code(who),
            self.merchant,
            amount,
            expires_at=now() + timedelta(hours=1),
        )
        if self.model[who].available < amount:
            self._refused(reserve)
            return None
        view = reserve()
        self.model[who].held += amount
        self.live_holds[view.id] = ModelHold(view.id, who, amount)
        return self.live_holds[view.id]

    @rule(target=transactions, hold=consumes(pending_holds))
    def post(self, hold):
        if hold is None:
            return None
        if hold.id not in self.live_holds:
            self._settled(partial(holds.post, self.session, hold.id))
            return None
        del self.live_holds[hold.id]
        posted = holds.post(self.session, hold.id)
        self.model[hold.volunteer].held -= hold.amount
        self._apply(hold.volunteer, -hold.amount, None)
        self.merchant_balance += hold.amount
        return ModelTransaction(
            posted.transaction_id, {hold.volunteer: -hold.amount, "merchant": hold.amount}
        )

    @rule(hold=consumes(pending_holds))
    def void(self, hold):
        if hold is None:
            return
        if hold.id not in self.live_holds:
            self._settled(partial(holds.void, self.session, hold.id))
            return
        del self.live_holds[hold.id]
        holds.void(self.session, hold.id)
        self.model[hold.volunteer].held -= hold.amount

    @rule()
    def expire_holds(self):
        # Every hold runs an hour; two hours on, the job releases all of them.
        holds.expire(self.session, at=now() + timedelta(hours=2))
        for hold in self.live_holds.values():
            self.model[hold.volunteer].held -= hold.amount
        self.live_holds.clear()

    @rule(day=st.integers(0, 40))
    def expire_points(self, day):
        operations.expire_points(self.session, at=self.start + timedelta(days=day))
        for account in self.model:
            expired = sum(
                lot.remaining
                for lot in account.lots
                if lot.expires_day is not None and lot.expires_day <= day
            )
            amount = min(expired, account.available)
            if amount > 0:
                account.debit(amount)

    @rule(target=transactions, transaction=consumes(transactions))
    def reverse(self, transaction):
        if transaction is None or transaction.id in self.reversed:
            return None
        mirror = {who: -amount for who, amount in transaction.legs.items()}
        affordable = all(self._available(who) + amount >= 0 for who, amount in mirror.items())
        if not affordable:
            self._refused(lambda: operations.reverse(self.session, transaction.id))
            return transaction  # still reversible later
        posted = operations.reverse(self.session, transaction.id)
        self.reversed.add(transaction.id)
        for who, amount in mirror.items():
            if who == "merchant":
                self.merchant_balance += amount
            else:
                self._apply(who, amount, None)
        return ModelTransaction(posted.transaction_id, mirror)

    def _available(self, who) -> int:
        return self.merchant_balance if who == "merchant" else self.model[who].available

    def _apply(self, who: int, amount: int, days: int | None) -> None:
        if amount > 0:
            self.model[who].credit(amount, days, self._lot_order())
        else:
            self.model[who].debit(-amount)

    def _settled(self, action) -> None:
        try:
            action()
        except HoldNotPending:
            return
        raise AssertionError("a hold was settled twice")

    def _refused(self, action) -> None:
        try:
            action()
        except InsufficientPoints:
            return
        raise AssertionError("the ledger allowed an overdraft the model refuses")

    @invariant()
    def balances_match_the_model_and_the_entries(self):
        s = self.session
        for index, expected in enumerate(self.model):
            actual = queries.balance_of(s, self.code(index))
            assert (actual.balance, actual.held) == (expected.balance, expected.held)
            assert actual.available >= 0
            from_entries = s.execute(
                select(func.coalesce(func.sum(Entry.amount), 0))
                .join(Account, Account.id == Entry.account_id)
                .where(Account.code == self.code(index))
            ).scalar_one()
            assert from_entries == expected.balance
            in_lots = s.execute(
                select(func.coalesce(func.sum(Lot.remaining), 0))
                .join(Account, Account.id == Lot.account_id)
                .where(Account.code == self.code(index))
            ).scalar_one()
            assert in_lots == expected.balance
        assert queries.balance_of(s, self.merchant).balance == self.merchant_balance
        s.rollback()

    @invariant()
    def verify_passes(self):
        report = verify(self.session)
        assert report.ok, report.render()


def test_random_interleavings_keep_every_invariant(session):
    run_state_machine_as_test(
        lambda: LedgerMachine(session), settings=settings.get_profile(PROFILE)
    )
