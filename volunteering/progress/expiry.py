"""Expire points and count them against the volunteer's region, in the same transaction.

The ledger knows accounts, not regions; ``identity`` knows where a volunteer lives. So the
periodic job runs the ledger's expiry with a callback that adds each account's expired points
to the region the volunteer has chosen at that moment (the province for those without one),
on the business day of the expiry moment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import regions
from core.clock import business_time, now
from identity.models import Volunteer
from ledger import operations as ledger_ops
from ledger.models import Account
from stats import metrics, rollups


def volunteer_region(session: Session, account_id: int) -> str:
    """Return the region a volunteer account's flows count in (the province when unknown)."""
    region = session.scalar(
        select(Volunteer.region_code)
        .join(Account, Account.volunteer_id == Volunteer.id)
        .where(Account.id == account_id)
    )
    return region or regions.PROVINCE_CODE


def expire_points(session: Session, *, at: datetime | None = None) -> int:
    """Expire every lot past its date (``flask points expire``); return the points expired."""
    at = at or now()
    day = business_time(at).date()

    def count(s: Session, account_id: int, amount: int) -> None:
        rollups.add(s, volunteer_region(s, account_id), day, **{metrics.POINTS_EXPIRED: amount})

    return ledger_ops.expire_points(session, at=at, on_expired=count)
