"""Two-phase transfers: reserve points (a hold), then post, void or let it expire.

A hold raises the account's ``held`` amount, so ``available = balance - held`` drops at once
while the balance and the entries change only when the hold is posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import now
from core.upsert import insert_ignoring
from ledger import accounts, postgres, postings
from ledger.errors import (
    DuplicateReference,
    HoldExpired,
    HoldNotFound,
    HoldNotPending,
    InsufficientPoints,
    InvalidAmount,
)
from ledger.models import Hold
from ledger.postings import Posted, check_amount
from ledger.uow import atomic

_holds = Hold.__table__


@dataclass(frozen=True)
class HoldView:
    id: int
    account_code: str
    amount: int
    status: str
    expires_at: datetime


def reserve(
    session: Session,
    source: str,
    destination: str,
    amount: int,
    *,
    expires_at: datetime,
    reference: str | None = None,
    memo: str = "",
) -> HoldView:
    """Hold *amount* of the account coded *source* for *destination* until *expires_at*."""
    check_amount(amount)
    if source == destination:
        raise InvalidAmount("不能转给同一账户")
    if expires_at <= now():
        raise InvalidAmount("冻结截止时间必须晚于现在")

    def work(s: Session) -> HoldView:
        if _on_postgres(s):
            return _reserve_on_postgres(s, source, destination, amount, expires_at, reference, memo)
        states = accounts.lock(s, [source, destination])
        state = states[source]
        if not state.allow_negative and state.available < amount:
            raise InsufficientPoints(available=state.available, required=amount, account=source)
        # The unique reference settles a duplicate: no read before the insert.
        hold_id = insert_ignoring(
            s,
            _holds,
            {
                "account_id": state.id,
                "destination_id": states[destination].id,
                "amount": amount,
                "status": "pending",
                "reference": reference,
                "memo": memo,
                "expires_at": expires_at,
                "created_at": now(),
            },
            returning="id",
        ).scalar()
        if hold_id is None:
            raise DuplicateReference(reference=reference)
        state.held += amount
        postings.save(s, [state])
        return HoldView(hold_id, source, amount, "pending", expires_at)

    return atomic(session, work)


def post(session: Session, hold_id: int, *, kind: str = "redeem", memo: str = "") -> Posted:
    """Complete a pending hold: the held points move to its destination."""

    def work(s: Session) -> Posted:
        if _on_postgres(s):
            return _post_on_postgres(s, hold_id, kind, memo)
        hold, states, source, destination = _lock_pending(s, hold_id)
        if hold.expires_at <= now():
            raise HoldExpired(hold_id=hold_id, expires_at=hold.expires_at.isoformat())
        states[source].held -= hold.amount
        posted = postings.record(
            s,
            kind=kind,
            legs={source: -hold.amount, destination: hold.amount},
            memo=memo or hold.memo,
            meta={"hold_id": hold_id},
            reference=hold.reference,
            locked=states,
        )
        _resolve(s, hold_id, "posted", transaction_id=posted.transaction_id)
        return posted

    return atomic(session, work)


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _reserve_on_postgres(
    session: Session,
    source: str,
    destination: str,
    amount: int,
    expires_at: datetime,
    reference: str | None,
    memo: str,
) -> HoldView:
    """``reserve``'s work as one call of ``ledger_hold()`` (migration 0010)."""
    status, rows = postgres.hold(
        session,
        source=source,
        destination=destination,
        amount=amount,
        expires_at=expires_at,
        reference=reference,
        memo=memo,
        at=now(),
    )
    if status == "duplicate":
        raise DuplicateReference(reference=reference)
    return HoldView(rows[0][1], source, amount, "pending", expires_at)


def _post_on_postgres(session: Session, hold_id: int, kind: str, memo: str) -> Posted:
    """``post``'s work as one call of ``ledger_post_hold()``: the same checks, the same errors."""
    at = now()
    status, rows = postgres.post_hold(session, hold_id=hold_id, kind=kind, memo=memo, at=at)
    detail = rows[0][-1]
    if status == "not_found":
        raise HoldNotFound(hold_id=hold_id)
    if status == "not_pending":
        raise HoldNotPending(hold_id=hold_id, status=detail)
    if status == "expired":
        raise HoldExpired(hold_id=hold_id, expires_at=datetime.fromisoformat(detail).isoformat())
    if status == "duplicate":
        raise DuplicateReference(reference=detail)
    return postings.posted_from_rows(status, rows, kind=kind, memo=detail, at=at)


def void(session: Session, hold_id: int) -> HoldView:
    """Release a pending hold without moving points."""
    return atomic(session, lambda s: _release(s, hold_id, "voided"))


def expire(session: Session, *, at: datetime | None = None, batch: int = 100) -> int:
    """Release every pending hold past its deadline, one short transaction each; return count."""
    at = at or now()
    count = 0
    after = 0
    while True:
        c = _holds.c
        hold_ids = list(
            session.execute(
                select(c.id)
                .where(c.status == "pending", c.expires_at <= at, c.id > after)
                .order_by(c.id)
                .limit(batch)
            ).scalars()
        )
        session.rollback()
        if not hold_ids:
            return count
        for hold_id in hold_ids:
            count += atomic(session, lambda s, h=hold_id: _expire_one(s, h, at))
        after = hold_ids[-1]


def _expire_one(session: Session, hold_id: int, at: datetime) -> int:
    try:
        hold, _, _, _ = _lock_pending(session, hold_id, with_destination=False)
    except HoldNotPending:
        return 0  # posted or voided since we listed it
    if hold.expires_at > at:
        return 0
    _release(session, hold_id, "expired")
    return 1


def _release(session: Session, hold_id: int, status: str) -> HoldView:
    hold, states, source, _ = _lock_pending(session, hold_id, with_destination=False)
    states[source].held -= hold.amount
    postings.save(session, [states[source]])
    _resolve(session, hold_id, status)
    return HoldView(hold_id, source, hold.amount, status, hold.expires_at)


def _lock_pending(session: Session, hold_id: int, *, with_destination: bool = True):
    """Lock the hold, then its accounts; its status is only trusted under the lock.

    Every writer of a hold locks the hold row first and the accounts after, so they queue
    instead of deadlocking. Releasing a hold touches only its source, so the destination is
    locked only for a post.
    """
    c = _holds.c
    source_account = accounts.Account.__table__.alias("source")
    destination_account = accounts.Account.__table__.alias("destination")
    found = session.execute(
        select(
            _holds,
            source_account.c.code.label("source_code"),
            destination_account.c.code.label("destination_code"),
        )
        .join(source_account, source_account.c.id == c.account_id)
        .join(destination_account, destination_account.c.id == c.destination_id)
        .where(c.id == hold_id)
        .with_for_update(of=_holds)
    ).first()
    if found is None:
        raise HoldNotFound(hold_id=hold_id)
    hold, source, destination = found, found.source_code, found.destination_code
    if hold.status != "pending":
        raise HoldNotPending(hold_id=hold_id, status=hold.status)
    states = accounts.lock(session, [source, destination] if with_destination else [source])
    return hold, states, source, destination


def _resolve(session: Session, hold_id: int, status: str, transaction_id: int | None = None):
    session.execute(
        update(_holds)
        .where(_holds.c.id == hold_id)
        .values(status=status, resolved_at=now(), transaction_id=transaction_id)
    )
