"""Redemption use cases on the database: every rule, and the ledger agreeing afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import now
from ledger import holds, queries
from ledger.errors import InsufficientPoints
from ledger.models import Hold
from ledger.verify import verify
from rewards.errors import (
    AlreadyFulfilled,
    LimitReached,
    NotMerchantStaff,
    OutOfStock,
    PerkNotAvailable,
    PerkNotFound,
    RedemptionCancelled,
    RedemptionCodeInvalid,
    RedemptionExpired,
    RedemptionNotFound,
    StarLevelTooLow,
    WrongMerchant,
)
from rewards.merchants import operations as merchants
from rewards.merchants.models import Merchant
from rewards.perks import operations as perks
from rewards.perks.models import Perk
from rewards.redemptions import operations as redemptions
from rewards.redemptions.models import Redemption, RedemptionAllowance


def _reserve(session, volunteer, perk, star=0, **kwargs):
    return redemptions.reserve(
        session, volunteer_id=volunteer, perk_id=perk.id, star_level=star, **kwargs
    )


def _staff_of(session, merchant, make_volunteer):
    staff = make_volunteer(nickname="店员")
    merchants.bind(session, volunteer_id=staff, bind_code=merchant.bind_code)
    return staff


def _merchant(session, perk):
    return session.get(Merchant, session.get(Perk, perk.id).merchant_id)


def _stock_left(session, perk_id):
    session.expire_all()
    return session.get(Perk, perk_id).stock_left


def test_reserving_holds_points_stock_and_allowance_at_once(
    session, make_volunteer, give_points, make_perk
):
    volunteer = make_volunteer()
    give_points(volunteer, 250)
    perk = make_perk(cost_points=100, stock=3, per_user_limit=2)

    reservation = _reserve(session, volunteer, perk)

    assert reservation.status == "reserved"
    assert reservation.points_held == 100
    assert len(reservation.code) == 11 and reservation.code[5] == "-"
    assert timedelta(minutes=14) < reservation.expires_at - now() <= timedelta(minutes=15)
    balance = queries.volunteer_balance(session, volunteer)
    assert (balance.balance, balance.held, balance.available) == (250, 100, 150)
    assert _stock_left(session, perk.id) == 2
    assert session.scalar(select(RedemptionAllowance.used)) == 1
    assert verify(session).ok


def test_insufficient_points_take_nothing(session, make_volunteer, give_points, make_perk):
    volunteer = make_volunteer()
    give_points(volunteer, 99)
    perk = make_perk(cost_points=100, stock=1, per_user_limit=1)

    with pytest.raises(InsufficientPoints) as refused:
        _reserve(session, volunteer, perk)

    assert refused.value.details == {"available": 99, "required": 100}
    assert _stock_left(session, perk.id) == 1
    assert session.scalar(select(RedemptionAllowance.used)) in (None, 0)
    assert session.scalar(select(Redemption.id)) is None


def test_the_last_unit_goes_to_one_volunteer_only(session, make_volunteer, give_points, make_perk):
    first, second = make_volunteer(), make_volunteer()
    give_points(first, 100)
    give_points(second, 100)
    perk = make_perk(stock=1)

    _reserve(session, first, perk)
    with pytest.raises(OutOfStock):
        _reserve(session, second, perk)
    assert queries.volunteer_balance(session, second).held == 0


def test_the_per_user_limit_counts_reserved_and_fulfilled_but_not_cancelled(
    session, make_volunteer, give_points, make_perk
):
    volunteer = make_volunteer()
    give_points(volunteer, 1000)
    perk = make_perk(stock=10, per_user_limit=2)
    staff = _staff_of(session, _merchant(session, perk), make_volunteer)

    one = _reserve(session, volunteer, perk)
    two = _reserve(session, volunteer, perk)
    with pytest.raises(LimitReached) as refused:
        _reserve(session, volunteer, perk)
    assert refused.value.details == {"limit": 2, "period": "lifetime"}

    redemptions.confirm(session, staff_volunteer_id=staff, code=one.code)
    redemptions.cancel(session, volunteer_id=volunteer, redemption_id=two.redemption_id)
    _reserve(session, volunteer, perk)  # the cancelled one's allowance came back
    with pytest.raises(LimitReached):
        _reserve(session, volunteer, perk)


def test_a_monthly_limit_counts_per_calendar_month(session, make_volunteer, give_points, make_perk):
    volunteer = make_volunteer()
    give_points(volunteer, 1000)
    perk = make_perk(stock=10, per_user_limit=1, limit_period="month")

    first = _reserve(session, volunteer, perk)
    with pytest.raises(LimitReached):
        _reserve(session, volunteer, perk)

    # Last month's use does not count against this month.
    session.execute(RedemptionAllowance.__table__.update().values(period="2000-01"))
    session.commit()
    _reserve(session, volunteer, perk)
    assert session.get(Redemption, first.redemption_id).allowance_period == redemptions._month(
        now()
    )


def test_star_level_below_the_perks_minimum_is_refused(
    session, make_volunteer, give_points, make_perk
):
    volunteer = make_volunteer()
    give_points(volunteer, 100)
    perk = make_perk(min_star_level=2)

    with pytest.raises(StarLevelTooLow) as refused:
        _reserve(session, volunteer, perk, star=1)
    assert refused.value.details == {"required": 2, "current": 1}
    _reserve(session, volunteer, perk, star=2)


@pytest.mark.parametrize(
    "fields",
    [
        {"active": False},
        {"valid_from": now() + timedelta(days=1)},
        {"valid_from": now() - timedelta(days=2), "valid_until": now() - timedelta(days=1)},
    ],
)
def test_inactive_or_out_of_window_perks_are_not_available(
    session, make_volunteer, give_points, make_perk, fields
):
    volunteer = make_volunteer()
    give_points(volunteer, 100)
    perk = make_perk(**fields)
    with pytest.raises(PerkNotAvailable):
        _reserve(session, volunteer, perk)


def test_a_deactivated_merchants_perks_are_not_available(
    session, make_volunteer, give_points, make_perk, make_merchant
):
    volunteer = make_volunteer()
    give_points(volunteer, 100)
    merchant = make_merchant()
    perk = make_perk(merchant)
    merchants.update_merchant(session, merchant.id, {"active": False})
    with pytest.raises(PerkNotAvailable):
        _reserve(session, volunteer, perk)


def test_an_unknown_perk_is_not_found(session, make_volunteer):
    with pytest.raises(PerkNotFound):
        redemptions.reserve(session, volunteer_id=make_volunteer(), perk_id=999, star_level=5)


def test_confirming_pays_the_merchant_and_only_once(
    session, make_volunteer, give_points, make_perk
):
    volunteer = make_volunteer()
    give_points(volunteer, 300)
    perk = make_perk(cost_points=120)
    merchant = _merchant(session, perk)
    staff = _staff_of(session, merchant, make_volunteer)
    reservation = _reserve(session, volunteer, perk)

    done = redemptions.confirm(
        session, staff_volunteer_id=staff, code=reservation.code.lower().replace("-", " ")
    )

    assert (done.status, done.perk_title, done.points) == ("fulfilled", "美式咖啡一杯", 120)
    balance = queries.volunteer_balance(session, volunteer)
    assert (balance.balance, balance.held) == (180, 0)
    assert queries.balance_of(session, f"merchant:{merchant.id}").balance == 120
    with pytest.raises(AlreadyFulfilled) as refused:
        redemptions.confirm(session, staff_volunteer_id=staff, code=reservation.code)
    fulfilled_at = session.get(Redemption, done.redemption_id).fulfilled_at
    assert refused.value.details == {"fulfilled_at": fulfilled_at.isoformat()}
    with pytest.raises(AlreadyFulfilled):
        redemptions.cancel(session, volunteer_id=volunteer, redemption_id=done.redemption_id)
    assert verify(session).ok


def test_only_staff_of_the_perks_merchant_may_confirm(
    session, make_volunteer, give_points, make_perk, make_merchant
):
    volunteer = make_volunteer()
    give_points(volunteer, 100)
    perk = make_perk()
    other_staff = _staff_of(session, make_merchant(name="别家书店"), make_volunteer)
    reservation = _reserve(session, volunteer, perk)

    with pytest.raises(NotMerchantStaff):
        redemptions.confirm(session, staff_volunteer_id=volunteer, code=reservation.code)
    with pytest.raises(WrongMerchant):
        redemptions.confirm(session, staff_volunteer_id=other_staff, code=reservation.code)
    with pytest.raises(RedemptionCodeInvalid):
        redemptions.confirm(session, staff_volunteer_id=other_staff, code="ZZZZZ-ZZZZZ")
    with pytest.raises(RedemptionCodeInvalid):
        redemptions.confirm(session, staff_volunteer_id=other_staff, code="not a code at all")


def test_cancelling_gives_everything_back_and_the_code_dies(
    session, make_volunteer, give_points, make_perk
):
    volunteer = make_volunteer()
    give_points(volunteer, 100)
    perk = make_perk(stock=1, per_user_limit=1)
    staff = _staff_of(session, _merchant(session, perk), make_volunteer)
    reservation = _reserve(session, volunteer, perk)

    cancelled = redemptions.cancel(
        session, volunteer_id=volunteer, redemption_id=reservation.redemption_id
    )

    assert cancelled.status == "cancelled"
    assert queries.volunteer_balance(session, volunteer).held == 0
    assert _stock_left(session, perk.id) == 1
    assert session.scalar(select(RedemptionAllowance.used)) == 0
    assert session.scalar(select(Hold.status)) == "voided"
    with pytest.raises(RedemptionCancelled):
        redemptions.confirm(session, staff_volunteer_id=staff, code=reservation.code)
    # Cancelling again answers the same; someone else's redemption does not exist for them.
    again = redemptions.cancel(
        session, volunteer_id=volunteer, redemption_id=reservation.redemption_id
    )
    assert again.status == "cancelled"
    with pytest.raises(RedemptionNotFound):
        redemptions.cancel(
            session, volunteer_id=make_volunteer(), redemption_id=reservation.redemption_id
        )
    assert verify(session).ok


def test_a_code_past_its_deadline_is_refused_and_the_job_returns_everything(
    session, make_volunteer, give_points, make_perk
):
    volunteer = make_volunteer()
    give_points(volunteer, 100)
    perk = make_perk(stock=1, per_user_limit=1)
    staff = _staff_of(session, _merchant(session, perk), make_volunteer)
    reservation = _reserve(session, volunteer, perk, hold_minutes=15)
    later = now() + timedelta(minutes=16)

    assert redemptions.expire_due(session, at=now()) == 0
    holds.expire(session, at=later)
    assert redemptions.expire_due(session, at=later) == 1

    session.expire_all()
    redemption = session.get(Redemption, reservation.redemption_id)
    assert redemption.status == "expired"
    assert session.scalar(select(Hold.status)) == "expired"
    assert queries.volunteer_balance(session, volunteer).available == 100
    assert _stock_left(session, perk.id) == 1
    assert session.scalar(select(RedemptionAllowance.used)) == 0
    with pytest.raises(RedemptionExpired) as refused:
        redemptions.confirm(session, staff_volunteer_id=staff, code=reservation.code)
    assert refused.value.details == {"expires_at": reservation.expires_at.isoformat()}
    with pytest.raises(RedemptionExpired):
        redemptions.cancel(session, volunteer_id=volunteer, redemption_id=reservation.redemption_id)
    assert redemptions.expire_due(session, at=later) == 0
    assert verify(session).ok


def test_a_perk_closing_while_a_code_is_outstanding_still_honours_the_code(
    session, make_volunteer, give_points, make_perk
):
    """Decision: a code issued while the perk was open is good until its own deadline."""
    volunteer = make_volunteer()
    give_points(volunteer, 200)
    perk = make_perk(valid_until=now() + timedelta(hours=1))
    staff = _staff_of(session, _merchant(session, perk), make_volunteer)
    reservation = _reserve(session, volunteer, perk)

    perks.update_perk(
        session,
        perk.id,
        {"valid_from": now() - timedelta(days=1), "valid_until": now() - timedelta(seconds=1)},
        staff_id=None,
    )
    with pytest.raises(PerkNotAvailable):
        _reserve(session, volunteer, perk)

    done = redemptions.confirm(session, staff_volunteer_id=staff, code=reservation.code)
    assert done.status == "fulfilled"
    assert verify(session).ok
