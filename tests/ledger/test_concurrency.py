"""Real threads on real connections: limits, idempotency and lock order hold.

The PostgreSQL tests race row locks; the last one shows SQLite's BEGIN IMMEDIATE doing the
same job for the embedded database.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from ledger import accounts, idempotency, operations, queries
from ledger.errors import IdempotencyKeyInUse, InsufficientPoints
from ledger.idempotency import Response
from ledger.uow import atomic
from ledger.verify import verify


def race(count: int, session_factory, action):
    """Run *action(session, index)* in *count* threads released at the same instant."""
    start = threading.Barrier(count)

    def run(index: int):
        with session_factory() as session:
            start.wait()
            try:
                return action(session, index)
            except Exception as error:  # noqa: BLE001  (the outcome is what the test counts)
                return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.postgres
def test_fifty_racing_spends_succeed_exactly_as_often_as_affordable(
    session, make_volunteer, session_factory
):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 1000)

    outcomes = race(
        50, session_factory, lambda s, i: operations.redeem(s, volunteer, 1, 30, memo=f"#{i}")
    )

    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert kinds == {"Posted": 33, "InsufficientPoints": 17}, kinds
    assert all(
        isinstance(o, InsufficientPoints) for o in outcomes if not hasattr(o, "transaction_id")
    )
    assert queries.volunteer_balance(session, volunteer).balance == 1000 - 33 * 30
    assert verify(session).ok


@pytest.mark.postgres
def test_twenty_racing_copies_of_one_idempotency_key_credit_once(
    session, make_volunteer, session_factory
):
    volunteer = make_volunteer()
    fingerprint = idempotency.request_hash("staff:1", "POST", "/adjust", {"amount": 5})

    def credit(s, index):
        def work(inner):
            posted = operations.adjust(inner, volunteer, 5, reason="补发")
            # Keep the first request running a moment, so the copies really overlap it.
            inner.execute(text("SELECT pg_sleep(0.2)"))
            return Response(201, {"transaction_id": posted.transaction_id})

        return idempotency.run_once(
            s, scope="staff:1", key="same-key", fingerprint=fingerprint, work=work
        )

    outcomes = race(20, session_factory, credit)

    originals = [o for o in outcomes if isinstance(o, Response) and not o.replayed]
    replays = [o for o in outcomes if isinstance(o, Response) and o.replayed]
    in_use = [o for o in outcomes if isinstance(o, IdempotencyKeyInUse)]
    assert len(originals) == 1
    assert len(originals) + len(replays) + len(in_use) == 20, outcomes
    assert all(r.body == originals[0].body and r.status == 201 for r in replays)
    assert queries.volunteer_balance(session, volunteer).balance == 5

    again = credit(session, 0)
    assert again.replayed and again.body == originals[0].body


@pytest.mark.postgres
def test_opposite_transfers_at_once_never_surface_a_deadlock(
    session, make_volunteer, session_factory
):
    a, b = make_volunteer(), make_volunteer()
    operations.earn(session, a, 500)
    operations.earn(session, b, 500)
    code_a, code_b = accounts.volunteer_code(a), accounts.volunteer_code(b)

    def shuttle(s, index):
        source, destination = (code_a, code_b) if index % 2 else (code_b, code_a)
        for _ in range(10):
            operations.transfer(s, source, destination, 3)
        return "done"

    outcomes = race(24, session_factory, shuttle)

    assert outcomes == ["done"] * 24
    total = sum(queries.balance_of(session, code).balance for code in (code_a, code_b))
    assert total == 1000
    assert verify(session).ok


@pytest.mark.postgres
def test_a_deadlock_inside_atomic_is_retried_not_surfaced(session, make_volunteer, session_factory):
    """Two units of work that lock the same rows in opposite orders: PostgreSQL kills one."""
    first, second = (accounts.volunteer_code(make_volunteer()) for _ in range(2))
    operations.earn(session, int(first.split(":")[1]), 1)
    operations.earn(session, int(second.split(":")[1]), 1)
    both_hold_one = threading.Barrier(2)
    lock = text("SELECT id FROM ledger_accounts WHERE code = :code FOR UPDATE")

    def crosswise(s, index):
        order = (first, second) if index == 0 else (second, first)
        attempts = []

        def work(inner):
            attempts.append(1)
            inner.execute(lock, {"code": order[0]})
            if len(attempts) == 1:
                both_hold_one.wait(timeout=10)
            inner.execute(lock, {"code": order[1]})
            return len(attempts)

        return atomic(s, work)

    outcomes = race(2, session_factory, crosswise)

    assert sorted(outcomes) == [1, 2], outcomes  # one ran once, the victim ran again


def test_racing_spends_on_either_database_never_overdraw(session, make_volunteer, session_factory):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 100)

    outcomes = race(
        12, session_factory, lambda s, i: operations.redeem(s, volunteer, 1, 30, memo=f"#{i}")
    )

    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert kinds == {"Posted": 3, "InsufficientPoints": 9}, kinds
    assert queries.volunteer_balance(session, volunteer).balance == 10
    assert verify(session).ok


@pytest.mark.postgres
def test_a_use_case_sees_a_row_as_its_lock_found_it_not_as_the_caller_read_it(
    session, make_volunteer, session_factory
):
    """On PostgreSQL atomic() carries on in the caller's read transaction: its objects expire."""
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    read = accounts.find(session, accounts.volunteer_code(volunteer))  # the caller's read
    assert read.balance == 10
    with session_factory() as other:
        operations.earn(other, volunteer, 5)  # meanwhile, on another connection

    def work(s):
        query = select(accounts.Account).where(accounts.Account.id == read.id).with_for_update()
        return s.execute(query).scalar_one().balance

    assert atomic(session, work) == 15


@pytest.mark.postgres
def test_a_read_before_each_write_leaves_the_connections_prepared_statements_alone(
    session, make_volunteer
):
    """psycopg forgets every prepared statement on ROLLBACK; atomic() must not send one."""
    engine = create_engine(session.get_bind().url, pool_size=1, max_overflow=0)
    volunteer = make_volunteer()
    try:
        with Session(engine) as s:
            for _ in range(8):  # psycopg prepares a statement on its sixth execution
                accounts.find(s, accounts.volunteer_code(volunteer))  # a request's first read
                operations.earn(s, volunteer, 1)
            prepared = s.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
    finally:
        engine.dispose()
    assert prepared > 0
