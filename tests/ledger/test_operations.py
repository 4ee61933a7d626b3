"""The ledger's use cases, one rule at a time, against the real database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import now
from ledger import accounts, holds, operations, queries
from ledger.errors import (
    AlreadyReversed,
    DuplicateReference,
    HoldExpired,
    HoldNotFound,
    HoldNotPending,
    InsufficientPoints,
    InvalidAmount,
    UnbalancedTransaction,
)
from ledger.models import Entry, Lot
from ledger.uow import UncommittedWork, atomic
from ledger.verify import verify

MERCHANT = accounts.merchant_code(1)


def balance(session, volunteer_id):
    return queries.volunteer_balance(session, volunteer_id)


def test_earning_credits_the_volunteer_and_debits_an_issuance_shard(session, make_volunteer):
    volunteer = make_volunteer()
    posted = operations.earn(session, volunteer, 120, reference="session:1", memo="植树 2 小时")

    assert balance(session, volunteer).balance == 120
    mine = posted.entries[accounts.volunteer_code(volunteer)]
    assert (mine.amount, mine.balance_after, mine.version) == (120, 120, 1)
    assert posted.entries[accounts.issuance_code_for(volunteer)].amount == -120
    assert verify(session).ok


def test_one_business_reference_mints_once(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10, reference="session:7")
    with pytest.raises(DuplicateReference):
        operations.earn(session, volunteer, 10, reference="session:7")
    assert balance(session, volunteer).balance == 10


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "10"])
def test_amounts_are_positive_integers(session, make_volunteer, amount):
    with pytest.raises(InvalidAmount):
        operations.earn(session, make_volunteer(), amount)


def test_a_volunteer_cannot_spend_more_than_available(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 50)
    with pytest.raises(InsufficientPoints) as refused:
        operations.redeem(session, volunteer, 1, 51)
    assert refused.value.details["available"] == 50
    assert balance(session, volunteer).balance == 50
    operations.redeem(session, volunteer, 1, 50)
    assert balance(session, volunteer).balance == 0


def test_negative_adjustment_cannot_overdraw_and_needs_a_reason(session, make_volunteer):
    volunteer = make_volunteer()
    operations.adjust(session, volunteer, 30, reason="补录活动积分")
    with pytest.raises(InsufficientPoints):
        operations.adjust(session, volunteer, -31, reason="纠错")
    with pytest.raises(InvalidAmount):
        operations.adjust(session, volunteer, -1, reason="  ")
    operations.adjust(session, volunteer, -30, reason="纠错")
    assert balance(session, volunteer).balance == 0
    assert verify(session).ok


def test_a_reversal_mirrors_the_whole_transaction_once(session, make_volunteer):
    volunteer = make_volunteer()
    earned = operations.earn(session, volunteer, 40, reference="session:9")
    reversal = operations.reverse(session, earned.transaction_id, memo="服务记录作废")

    assert reversal.kind == "reversal"
    assert balance(session, volunteer).balance == 0
    with pytest.raises(AlreadyReversed):
        operations.reverse(session, earned.transaction_id)
    assert verify(session).ok


def test_reversing_spent_points_is_refused(session, make_volunteer):
    volunteer = make_volunteer()
    earned = operations.earn(session, volunteer, 40)
    operations.redeem(session, volunteer, 1, 30)
    with pytest.raises(InsufficientPoints):
        operations.reverse(session, earned.transaction_id)


def test_a_hold_lowers_available_until_posted(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 100)
    hold = holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        MERCHANT,
        70,
        expires_at=now() + timedelta(minutes=15),
    )
    assert (balance(session, volunteer).balance, balance(session, volunteer).available) == (100, 30)
    with pytest.raises(InsufficientPoints):
        holds.reserve(
            session,
            accounts.volunteer_code(volunteer),
            MERCHANT,
            31,
            expires_at=now() + timedelta(minutes=15),
        )

    posted = holds.post(session, hold.id)
    assert posted.entries[MERCHANT].amount == 70
    assert (balance(session, volunteer).balance, balance(session, volunteer).held) == (30, 0)
    with pytest.raises(HoldNotPending):
        holds.void(session, hold.id)
    assert verify(session).ok


def test_a_voided_hold_releases_the_points(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    hold = holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        MERCHANT,
        10,
        expires_at=now() + timedelta(minutes=5),
    )
    holds.void(session, hold.id)
    assert balance(session, volunteer).available == 10
    with pytest.raises(HoldNotPending):
        holds.post(session, hold.id)


def test_holds_past_their_deadline_expire_and_cannot_be_posted(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    hold = holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        MERCHANT,
        6,
        expires_at=now() + timedelta(seconds=1),
    )
    assert holds.expire(session, at=now()) == 0
    assert holds.expire(session, at=now() + timedelta(seconds=2)) == 1
    assert balance(session, volunteer).available == 10
    with pytest.raises(HoldNotPending):
        holds.post(session, hold.id)


def test_posting_a_hold_after_its_deadline_is_refused(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    hold = holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        MERCHANT,
        6,
        expires_at=now() + timedelta(milliseconds=50),
    )
    time.sleep(0.1)
    with pytest.raises(HoldExpired) as refused:
        holds.post(session, hold.id)
    assert refused.value.details["expires_at"] == hold.expires_at.isoformat()
    assert balance(session, volunteer).held == 6  # still held, until released


def test_posting_an_unknown_or_settled_hold_names_the_reason(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    with pytest.raises(HoldNotFound):
        holds.post(session, 987654321)
    hold = holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        MERCHANT,
        6,
        expires_at=now() + timedelta(minutes=5),
        memo="hold memo",
    )
    posted = holds.post(session, hold.id)
    assert posted.memo == "hold memo"
    assert posted.entries[accounts.volunteer_code(volunteer)].amount == -6
    assert posted.entries[MERCHANT].amount == 6
    with pytest.raises(HoldNotPending) as refused:
        holds.post(session, hold.id)
    assert refused.value.details["status"] == "posted"


def test_a_hold_reference_holds_once(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    source = accounts.volunteer_code(volunteer)
    expires_at = now() + timedelta(minutes=5)
    holds.reserve(session, source, MERCHANT, 3, expires_at=expires_at, reference="r:1")
    with pytest.raises(DuplicateReference):
        holds.reserve(session, source, MERCHANT, 3, expires_at=expires_at, reference="r:1")
    with pytest.raises(InsufficientPoints) as refused:
        holds.reserve(session, source, MERCHANT, 8, expires_at=expires_at, reference="r:2")
    assert refused.value.details == {"available": 7, "required": 8, "account": source}
    assert balance(session, volunteer).held == 3


def test_expiry_takes_the_oldest_lots_and_spares_held_points(session, make_volunteer):
    volunteer = make_volunteer()
    start = now()
    operations.earn(session, volunteer, 30, expires_at=start + timedelta(days=10))
    operations.earn(session, volunteer, 50, expires_at=start + timedelta(days=20))
    operations.earn(session, volunteer, 5)  # never expires
    operations.redeem(session, volunteer, 1, 20)  # consumes 20 of the first lot

    assert operations.expire_points(session, at=start + timedelta(days=11)) == 10
    assert balance(session, volunteer).balance == 55

    holds.reserve(
        session,
        accounts.volunteer_code(volunteer),
        MERCHANT,
        45,
        expires_at=now() + timedelta(hours=1),
    )
    # 50 have expired but 45 of the 55 are held: only the 10 free points go.
    assert operations.expire_points(session, at=start + timedelta(days=21)) == 10
    assert (balance(session, volunteer).balance, balance(session, volunteer).held) == (45, 45)
    remaining = session.execute(
        select(func.sum(Lot.remaining))
        .join(accounts.Account, accounts.Account.id == Lot.account_id)
        .where(accounts.Account.code == accounts.volunteer_code(volunteer))
    ).scalar_one()
    assert remaining == 45
    assert verify(session).ok


def test_entries_carry_running_balance_and_contiguous_versions(session, make_volunteer):
    volunteer = make_volunteer()
    for amount in (5, 7, 11):
        operations.earn(session, volunteer, amount)
    operations.redeem(session, volunteer, 1, 4)
    items = queries.history(session, accounts.volunteer_code(volunteer), limit=10)
    assert [(i.version, i.amount, i.balance_after, i.kind) for i in items] == [
        (4, -4, 19, "redeem"),
        (3, 11, 23, "earn"),
        (2, 7, 12, "earn"),
        (1, 5, 5, "earn"),
    ]
    older = queries.history(session, accounts.volunteer_code(volunteer), limit=2, before_version=3)
    assert [i.version for i in older] == [2, 1]


def test_unbalanced_legs_are_refused(session, make_volunteer):
    from ledger import postings

    volunteer = make_volunteer()
    with pytest.raises(UnbalancedTransaction):
        atomic(
            session,
            lambda s: postings.record(
                s, kind="adjustment", legs={accounts.volunteer_code(volunteer): 5, MERCHANT: -4}
            ),
        )
    assert session.execute(select(func.count(Entry.id))).scalar_one() == 0


def test_a_use_case_joins_the_callers_transaction(session, make_volunteer):
    first, second = make_volunteer(), make_volunteer()

    def both(s):
        operations.earn(s, first, 10)
        operations.earn(s, second, 10)
        raise RuntimeError("the caller changes its mind")

    with pytest.raises(RuntimeError):
        atomic(session, both)
    assert balance(session, first).balance == 0  # rolled back together


def test_atomic_refuses_a_session_with_uncommitted_writes(session):
    from identity.models import Volunteer

    session.add(Volunteer(openid="pending-write"))
    session.flush()
    with pytest.raises(UncommittedWork):
        operations.earn(session, 1, 10)
    session.rollback()


def test_the_first_posting_opens_accounts_as_their_codes_say(session, make_volunteer):
    volunteer = make_volunteer()
    operations.earn(session, volunteer, 10)
    operations.redeem(session, volunteer, 424242, 4)
    opened = {
        row.code: (row.kind, row.volunteer_id, row.allow_negative)
        for row in session.execute(
            select(accounts.Account).where(
                accounts.Account.code.in_(
                    [
                        accounts.volunteer_code(volunteer),
                        accounts.issuance_code_for(volunteer),
                        accounts.merchant_code(424242),
                    ]
                )
            )
        ).scalars()
    }
    assert opened == {
        accounts.volunteer_code(volunteer): ("volunteer", volunteer, False),
        accounts.issuance_code_for(volunteer): ("system", None, True),
        accounts.merchant_code(424242): ("merchant", None, False),
    }
    assert verify(session).ok
