"""Turning approved service minutes into points: rules applied, then minted once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from core.clock import now
from ledger import operations as ledger_ops
from ledger import queries as ledger_queries
from rewards.earning_rules import Rules


@dataclass(frozen=True)
class Award:
    points: int
    multiplier: float
    campaign: str | None
    capped: bool


def award_for(rules: Rules, minutes: int, day: date, earned_that_day: int) -> Award:
    """Return the points *minutes* of service on *day* earn, after the campaign and the cap.

    A campaign day multiplies both the points and the daily cap, so a volunteer who serves a
    full day on 六五环境日 really does earn more than on any other day.
    """
    campaign = rules.multiplier_on(day)
    multiplier = campaign.multiplier if campaign else 1.0
    raw = int(minutes * rules.points_per_hour * multiplier) // 60
    cap = int(rules.daily_cap_points * multiplier)
    points = max(0, min(raw, cap - earned_that_day))
    return Award(points, multiplier, campaign.name if campaign else None, points < raw)


def mint(
    session: Session,
    *,
    volunteer_id: int,
    reference: str,
    points: int,
    rules: Rules,
    memo: str,
    meta: dict,
) -> int | None:
    """Mint *points* once per *reference*; return the ledger transaction id (None for zero)."""
    if points <= 0:
        return None
    posted = ledger_ops.earn(
        session,
        volunteer_id,
        points,
        reference=reference,
        memo=memo,
        meta=meta,
        expires_at=now() + timedelta(days=rules.points_expire_after_days),
    )
    return posted.transaction_id


@dataclass(frozen=True)
class Clawback:
    recovered: int
    unrecovered: int


def take_back(
    session: Session, *, volunteer_id: int, transaction_id: int, points: int, memo: str
) -> Clawback:
    """Take back minted points: reverse the mint whole, or as much as is still unspent.

    Points already redeemed cannot be un-spent; what cannot be recovered is reported, never
    taken by driving the balance below zero.
    """
    available = ledger_queries.volunteer_balance(session, volunteer_id).available
    if available >= points:
        ledger_ops.reverse(session, transaction_id, memo=memo)
        return Clawback(points, 0)
    if available > 0:
        ledger_ops.adjust(
            session,
            volunteer_id,
            -available,
            reason=memo,
            meta={"clawback_of": transaction_id, "unrecovered": points - available},
        )
    return Clawback(max(available, 0), points - max(available, 0))
