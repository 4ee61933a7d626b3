"""Dated lots of a volunteer's points: credits add one, debits consume the oldest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from core.clock import now
from ledger.models import Lot

_lots = Lot.__table__


def add(session: Session, *, account_id: int, transaction_id: int, amount: int, expires_at) -> None:
    """Record *amount* credited by *transaction_id*, expiring at *expires_at* (None: never)."""
    session.execute(
        insert(_lots).values(
            account_id=account_id,
            transaction_id=transaction_id,
            amount=amount,
            remaining=amount,
            expires_at=expires_at,
            created_at=now(),
        )
    )


def consume(session: Session, *, account_id: int, amount: int) -> None:
    """Take *amount* from the account's lots, soonest-expiring first (caller holds the lock).

    One statement: a running total over the lots in consumption order says how much of
    each is left, and only the lots that running total reaches are touched.
    """
    c = _lots.c
    order = (c.expires_at.asc().nulls_last(), c.id)
    ordered = (
        select(c.id, c.remaining, func.sum(c.remaining).over(order_by=order).label("running"))
        .where(c.account_id == account_id, c.remaining > 0)
        .subquery("ordered")
    )
    session.execute(
        update(_lots)
        .where(c.id == ordered.c.id, ordered.c.running - ordered.c.remaining < amount)
        .values(remaining=case((ordered.c.running > amount, ordered.c.running - amount), else_=0))
    )


def expired_amount(session: Session, *, account_id: int, at: datetime) -> int:
    """Return the points in the account's lots whose date has passed at *at*."""
    c = _lots.c
    total = session.execute(
        select(func.coalesce(func.sum(c.remaining), 0)).where(
            c.account_id == account_id, c.remaining > 0, c.expires_at <= at
        )
    ).scalar_one()
    return int(total)


def accounts_with_expired(session: Session, *, at: datetime, after: int, limit: int) -> list[int]:
    """Return up to *limit* ids above *after* of accounts holding lots expired by *at*."""
    c = _lots.c
    return list(
        session.execute(
            select(c.account_id)
            .where(c.remaining > 0, c.expires_at <= at, c.account_id > after)
            .group_by(c.account_id)
            .order_by(c.account_id)
            .limit(limit)
        ).scalars()
    )
