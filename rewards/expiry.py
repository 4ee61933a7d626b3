"""What a volunteer should know about points expiring (the expiry itself is the ledger's job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import accounts
from ledger.models import Account, Lot

SOON = timedelta(days=30)


@dataclass(frozen=True)
class ExpiringSoon:
    points: int
    before: datetime


def expiring_soon(
    session: Session, volunteer_id: int, *, at: datetime, within: timedelta = SOON
) -> ExpiringSoon:
    """Return the points in the volunteer's lots that expire before *at* + *within*.

    Lots already past their date but not yet swept by ``flask points expire`` count too:
    they are about to go.
    """
    before = at + within
    total = session.scalar(
        select(func.coalesce(func.sum(Lot.remaining), 0))
        .join(Account, Account.id == Lot.account_id)
        .where(
            Account.code == accounts.volunteer_code(volunteer_id),
            Lot.remaining > 0,
            Lot.expires_at.is_not(None),
            Lot.expires_at <= before,
        )
    )
    return ExpiringSoon(int(total or 0), before)
