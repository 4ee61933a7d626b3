"""Use cases that move points. Each one commits exactly once, through ``uow.atomic``.

Called inside another ``atomic`` (an idempotent request, a rewards use case writing its own
rows), they join that transaction instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from ledger import accounts, lots, postings
from ledger.errors import AlreadyReversed, InvalidAmount, TransactionNotFound
from ledger.models import Entry, LedgerTransaction
from ledger.postings import Posted, check_amount
from ledger.uow import atomic


def earn(
    session: Session,
    volunteer_id: int,
    amount: int,
    *,
    reference: str | None = None,
    memo: str = "",
    meta: dict | None = None,
    expires_at: datetime | None = None,
    effective_at: datetime | None = None,
) -> Posted:
    """Mint *amount* points to a volunteer (one mint per *reference*), expiring at *expires_at*."""
    check_amount(amount)
    legs = {
        accounts.issuance_code_for(volunteer_id): -amount,
        accounts.volunteer_code(volunteer_id): amount,
    }
    return atomic(
        session,
        lambda s: postings.record(
            s,
            kind="earn",
            legs=legs,
            memo=memo,
            meta=meta,
            reference=reference,
            lot_expires_at=expires_at,
            effective_at=effective_at,
        ),
    )


def adjust(
    session: Session,
    volunteer_id: int,
    amount: int,
    *,
    reason: str,
    meta: dict | None = None,
    reference: str | None = None,
    expires_at: datetime | None = None,
) -> Posted:
    """Correct a volunteer's balance by *amount* (either sign) against the corrections account."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise InvalidAmount("调整数额必须是非零整数", amount=str(amount))
    if not reason or not reason.strip():
        raise InvalidAmount("调整必须填写原因")
    legs = {
        accounts.system_code(accounts.CORRECTIONS): -amount,
        accounts.volunteer_code(volunteer_id): amount,
    }
    return atomic(
        session,
        lambda s: postings.record(
            s,
            kind="adjustment",
            legs=legs,
            memo=reason.strip(),
            meta=meta,
            reference=reference,
            lot_expires_at=expires_at,
        ),
    )


def transfer(
    session: Session,
    source: str,
    destination: str,
    amount: int,
    *,
    kind: str = "transfer",
    memo: str = "",
    meta: dict | None = None,
    reference: str | None = None,
    expires_at: datetime | None = None,
) -> Posted:
    """Move *amount* from the account coded *source* to *destination* in one step."""
    check_amount(amount)
    if source == destination:
        raise InvalidAmount("不能转给同一账户")
    legs = {source: -amount, destination: amount}
    return atomic(
        session,
        lambda s: postings.record(
            s,
            kind=kind,
            legs=legs,
            memo=memo,
            meta=meta,
            reference=reference,
            lot_expires_at=expires_at,
        ),
    )


def redeem(
    session: Session,
    volunteer_id: int,
    merchant_id: int,
    amount: int,
    *,
    reference: str | None = None,
    memo: str = "",
) -> Posted:
    """Pay a merchant *amount* points at once (the two-phase way is ``holds``)."""
    return transfer(
        session,
        accounts.volunteer_code(volunteer_id),
        accounts.merchant_code(merchant_id),
        amount,
        kind="redeem",
        memo=memo,
        reference=reference,
    )


def reverse(
    session: Session,
    transaction_id: int,
    *,
    memo: str = "",
    meta: dict | None = None,
    expires_at: datetime | None = None,
) -> Posted:
    """Compensate a whole transaction with its mirror image (at most once).

    Points returned to a volunteer open a new lot expiring at *expires_at* (None: never).
    """

    def work(s: Session) -> Posted:
        original = s.get(LedgerTransaction, transaction_id)
        if original is None:
            raise TransactionNotFound(transaction_id=transaction_id)
        # Say "already reversed" rather than "insufficient points" on a second attempt; the
        # unique reverses_id still settles a race between two first attempts.
        if s.execute(
            select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction_id)
        ).first():
            raise AlreadyReversed(transaction_id=transaction_id)
        codes = dict(
            s.execute(
                select(accounts.Account.code, Entry.amount)
                .join(accounts.Account, accounts.Account.id == Entry.account_id)
                .where(Entry.transaction_id == transaction_id)
            ).all()
        )
        return postings.record(
            s,
            kind="reversal",
            legs={code: -amount for code, amount in codes.items()},
            memo=memo or f"冲正交易 {transaction_id}",
            meta={"reverses_kind": original.kind, **(meta or {})},
            reverses_id=transaction_id,
            lot_expires_at=expires_at,
        )

    return atomic(session, work)


def expire_points(
    session: Session,
    *,
    at: datetime | None = None,
    batch: int = 100,
    on_expired: Callable[[Session, int, int], None] | None = None,
) -> int:
    """Move every lot past its date to the expired account, one short transaction per volunteer.

    Held points are not taken: a pending hold keeps its lots until it is posted or released.
    *on_expired(session, account_id, amount)* runs inside each account's transaction, so a
    caller that knows more than the ledger (a volunteer's region) can count it atomically.
    Returns the number of points expired.
    """
    at = at or now()
    total = 0
    after = 0
    while True:
        account_ids = lots.accounts_with_expired(session, at=at, after=after, limit=batch)
        session.rollback()
        if not account_ids:
            return total
        for account_id in account_ids:
            total += atomic(session, lambda s, a=account_id: _expire_account(s, a, at, on_expired))
        after = account_ids[-1]


def _expire_account(session: Session, account_id: int, at: datetime, on_expired=None) -> int:
    code = session.execute(
        select(accounts.Account.code).where(accounts.Account.id == account_id)
    ).scalar_one()
    expired_code = accounts.system_code(accounts.EXPIRED)
    states = accounts.lock(session, [code, expired_code])
    amount = min(lots.expired_amount(session, account_id=account_id, at=at), states[code].available)
    if amount <= 0:
        return 0
    postings.record(
        session,
        kind="expire",
        legs={code: -amount, expired_code: amount},
        memo="积分过期",
        meta={"expired_at": at.isoformat()},
        locked=states,
    )
    if on_expired is not None:
        on_expired(session, account_id, amount)
    return amount
