"""Reads: a volunteer's balance and history, and the issuer's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from ledger import accounts
from ledger.models import Account, Entry, LedgerTransaction


@dataclass(frozen=True)
class Balance:
    balance: int
    held: int

    @property
    def available(self) -> int:
        return self.balance - self.held


@dataclass(frozen=True)
class HistoryItem:
    id: int
    version: int
    amount: int
    kind: str
    memo: str
    balance_after: int
    created_at: datetime
    transaction_id: int


def balance_of(session: Session, code: str) -> Balance:
    """Return the cached balance of the account coded *code*: one indexed row, any history."""
    row = session.execute(select(Account.balance, Account.held).where(Account.code == code)).first()
    return Balance(0, 0) if row is None else Balance(row.balance, row.held)


def volunteer_balance(session: Session, volunteer_id: int) -> Balance:
    return balance_of(session, accounts.volunteer_code(volunteer_id))


def history(
    session: Session, code: str, *, limit: int, before_version: int | None = None
) -> list[HistoryItem]:
    """Return up to *limit* entries of an account, newest first, older than *before_version*."""
    query = (
        select(
            Entry.id,
            Entry.version,
            Entry.amount,
            LedgerTransaction.kind,
            LedgerTransaction.memo,
            Entry.balance_after,
            Entry.created_at,
            Entry.transaction_id,
        )
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        # The account id as a scalar subquery lets the planner walk (account_id, version)
        # backwards from the newest entry, however long the history.
        .where(Entry.account_id == select(Account.id).where(Account.code == code).scalar_subquery())
        .order_by(Entry.version.desc())
        .limit(limit)
    )
    if before_version is not None:
        query = query.where(Entry.version < before_version)
    return [HistoryItem(**row._mapping) for row in session.execute(query)]


@dataclass(frozen=True)
class Summary:
    issued: int
    adjusted: int
    redeemed: int
    expired: int
    held: int
    outstanding: int
    sum_of_all_accounts: int


def summary(session: Session, volunteer_ids: Select | None = None) -> Summary:
    """Return the issuer's totals; with *volunteer_ids* (a select of ids), only theirs.

    Every figure is net of reversals. The whole-ledger figures come from cached balances;
    a scoped one sums those volunteers' entries by counterparty, which scans their history
    (dashboards at scale should read rollups instead).
    """
    total = session.execute(select(func.coalesce(func.sum(Account.balance), 0))).scalar_one()
    if volunteer_ids is None:
        by_kind = _balances_by_role(session)
        held = session.execute(
            select(func.coalesce(func.sum(Account.held), 0)).where(Account.kind == "volunteer")
        ).scalar_one()
        return Summary(
            issued=-by_kind.get("issuance", 0),
            adjusted=-by_kind.get("corrections", 0),
            redeemed=by_kind.get("merchant", 0),
            expired=by_kind.get("expired", 0),
            held=int(held),
            outstanding=by_kind.get("volunteer", 0),
            sum_of_all_accounts=int(total),
        )
    mine = select(Account.id).where(Account.volunteer_id.in_(volunteer_ids))
    held, outstanding = session.execute(
        select(
            func.coalesce(func.sum(Account.held), 0), func.coalesce(func.sum(Account.balance), 0)
        ).where(Account.id.in_(mine))
    ).one()
    flows = _volunteer_flows_by_counterparty(session, mine)
    return Summary(
        issued=flows.get("issuance", 0),
        adjusted=flows.get("corrections", 0),
        redeemed=-flows.get("merchant", 0),
        expired=-flows.get("expired", 0),
        held=int(held),
        outstanding=int(outstanding),
        sum_of_all_accounts=int(total),
    )


def _role(code: str, kind: str) -> str:
    return code.split(":")[1] if kind == "system" else kind


def _balances_by_role(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Account.code, Account.kind, Account.balance).where(Account.kind == "system")
    ).all()
    result: dict[str, int] = {}
    for code, kind, balance in rows:
        result[_role(code, kind)] = result.get(_role(code, kind), 0) + balance
    for kind, balance in session.execute(
        select(Account.kind, func.sum(Account.balance))
        .where(Account.kind != "system")
        .group_by(Account.kind)
    ):
        result[kind] = int(balance)
    return result


def _volunteer_flows_by_counterparty(session: Session, mine: Select) -> dict[str, int]:
    """Sum the volunteers' entries by the kind of account on the other side."""
    other = aliased(Entry)
    other_account = aliased(Account)
    rows = session.execute(
        select(other_account.code, other_account.kind, func.sum(Entry.amount))
        .join(other, (other.transaction_id == Entry.transaction_id) & (other.id != Entry.id))
        .join(other_account, other_account.id == other.account_id)
        .where(Entry.account_id.in_(mine), other_account.id.not_in(mine))
        .group_by(other_account.code, other_account.kind)
    ).all()
    result: dict[str, int] = {}
    for code, kind, amount in rows:
        result[_role(code, kind)] = result.get(_role(code, kind), 0) + int(amount)
    return result
