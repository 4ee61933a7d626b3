"""Two-phase redemption: reserve, then confirm (merchant), cancel (volunteer) or expire (job).

Reserving takes, in ONE transaction, a ledger hold of the perk's cost, one unit of stock
(conditional UPDATE ``stock_left > 0``) and one unit of the volunteer's allowance (conditional
UPDATE ``used < per_user_limit``); any refusal rolls all three back. Releasing gives all three
back in one transaction too. Rows are locked in one order everywhere (redemption, perk,
allowance, ledger accounts) so racing writers queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import business_time, now
from core.upsert import insert_ignoring
from ledger import accounts, holds
from ledger.errors import HoldExpired, HoldNotPending, InsufficientPoints
from ledger.uow import atomic
from rewards import codes
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
from rewards.merchants.models import Merchant, MerchantStaff
from rewards.perks.models import Perk
from rewards.redemptions import postgres
from rewards.redemptions.models import CODE_LENGTH, LIFETIME, Redemption, RedemptionAllowance
from stats import metrics, rollups

DEFAULT_HOLD_MINUTES = 15

_perks = Perk.__table__
_redemptions = Redemption.__table__
_allowances = RedemptionAllowance.__table__


@dataclass(frozen=True)
class Reservation:
    redemption_id: int
    code: str
    expires_at: datetime
    status: str
    points_held: int


@dataclass(frozen=True)
class Confirmation:
    redemption_id: int
    status: str
    perk_id: int
    perk_title: str
    volunteer_id: int
    points: int
    transaction_id: int


def reserve(
    session: Session,
    *,
    volunteer_id: int,
    perk_id: int,
    star_level: int | Callable[[Session], int],
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
) -> Reservation:
    """Hold the perk's cost, one unit of stock and one unit of allowance; return the code.

    *star_level* may be a reader, called inside the transaction only when the perk asks for a
    minimum level: most perks do not, and the level costs two reads.
    """

    def work(s: Session) -> Reservation:
        moment = now()
        if _on_postgres(s):
            expires_at = moment + timedelta(minutes=hold_minutes)
            redemption_id, code, points = postgres.reserve(
                s,
                volunteer_id=volunteer_id,
                perk_id=perk_id,
                star_level=star_level,
                expires_at=expires_at,
                month=_month(moment),
                at=moment,
            )
            return Reservation(redemption_id, codes.grouped(code), expires_at, "reserved", points)
        found = s.execute(
            select(Perk, Merchant.active)
            .join(Merchant, Merchant.id == Perk.merchant_id)
            .where(Perk.id == perk_id)
            .with_for_update(of=Perk)
            .execution_options(populate_existing=True)
        ).first()
        if found is None:
            raise PerkNotFound(perk_id=perk_id)
        perk, merchant_active = found
        if not (perk.active and merchant_active and perk.is_open_at(moment)):
            raise PerkNotAvailable(perk_id=perk_id)
        if perk.min_star_level > 0:
            level = star_level(s) if callable(star_level) else star_level
            if level < perk.min_star_level:
                raise StarLevelTooLow(required=perk.min_star_level, current=level)
        period = _take_allowance(s, perk, volunteer_id, moment)
        taken = s.execute(
            update(_perks)
            .where(_perks.c.id == perk_id, _perks.c.stock_left > 0)
            .values(stock_left=_perks.c.stock_left - 1)
        )
        if taken.rowcount != 1:
            raise OutOfStock(perk_id=perk_id)

        expires_at = moment + timedelta(minutes=hold_minutes)
        redemption_id, code = _insert_redemption(
            s,
            volunteer_id=volunteer_id,
            perk_id=perk_id,
            merchant_id=perk.merchant_id,
            status="reserved",
            points=perk.cost_points,
            allowance_period=period,
            expires_at=expires_at,
            created_at=moment,
        )
        try:
            hold = holds.reserve(
                s,
                accounts.volunteer_code(volunteer_id),
                accounts.merchant_code(perk.merchant_id),
                perk.cost_points,
                expires_at=expires_at,
                # One hold, and later one payment, per redemption: the ledger refuses a second.
                reference=f"redemption:{redemption_id}",
                memo=f"兑换：{perk.title}"[:255],
            )
        except InsufficientPoints as error:
            raise InsufficientPoints(
                available=error.details.get("available"), required=perk.cost_points
            ) from None
        s.execute(
            update(_redemptions).where(_redemptions.c.id == redemption_id).values(hold_id=hold.id)
        )
        return Reservation(redemption_id, codes.grouped(code), expires_at, "reserved", hold.amount)

    return atomic(session, work)


def confirm(session: Session, *, staff_volunteer_id: int, code: str) -> Confirmation:
    """Fulfil the redemption with *code* for the merchant the caller serves: post its hold."""

    def work(s: Session) -> Confirmation:
        if _on_postgres(s):
            return _confirm_on_postgres(s, staff_volunteer_id, code)
        serves = s.execute(
            select(MerchantStaff.merchant_id, Merchant.region_code)
            .join(Merchant, Merchant.id == MerchantStaff.merchant_id)
            .where(MerchantStaff.volunteer_id == staff_volunteer_id)
        ).first()
        if serves is None:
            raise NotMerchantStaff()
        merchant_id, merchant_region = serves
        canonical = codes.normalize(code, CODE_LENGTH)
        found = None if canonical is None else _locked_with_perk(s, Redemption.code == canonical)
        if found is None:
            raise RedemptionCodeInvalid()
        redemption, perk_title = found
        if redemption.merchant_id != merchant_id:
            raise WrongMerchant()
        moment = now()
        _require_open(redemption, moment)
        # A perk closed or withdrawn after the code was issued is still honoured until the
        # code's own deadline: the volunteer was promised it when the points were held.
        try:
            posted = holds.post(
                s, redemption.hold_id, kind="redeem", memo=f"兑换：{perk_title}"[:255]
            )
        except (HoldExpired, HoldNotPending):
            raise RedemptionExpired(expires_at=redemption.expires_at.isoformat()) from None
        redemption.status = "fulfilled"
        redemption.fulfilled_at = moment
        redemption.fulfilled_by = staff_volunteer_id
        redemption.resolved_at = moment
        redemption.transaction_id = posted.transaction_id
        fulfilled = {metrics.POINTS_REDEEMED: redemption.points}
        rollups.add(s, merchant_region, business_time(moment).date(), **fulfilled)
        s.flush()
        return Confirmation(
            redemption.id,
            "fulfilled",
            redemption.perk_id,
            perk_title,
            redemption.volunteer_id,
            redemption.points,
            posted.transaction_id,
        )

    return atomic(session, work)


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _confirm_on_postgres(session: Session, staff_volunteer_id: int, code: str) -> Confirmation:
    moment = now()
    redemption_id, perk_id, perk_title, volunteer_id, points, transaction_id = postgres.confirm(
        session,
        staff_volunteer_id=staff_volunteer_id,
        code=codes.normalize(code, CODE_LENGTH),
        month=rollups.month_of(business_time(moment).date()),
        slot=rollups.random_slot(),
        metric=metrics.POINTS_REDEEMED,
        at=moment,
    )
    return Confirmation(
        redemption_id, "fulfilled", perk_id, perk_title, volunteer_id, points, transaction_id
    )


def cancel(session: Session, *, volunteer_id: int, redemption_id: int) -> Redemption:
    """Cancel the volunteer's own reserved redemption: points, stock and allowance come back.

    Cancelling twice answers the same; a fulfilled or expired one cannot be cancelled.
    """

    def work(s: Session) -> Redemption:
        redemption = _locked(
            s, (Redemption.id == redemption_id) & (Redemption.volunteer_id == volunteer_id)
        )
        if redemption is None:
            raise RedemptionNotFound(redemption_id=redemption_id)
        if redemption.status == "cancelled":
            return redemption
        if redemption.status == "fulfilled":
            raise AlreadyFulfilled()
        if redemption.status == "expired":
            raise RedemptionExpired(expires_at=redemption.expires_at.isoformat())
        _release(s, redemption, "cancelled")
        return redemption

    return atomic(session, work)


def expire_due(session: Session, *, at: datetime | None = None, batch: int = 100) -> int:
    """Expire reserved redemptions past their deadline, one short transaction each; return count.

    Run after ``ledger.holds.expire`` (``flask redemptions expire-holds`` does both): the holds
    are then already released, and this gives back the stock and the allowance.
    """
    at = at or now()
    count = 0
    after = 0
    while True:
        ids = list(
            session.scalars(
                select(Redemption.id)
                .where(
                    Redemption.status == "reserved",
                    Redemption.expires_at <= at,
                    Redemption.id > after,
                )
                .order_by(Redemption.id)
                .limit(batch)
            )
        )
        session.rollback()
        if not ids:
            return count
        for redemption_id in ids:
            count += atomic(session, lambda s, r=redemption_id: _expire_one(s, r, at))
        after = ids[-1]


def _expire_one(session: Session, redemption_id: int, at: datetime) -> int:
    redemption = _locked(session, Redemption.id == redemption_id)
    if redemption is None or redemption.status != "reserved" or redemption.expires_at > at:
        return 0  # confirmed or cancelled since it was listed
    _release(session, redemption, "expired")
    return 1


def _require_open(redemption: Redemption, moment: datetime) -> None:
    if redemption.status == "fulfilled":
        raise AlreadyFulfilled(fulfilled_at=redemption.fulfilled_at.isoformat())
    if redemption.status == "cancelled":
        raise RedemptionCancelled()
    if redemption.status == "expired" or redemption.expires_at <= moment:
        raise RedemptionExpired(expires_at=redemption.expires_at.isoformat())


def _take_allowance(session: Session, perk: Perk, volunteer_id: int, moment: datetime):
    """Count one unit against the volunteer's limit for this perk; return the period used."""
    if perk.per_user_limit is None:
        return None
    period = LIFETIME if perk.limit_period == "lifetime" else _month(moment)
    key = {"volunteer_id": volunteer_id, "perk_id": perk.id, "period": period}
    insert_ignoring(session, _allowances, {**key, "used": 0})
    c = _allowances.c
    taken = session.execute(
        update(_allowances)
        .where(
            c.volunteer_id == volunteer_id,
            c.perk_id == perk.id,
            c.period == period,
            c.used < perk.per_user_limit,
        )
        .values(used=c.used + 1)
    )
    if taken.rowcount != 1:
        raise LimitReached(limit=perk.per_user_limit, period=perk.limit_period)
    return period


