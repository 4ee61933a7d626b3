"""Reads of redemptions: a volunteer's own, a merchant's fulfilled ones and its monthly total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from core.clock import BUSINESS_TZ
from rewards.errors import RedemptionNotFound
from rewards.perks.models import Perk
from rewards.redemptions.models import Redemption


def effective_status(redemption: Redemption, at: datetime) -> str:
    """Return the status as the volunteer should see it: a lapsed reservation is expired.

    The expiry job gives the stock back later; the code is already refused at its deadline.
    """
    if redemption.status == "reserved" and redemption.expires_at <= at:
        return "expired"
    return redemption.status


def for_volunteer(session: Session, volunteer_id: int, redemption_id: int):
    """Return (redemption, perk) if it is the volunteer's own, else raise RedemptionNotFound."""
    row = session.execute(
        select(Redemption, Perk)
        .join(Perk, Perk.id == Redemption.perk_id)
        .where(Redemption.id == redemption_id, Redemption.volunteer_id == volunteer_id)
    ).first()
    if row is None:
        raise RedemptionNotFound(redemption_id=redemption_id)
    return row[0], row[1]


def volunteer_history(
    session: Session, volunteer_id: int, *, limit: int, after_id: int | None = None
) -> list[tuple[Redemption, Perk]]:
    query = (
        select(Redemption, Perk)
        .join(Perk, Perk.id == Redemption.perk_id)
        .where(Redemption.volunteer_id == volunteer_id)
    )
    if after_id is not None:
        query = query.where(Redemption.id < after_id)
    rows = session.execute(query.order_by(Redemption.id.desc()).limit(limit)).all()
    return [(row[0], row[1]) for row in rows]


def fulfilled_for_merchant(
    session: Session,
    merchant_id: int,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> list[tuple[Redemption, Perk]]:
    """Return the merchant's fulfilled redemptions, most recently fulfilled first."""
    query = (
        select(Redemption, Perk)
        .join(Perk, Perk.id == Redemption.perk_id)
        .where(Redemption.merchant_id == merchant_id, Redemption.status == "fulfilled")
    )
    if after is not None:
        query = query.where(tuple_(Redemption.fulfilled_at, Redemption.id) < tuple_(*after))
    rows = session.execute(
        query.order_by(Redemption.fulfilled_at.desc(), Redemption.id.desc()).limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class MonthSummary:
    month: str
    fulfilled: int
    points: int


def month_summary(session: Session, merchant_id: int, year: int, month: int) -> MonthSummary:
    """Count the merchant's redemptions fulfilled in a calendar month of Zhejiang time."""
    start = datetime(year, month, 1, tzinfo=BUSINESS_TZ)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=BUSINESS_TZ)
    count, points = session.execute(
        select(func.count(Redemption.id), func.coalesce(func.sum(Redemption.points), 0)).where(
            Redemption.merchant_id == merchant_id,
            Redemption.status == "fulfilled",
            Redemption.fulfilled_at >= start,
            Redemption.fulfilled_at < end,
        )
    ).one()
    return MonthSummary(f"{year:04d}-{month:02d}", int(count), int(points))
