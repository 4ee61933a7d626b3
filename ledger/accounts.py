"""Account codes, creation on first use, and locking in a fixed order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.clock import now
from ledger.chain import GENESIS
from ledger.models import Account

ISSUANCE = "issuance"
EXPIRED = "expired"
CORRECTIONS = "corrections"
SYSTEM_NAMES = (ISSUANCE, EXPIRED, CORRECTIONS)

# Earning touches the volunteer's account and one issuance shard, so earns of different
# volunteers do not queue on one hot row (and a distributed database can co-locate them).
ISSUANCE_SHARDS = 16

_accounts = Account.__table__


def volunteer_code(volunteer_id: int) -> str:
    return f"volunteer:{int(volunteer_id)}"


def merchant_code(merchant_id: int) -> str:
    return f"merchant:{int(merchant_id)}"


def system_code(name: str, shard: int = 0) -> str:
    if name not in SYSTEM_NAMES:
        raise ValueError(f"unknown system account {name!r}")
    return f"system:{name}:{int(shard)}"


def issuance_code_for(volunteer_id: int) -> str:
    return system_code(ISSUANCE, int(volunteer_id) % ISSUANCE_SHARDS)


@dataclass
class AccountState:
    """An account row as locked for a write; the posting updates it in memory, then saves it."""

    id: int
    code: str
    kind: str
    allow_negative: bool
    balance: int
    held: int
    version: int
    head_hash: str

    @property
    def available(self) -> int:
        return self.balance - self.held


def _parse(code: str) -> dict:
    kind, _, rest = code.partition(":")
    if kind == "volunteer":
        return {"kind": kind, "volunteer_id": int(rest), "allow_negative": False}
    if kind == "merchant":
        int(rest)
        return {"kind": kind, "volunteer_id": None, "allow_negative": False}
    if kind == "system":
        name, _, shard = rest.partition(":")
        system_code(name, int(shard))
        return {"kind": kind, "volunteer_id": None, "allow_negative": True}
    raise ValueError(f"not an account code: {code!r}")


def create_missing(session: Session, codes: Iterable[str]) -> None:
    """Create the accounts among *codes* that do not exist yet; racing creators both succeed."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for code in sorted(set(codes)):
        values = {
            "code": code,
            "balance": 0,
            "held": 0,
            "version": 0,
            "head_hash": GENESIS,
            "created_at": now(),
            **_parse(code),
        }
        session.execute(insert(_accounts).values(values).on_conflict_do_nothing())


def lock(session: Session, codes: Iterable[str]) -> dict[str, AccountState]:
    """Lock the accounts with *codes* (creating missing ones) in code order and return them.

    One fixed order for every writer (``lock_order``, which ``ledger_post()`` follows too)
    means two transfers in opposite directions wait for each other instead of deadlocking.
    On SQLite the whole database is already write-locked.
    """
    wanted = lock_order(codes)
    states = _select_for_update(session, wanted)
    if len(states) < len(wanted):
        create_missing(session, [code for code in wanted if code not in states])
        states = _select_for_update(session, wanted)
    return states


def lock_order(codes: Iterable[str]) -> list[str]:
    """Return *codes* in the order every writer locks accounts: by code, byte by byte."""
    return sorted(set(codes))


def _select_for_update(session: Session, codes: list[str]) -> dict[str, AccountState]:
    c = _accounts.c
    # COLLATE "C" orders as Python's sorted() does, whatever the database's own collation.
    order = c.code.collate("C") if session.get_bind().dialect.name == "postgresql" else c.code
    rows = session.execute(
        select(c.id, c.code, c.kind, c.allow_negative, c.balance, c.held, c.version, c.head_hash)
        .where(c.code.in_(codes))
        .order_by(order)
        .with_for_update()
    ).all()
    return {row.code: AccountState(**row._mapping) for row in rows}


def find(session: Session, code: str) -> Account | None:
    """Return the account with *code* without locking it, or None."""
    return session.scalars(select(Account).where(Account.code == code)).one_or_none()
