"""Audit the whole ledger from its entries: balances, zero sums, versions, holds, lots, chains."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.chain import GENESIS, entry_hash
from ledger.models import Account, Entry, Hold, LedgerTransaction, Lot
from ledger.uow import snapshot

# Report at most this many problems of one kind: a broken ledger should not print a novel.
MAX_PER_CHECK = 20


@dataclass
class Report:
    accounts: int = 0
    transactions: int = 0
    entries: int = 0
    root: str = ""
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, check: str, message: str) -> None:
        found = self.problems.setdefault(check, [])
        if len(found) < MAX_PER_CHECK:
            found.append(message)
        elif len(found) == MAX_PER_CHECK:
            found.append("…more")

    def render(self) -> str:
        lines = [
            f"accounts {self.accounts}, transactions {self.transactions}, entries {self.entries}",
            f"root {self.root}",
        ]
        for check in CHECKS:
            found = self.problems.get(check)
            lines.append(f"[{'FAIL' if found else ' ok '}] {check}")
            lines.extend(f"       {message}" for message in found or [])
        lines.append("ledger OK" if self.ok else "LEDGER INCONSISTENT")
        return "\n".join(lines)


CHECKS = (
    "zero sum per transaction",
    "balances equal the sum of entries",
    "versions contiguous",
    "running balances and hash chain",
    "held equals open holds",
    "no negative available balance",
    "lots sum to volunteer balances",
    "all accounts sum to zero",
)


def verify(session: Session) -> Report:
    """Recompute everything the ledger caches and report every disagreement."""
    report = Report()
    with snapshot(session) as s:
        _check_transactions(s, report)
        accounts = {a.id: a for a in s.scalars(select(Account).order_by(Account.id))}
        report.accounts = len(accounts)
        _check_balances_and_versions(s, report, accounts)
        _check_chains(s, report, accounts)
        _check_holds(s, report, accounts)
        _check_lots(s, report, accounts)
        total = sum(a.balance for a in accounts.values())
        if total != 0:
            report.fail("all accounts sum to zero", f"the accounts sum to {total}")
        # One digest of every account's chain head: write it down somewhere else (a daily
        # log, a notary) and a later rewrite of history cannot reproduce it.
        heads = "\n".join(f"{a.id}:{a.version}:{a.head_hash}" for a in accounts.values())
        report.root = hashlib.sha256(heads.encode()).hexdigest()
        s.expunge_all()
    return report


def _check_transactions(s: Session, report: Report) -> None:
    report.transactions = s.execute(select(func.count(LedgerTransaction.id))).scalar_one()
    sums = (
        select(
            LedgerTransaction.id,
            func.coalesce(func.sum(Entry.amount), 0).label("total"),
            func.count(Entry.id).label("legs"),
        )
        .outerjoin(Entry, Entry.transaction_id == LedgerTransaction.id)
        .group_by(LedgerTransaction.id)
    ).subquery()
    bad = s.execute(
        select(sums).where((sums.c.total != 0) | (sums.c.legs < 2)).order_by(sums.c.id)
    ).all()
    for transaction_id, total, legs in bad:
        report.fail(
            "zero sum per transaction",
            f"transaction {transaction_id}: {legs} entries summing to {total}",
        )
    orphans = s.execute(
        select(Entry.id)
        .outerjoin(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .where(LedgerTransaction.id.is_(None))
    ).scalars()
    for entry_id in orphans:
        report.fail("zero sum per transaction", f"entry {entry_id} has no transaction")


def _check_balances_and_versions(s: Session, report: Report, accounts: dict) -> None:
    rows = s.execute(
        select(
            Entry.account_id,
            func.sum(Entry.amount),
            func.count(Entry.id),
            func.min(Entry.version),
            func.max(Entry.version),
        ).group_by(Entry.account_id)
    ).all()
    seen = set()
    for account_id, total, count, low, high in rows:
        seen.add(account_id)
        report.entries += count
        account = accounts.get(account_id)
        if account is None:
            report.fail("balances equal the sum of entries", f"entries on unknown {account_id}")
            continue
        if total != account.balance:
            report.fail(
                "balances equal the sum of entries",
                f"{account.code}: cached {account.balance}, entries sum to {total}",
            )
        if not (low == 1 and high == count == account.version):
            report.fail(
                "versions contiguous",
                f"{account.code}: versions {low}..{high} in {count} entries, "
                f"account at version {account.version}",
            )
    for account in accounts.values():
        if account.id not in seen and (account.balance or account.version):
            report.fail(
                "balances equal the sum of entries",
                f"{account.code}: cached {account.balance} at version {account.version}, "
                "no entries",
            )


def _check_chains(s: Session, report: Report, accounts: dict) -> None:
    """Walk every account's entries in version order, re-deriving running balance and hash."""
    current, running, prev = None, 0, GENESIS

    def close(account_id) -> None:
        account = accounts.get(account_id)
        if account is not None and account.head_hash != prev:
            report.fail(
                "running balances and hash chain",
                f"{account.code}: chain head {account.head_hash[:12]}… but entries end "
                f"at {prev[:12]}…",
            )

    rows = s.execute(
        select(
            Entry.id,
            Entry.account_id,
            Entry.version,
            Entry.transaction_id,
            Entry.amount,
            Entry.balance_after,
            Entry.hash,
        )
        .order_by(Entry.account_id, Entry.version)
        .execution_options(yield_per=5000)
    )
    for row in rows:
        if row.account_id != current:
            if current is not None:
                close(current)
            current, running, prev = row.account_id, 0, GENESIS
        running += row.amount
        code = accounts[row.account_id].code if row.account_id in accounts else row.account_id
        if row.balance_after != running:
            report.fail(
                "running balances and hash chain",
                f"{code} v{row.version} (entry {row.id}): balance_after {row.balance_after}, "
                f"running sum {running}",
            )
        expected = entry_hash(
            prev,
            account_id=row.account_id,
            version=row.version,
            transaction_id=row.transaction_id,
            amount=row.amount,
            balance_after=row.balance_after,
        )
        if row.hash != expected:
            report.fail(
                "running balances and hash chain",
                f"{code} v{row.version} (entry {row.id}): hash does not link to the entry "
                "before it",
            )
        prev = row.hash
    if current is not None:
        close(current)


def _check_holds(s: Session, report: Report, accounts: dict) -> None:
    open_holds = dict(
        s.execute(
            select(Hold.account_id, func.sum(Hold.amount))
            .where(Hold.status == "pending")
            .group_by(Hold.account_id)
        ).all()
    )
    for account in accounts.values():
        expected = int(open_holds.get(account.id, 0))
        if account.held != expected:
            report.fail(
                "held equals open holds",
                f"{account.code}: held {account.held}, open holds {expected}",
            )
        if not account.allow_negative and account.balance - account.held < 0:
            report.fail(
                "no negative available balance",
                f"{account.code}: balance {account.balance}, held {account.held}",
            )


def _check_lots(s: Session, report: Report, accounts: dict) -> None:
    remaining = dict(
        s.execute(select(Lot.account_id, func.sum(Lot.remaining)).group_by(Lot.account_id)).all()
    )
    for account in accounts.values():
        if account.kind != "volunteer":
            continue
        in_lots = int(remaining.get(account.id, 0))
        if in_lots != account.balance:
            report.fail(
                "lots sum to volunteer balances",
                f"{account.code}: balance {account.balance}, lots hold {in_lots}",
            )
