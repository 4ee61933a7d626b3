"""Write one balanced transaction: check limits, append entries, extend chains, move lots.

``record`` is the only code that writes entries. It runs inside ``uow.atomic`` with the
accounts locked, so the balance it checks is the balance it writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.clock import now
from ledger import accounts, lots, postgres
from ledger.chain import entry_hash
from ledger.errors import (
    AlreadyReversed,
    DuplicateReference,
    InsufficientPoints,
    InvalidAmount,
    UnbalancedTransaction,
)
from ledger.models import TRANSACTION_KINDS, Entry, LedgerTransaction
from ledger.uow import in_atomic

_transactions = LedgerTransaction.__table__
_entries = Entry.__table__
_accounts = accounts.Account.__table__


@dataclass(frozen=True)
class PostedEntry:
    id: int
    account_code: str
    amount: int
    balance_after: int
    version: int
    created_at: datetime


@dataclass(frozen=True)
class Posted:
    """What a posting wrote: the transaction id and one entry per account code."""

    transaction_id: int
    kind: str
    memo: str
    entries: dict[str, PostedEntry]


def check_amount(amount: Any) -> int:
    """Return *amount* if it is a positive integer, else raise InvalidAmount."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount("积分数额必须是正整数", amount=str(amount))
    return amount


