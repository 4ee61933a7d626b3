"""Recompute every rollup from the source tables: for backfill, and to check the live ones.

Each source says what it contributed, attributed exactly as its live hook does:
- approved sessions: minutes, one session and the points minted, on the session's region
  and business day; a voided session that had minted keeps its points issued and counts what
  its void took back (a reversal, or a clawback adjustment) as reversed;
- approved manual hours: on the entry's region and service day;
- fulfilled redemptions: on the merchant's region and the business day of fulfilment;
- staff adjustments and expiries: on the volunteer's region (the province when they have
  none) and the business day of the adjustment or of the expiry moment.

A volunteer who changes region after an adjustment or an expiry is counted in the new region
by a rebuild and in the old one by the live rollups: ``check`` then reports that difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import regions
from core.clock import business_time
from identity.models import Volunteer
from ledger.models import Account, Entry, LedgerTransaction
from rewards.merchants.models import Merchant
from rewards.redemptions.models import Redemption
from stats import metrics, rollups
from volunteering.sessions.models import ManualHours, ServiceSession

Contribution = tuple[str, date, str, int]
_YIELD = 10_000


def _sessions(session: Session) -> Iterator[Contribution]:
    s = ServiceSession
    approved = (
        select(
            s.region_code,
            s.business_date,
            func.sum(s.credited_minutes),
            func.count(),
            func.sum(s.points_awarded),
        )
        .where(s.status == "approved")
        .group_by(s.region_code, s.business_date)
    )
    for region, day, minutes, count, points in session.execute(approved):
        yield region, day, metrics.MINUTES_SYSTEM, int(minutes)
        yield region, day, metrics.SESSIONS_APPROVED, int(count)
        yield region, day, metrics.POINTS_ISSUED, int(points)
    minted_then_voided = (
        select(s.region_code, s.business_date, func.sum(s.points_awarded))
        .where(s.status == "voided", s.points_transaction_id.is_not(None))
        .group_by(s.region_code, s.business_date)
    )
    for region, day, points in session.execute(minted_then_voided):
        yield region, day, metrics.POINTS_ISSUED, int(points)
    reversed_ = (
        select(s.region_code, s.business_date, func.sum(Entry.amount))
        .join(LedgerTransaction, LedgerTransaction.reverses_id == s.points_transaction_id)
        .join(Entry, Entry.transaction_id == LedgerTransaction.id)
        .join(Account, (Account.id == Entry.account_id) & (Account.kind == "volunteer"))
        .where(s.status == "voided")
        .group_by(s.region_code, s.business_date)
    )
    for region, day, amount in session.execute(reversed_):
        yield region, day, metrics.POINTS_REVERSED, -int(amount)


def _manual_hours(session: Session) -> Iterator[Contribution]:
    m = ManualHours
    rows = session.execute(
        select(m.region_code, m.service_date, func.sum(m.minutes), func.sum(m.points_awarded))
        .where(m.status == "approved")
        .group_by(m.region_code, m.service_date)
    )
    for region, day, minutes, points in rows:
        yield region, day, metrics.MINUTES_MANUAL, int(minutes)
        yield region, day, metrics.POINTS_ISSUED, int(points)


def _redemptions(session: Session) -> Iterator[Contribution]:
    rows = session.execute(
        select(Merchant.region_code, Redemption.fulfilled_at, Redemption.points)
        .join(Merchant, Merchant.id == Redemption.merchant_id)
        .where(Redemption.status == "fulfilled")
        .execution_options(yield_per=_YIELD)
    )
    for region, fulfilled_at, points in rows:
        yield region, business_time(fulfilled_at).date(), metrics.POINTS_REDEEMED, points


@dataclass(frozen=True)
class _Flow:
    kind: str
    meta: dict
    created_at: datetime
    amount: int
    region: str


def _volunteer_flows(session: Session) -> Iterator[_Flow]:
    """Yield the volunteer leg of every adjustment and expiry, with the volunteer's region."""
    rows = session.execute(
        select(
            LedgerTransaction.kind,
            LedgerTransaction.meta,
            LedgerTransaction.created_at,
            Entry.amount,
            Volunteer.region_code,
        )
        .join(Entry, Entry.transaction_id == LedgerTransaction.id)
        .join(Account, (Account.id == Entry.account_id) & (Account.kind == "volunteer"))
        .join(Volunteer, Volunteer.id == Account.volunteer_id)
        .where(LedgerTransaction.kind.in_(("adjustment", "expire")))
        .execution_options(yield_per=_YIELD)
    )
    for kind, meta, created_at, amount, region in rows:
        yield _Flow(kind, meta or {}, created_at, int(amount), region or regions.PROVINCE_CODE)


def _ledger_flows(session: Session) -> Iterator[Contribution]:
    clawed: dict[int, int] = {}
    for flow in _volunteer_flows(session):
        if flow.kind == "expire":
            moment = flow.meta.get("expired_at")
            at = datetime.fromisoformat(moment) if moment else flow.created_at
            yield flow.region, business_time(at).date(), metrics.POINTS_EXPIRED, -flow.amount
        elif "clawback_of" in flow.meta:
            transaction_id = int(flow.meta["clawback_of"])
            clawed[transaction_id] = clawed.get(transaction_id, 0) - flow.amount
        else:
            day = business_time(flow.created_at).date()
            yield flow.region, day, metrics.POINTS_ADJUSTED, flow.amount
    # A clawback counts where the voided session's mint was counted.
    s = ServiceSession
    for start in range(0, len(ids := sorted(clawed)), 1000):
        rows = session.execute(
            select(s.points_transaction_id, s.region_code, s.business_date).where(
                s.points_transaction_id.in_(ids[start : start + 1000])
            )
        )
        for transaction_id, region, day in rows:
            yield region, day, metrics.POINTS_REVERSED, clawed[transaction_id]


def contributions(session: Session) -> Iterator[Contribution]:
    """Yield what every source table contributes to the rollups."""
    yield from _sessions(session)
    yield from _manual_hours(session)
    yield from _redemptions(session)
    yield from _ledger_flows(session)


def recompute(session: Session) -> dict[rollups.Key, int]:
    """Return the rollups as the source tables imply them, slots summed."""
    return rollups.aggregate(contributions(session))


@dataclass(frozen=True)
class Difference:
    region_code: str
    month: date
    metric: str
    kept: int
    recomputed: int


def check(session: Session) -> list[Difference]:
    """Compare the live rollups with a recomputation; an empty list means they agree."""
    kept = rollups.snapshot(session)
    fresh = recompute(session)
    return [
        Difference(*key, kept.get(key, 0), fresh.get(key, 0))
        for key in sorted(set(kept) | set(fresh))
        if kept.get(key, 0) != fresh.get(key, 0)
    ]


def rebuild(session: Session) -> int:
    """Replace every rollup by the recomputation (the caller commits); return rows written."""
    return rollups.replace_all(session, recompute(session))