def _release(session: Session, redemption: Redemption, status: str) -> None:
    """Give back the unit of stock, the unit of allowance and the held points."""
    session.execute(
        update(_perks)
        .where(_perks.c.id == redemption.perk_id)
        .values(stock_left=_perks.c.stock_left + 1)
    )
    if redemption.allowance_period is not None:
        c = _allowances.c
        session.execute(
            update(_allowances)
            .where(
                c.volunteer_id == redemption.volunteer_id,
                c.perk_id == redemption.perk_id,
                c.period == redemption.allowance_period,
                c.used > 0,
            )
            .values(used=c.used - 1)
        )
    with suppress(HoldNotPending):  # the ledger's own expiry job released it already
        holds.void(session, redemption.hold_id)
    redemption.status = status
    redemption.resolved_at = now()
    session.flush()


def _locked(session: Session, condition) -> Redemption | None:
    return session.scalars(
        select(Redemption)
        .where(condition)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _locked_with_perk(session: Session, condition) -> tuple[Redemption, str] | None:
    """Lock the redemption matching *condition* and return it with its perk's title."""
    found = session.execute(
        select(Redemption, Perk.title)
        .join(Perk, Perk.id == Redemption.perk_id)
        .where(condition)
        .with_for_update(of=Redemption)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return None if found is None else tuple(found)


def _month(moment: datetime) -> str:
    """Return the calendar month of *moment* in Zhejiang, e.g. ``2027-03``."""
    return business_time(moment).strftime("%Y-%m")


def _insert_redemption(session: Session, **values) -> tuple[int, str]:
    """Insert the redemption under a fresh code; return its id and code.

    49 bits make a collision all but impossible: rather than read before every insert, the
    unique index refuses a taken code (ON CONFLICT DO NOTHING) and we draw another.
    """
    while True:
        code = codes.new_code(CODE_LENGTH)
        redemption_id = insert_ignoring(
            session, _redemptions, {"code": code, **values}, conflict=("code",), returning="id"
        ).scalar()
        if redemption_id is not None:
            return redemption_id, code