def record(
    session: Session,
    *,
    kind: str,
    legs: Mapping[str, int],
    memo: str = "",
    meta: dict | None = None,
    reference: str | None = None,
    effective_at: datetime | None = None,
    reverses_id: int | None = None,
    lot_expires_at: datetime | None = None,
    locked: Mapping[str, accounts.AccountState] | None = None,
) -> Posted:
    """Append a transaction moving ``legs`` (account code → signed amount) that sums to zero.

    Volunteer and merchant accounts may not go below their held amount. Credits to a
    volunteer open a lot expiring at *lot_expires_at*; debits consume the oldest lots.
    *locked* passes accounts the caller has already locked (holds do). On PostgreSQL the
    posting is ``ledger_post()``, which reads the accounts under its own lock, so a change
    to a locked state's held amount would not count there: ``holds.post`` uses
    ``ledger_post_hold()`` on PostgreSQL instead.
    """
    if not in_atomic(session):
        raise RuntimeError("postings.record runs inside ledger.uow.atomic")
    _check_legs(kind, legs)
    moment = now()
    transaction = {
        "kind": kind,
        "memo": memo,
        "metadata": meta or {},
        "reference": reference,
        "reverses_id": reverses_id,
        "effective_at": effective_at or moment,
        "created_at": moment,
    }
    if session.get_bind().dialect.name == "postgresql":
        return _record_on_postgres(session, transaction, legs, lot_expires_at)

    states = dict(locked or {})
    missing = [code for code in legs if code not in states]
    if missing:
        states.update(accounts.lock(session, missing))
    for code, amount in legs.items():
        state = states[code]
        if not state.allow_negative and state.available + amount < 0:
            raise InsufficientPoints(
                available=state.available, required=-amount, account=state.code
            )

    transaction_id = _insert_transaction(session, transaction)
    rows = _advance(states, legs, transaction_id, moment)
    entry_ids = list(
        session.execute(
            insert(_entries).returning(_entries.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    save(session, [states[code] for code in legs])
    for code, amount in legs.items():
        if states[code].kind != "volunteer":
            continue
        if amount > 0:
            lots.add(
                session,
                account_id=states[code].id,
                transaction_id=transaction_id,
                amount=amount,
                expires_at=lot_expires_at,
            )
        else:
            lots.consume(session, account_id=states[code].id, amount=-amount)

    code_by_id = {state.id: code for code, state in states.items()}
    entries = {}
    for entry_id, row in zip(entry_ids, rows, strict=True):
        code = code_by_id[row["account_id"]]
        entries[code] = PostedEntry(
            id=entry_id,
            account_code=code,
            amount=row["amount"],
            balance_after=row["balance_after"],
            version=row["version"],
            created_at=moment,
        )
    return Posted(transaction_id=transaction_id, kind=kind, memo=memo, entries=entries)


def _record_on_postgres(
    session: Session,
    transaction: Mapping[str, Any],
    legs: Mapping[str, int],
    lot_expires_at: datetime | None,
) -> Posted:
    """The same posting as ``record``'s, by ``ledger_post()`` on the server: one statement."""
    status, rows = postgres.post(
        session, transaction=transaction, legs=legs, lot_expires_at=lot_expires_at
    )
    if status == "duplicate":
        raise _conflict(transaction)
    return posted_from_rows(
        status,
        rows,
        kind=transaction["kind"],
        memo=transaction["memo"],
        at=transaction["created_at"],
    )


def posted_from_rows(status: str, rows, *, kind: str, memo: str, at: datetime) -> Posted:
    """Return what ``ledger_post()`` answered with status "ok" as a Posted."""
    if status != "ok":
        raise RuntimeError(f"ledger_post() answered {status!r}")
    entries = {
        code: PostedEntry(
            id=entry_id,
            account_code=code,
            amount=amount,
            balance_after=balance_after,
            version=version,
            created_at=at,
        )
        for _, _, code, entry_id, balance_after, version, amount, *_ in rows
    }
    return Posted(transaction_id=rows[0][1], kind=kind, memo=memo, entries=entries)


def _advance(
    states: Mapping[str, accounts.AccountState],
    legs: Mapping[str, int],
    transaction_id: int,
    moment: datetime,
) -> list[dict]:
    """Apply the legs to the locked states and return the entry rows, chain hashes included."""
    rows = []
    for code in sorted(legs, key=lambda code: states[code].id):
        state, amount = states[code], legs[code]
        state.balance += amount
        state.version += 1
        state.head_hash = entry_hash(
            state.head_hash,
            account_id=state.id,
            version=state.version,
            transaction_id=transaction_id,
            amount=amount,
            balance_after=state.balance,
        )
        rows.append(
            {
                "transaction_id": transaction_id,
                "account_id": state.id,
                "amount": amount,
                "balance_after": state.balance,
                "version": state.version,
                "hash": state.head_hash,
                "created_at": moment,
            }
        )
    return rows


def save(session: Session, states: Sequence[accounts.AccountState]) -> None:
    """Write the cached balance, held amount, version and chain head of locked accounts."""
    c = _accounts.c
    session.execute(
        update(_accounts)
        .where(c.id == bindparam("account_id"))
        .values(
            balance=bindparam("new_balance"),
            held=bindparam("new_held"),
            version=bindparam("new_version"),
            head_hash=bindparam("new_head_hash"),
        ),
        [
            {
                "account_id": s.id,
                "new_balance": s.balance,
                "new_held": s.held,
                "new_version": s.version,
                "new_head_hash": s.head_hash,
            }
            for s in states
        ],
    )


def _check_legs(kind: str, legs: Mapping[str, int]) -> None:
    if kind not in TRANSACTION_KINDS:
        raise ValueError(f"unknown transaction kind {kind!r}")
    if len(legs) < 2:
        raise UnbalancedTransaction("一笔交易至少需要两个账户")
    for amount in legs.values():
        if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
            raise InvalidAmount("分录金额必须是非零整数", amount=str(amount))
    if sum(legs.values()) != 0:
        raise UnbalancedTransaction(total=sum(legs.values()))


def _insert_transaction(session: Session, transaction: Mapping[str, Any]) -> int:
    """Insert the transaction row; a used reference or an already reversed one is refused.

    ON CONFLICT DO NOTHING turns a racing duplicate into "no row" without aborting the
    transaction, so the caller gets a named error rather than an IntegrityError.
    """
    statement = sqlite_insert(_transactions).values(**transaction).on_conflict_do_nothing()
    transaction_id = session.execute(statement.returning(_transactions.c.id)).scalar()
    if transaction_id is None:
        raise _conflict(transaction)
    return transaction_id


def _conflict(transaction: Mapping[str, Any]) -> Exception:
    if transaction["reverses_id"] is not None:
        return AlreadyReversed(transaction_id=transaction["reverses_id"])
    return DuplicateReference(reference=transaction["reference"])
