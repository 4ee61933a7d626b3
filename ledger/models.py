"""Accounts, transactions, entries, holds, lots and idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId

ACCOUNT_KINDS = ("volunteer", "merchant", "system")
TRANSACTION_KINDS = ("earn", "redeem", "expire", "reversal", "adjustment", "transfer")
HOLD_STATUSES = ("pending", "posted", "voided", "expired")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Account(Base):
    """Where points live. The cached balance, held amount, version and chain head move together.

    ``version`` counts the account's entries; ``head_hash`` is the hash of its newest entry.
    Only system accounts may go negative (issuance is minus everything ever issued).
    """

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ACCOUNT_KINDS), name="known_kind"),
        CheckConstraint("held >= 0", name="held_not_negative"),
        CheckConstraint("version >= 0", name="version_not_negative"),
        # The last line of defence behind InsufficientPoints: no code path may overdraw.
        CheckConstraint("allow_negative OR balance - held >= 0", name="available_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Stable natural key: "volunteer:42", "merchant:7", "system:issuance:0" (name:shard).
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    volunteer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("volunteers.id"), unique=True
    )
    allow_negative: Mapped[bool] = mapped_column(default=False)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    @property
    def available(self) -> int:
        return self.balance - self.held

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.code} balance={self.balance} held={self.held}>"


class LedgerTransaction(Base):
    """A set of entries that sum to zero, written at once and never changed."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (CheckConstraint(_one_of("kind", TRANSACTION_KINDS), name="known_kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    memo: Mapped[str] = mapped_column(String(255), default="")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    # A permanent business reference ("session:42", "redemption:7"): one mint per session.
    reference: Mapped[str | None] = mapped_column(String(128), unique=True)
    # A transaction is reversed at most once, by exactly one compensating transaction.
    reverses_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ledger_transactions.id"), unique=True
    )
    effective_at: Mapped[datetime]
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<LedgerTransaction {self.id} {self.kind}>"


class Entry(Base):
    """One leg of a transaction: the account's running balance, version and chain hash after it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("account_id", "version"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ledger_transactions.id"), index=True
    )
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(BigInteger)
    # sha256(previous entry's hash | this entry's fields): see ledger.chain.
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<Entry {self.id} account={self.account_id} v{self.version} {self.amount:+d}>"


class Hold(Base):
    """Points reserved on an account until posted, voided or expired (two-phase transfer)."""

    __tablename__ = "ledger_holds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_one_of("status", HOLD_STATUSES), name="known_status"),
        Index("ix_ledger_holds_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id"), index=True)
    destination_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reference: Mapped[str | None] = mapped_column(String(128), unique=True)
    memo: Mapped[str] = mapped_column(String(255), default="")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    transaction_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_transactions.id"))

    def __repr__(self) -> str:
        return f"<Hold {self.id} {self.status} {self.amount}>"


class Lot(Base):
    """A dated batch of points credited to a volunteer; debits consume the oldest first.

    For every volunteer account, the lots' ``remaining`` sum to the balance.
    """

    __tablename__ = "ledger_lots"
    __table_args__ = (
        CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining_in_range"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_ledger_lots_account_id_expires_at", "account_id", "expires_at"),
        Index("ix_ledger_lots_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id"))
    transaction_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_transactions.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<Lot {self.id} {self.remaining}/{self.amount} until {self.expires_at}>"


class IdempotencyKey(Base):
    """A client's Idempotency-Key, claimed in the same transaction as the write it guards."""

    __tablename__ = "ledger_idempotency_keys"
    __table_args__ = (Index("ix_ledger_idempotency_keys_created_at", "created_at"),)

    # The natural key is the primary key: a claim is one index probe and a store one insert
    # into it. The scope says who may reuse the key ("volunteer:42", "staff:3"); keys of
    # different callers never meet.
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.scope} {self.key!r}>"
