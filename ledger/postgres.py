"""The PostgreSQL write path: a posting in one statement, an idempotency claim in one round trip.

``postings.record`` is the reference implementation (it writes on SQLite); on PostgreSQL the
same posting is one call of ``ledger_post()`` (migration 0010), which locks, checks, appends
and extends the chains on the server. This module talks to the session's own psycopg
connection, inside the session's transaction, so it commits or rolls back with everything
else. Why not SQLAlchemy statements here: a posting is CPU-bound in the client, and building
a statement costs more than the database work (docs/benchmarks.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from ledger import accounts, uow
from ledger.errors import InsufficientPoints

_POST = """
SELECT r_status, r_transaction_id, r_code, r_entry_id, r_balance_after, r_version, r_amount
FROM ledger_post(%(kind)s, %(memo)s, %(metadata)s::json, %(reference)s, %(reverses_id)s,
                 %(effective_at)s, %(created_at)s, %(codes)s::text[], %(amounts)s::bigint[],
                 NULL, %(lot_expires_at)s)
"""
_HOLD = """
SELECT r_status, r_hold_id, r_code
FROM ledger_hold(%(source)s, %(destination)s, %(amount)s, %(expires_at)s, %(reference)s,
                 %(memo)s, %(at)s)
"""
_POST_HOLD = """
SELECT r_status, r_transaction_id, r_code, r_entry_id, r_balance_after, r_version, r_amount,
       r_detail
FROM ledger_post_hold(%(hold_id)s, %(kind)s, %(memo)s, %(at)s)
"""

# ledger_post()'s SQLSTATE for an account that cannot afford its leg.
_INSUFFICIENT = "LP001"

_CLAIM = """
SELECT r_taken, r_request_hash, r_status, r_body
FROM ledger_claim(%(lock_key)s, %(scope)s, %(key)s)
"""
_STORE_KEY = """
INSERT INTO ledger_idempotency_keys
    (scope, key, request_hash, response_status, response_body, created_at)
VALUES (%(scope)s, %(key)s, %(hash)s, %(status)s, %(body)s::json, %(at)s)
"""


def array_literal(values: Iterable[int | str]) -> str:
    """Return *values* as a PostgreSQL array literal, for a ``%(x)s::type[]`` parameter.

    psycopg inspects every element of a list to choose its dumper; one ``str`` parameter
    costs a fraction of that (docs/benchmarks.md).
    """
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value: int | str) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(int(value))


def _driver(session: Session):
    """Return the psycopg connection under the session's current transaction."""
    return uow.driver_connection(session)


def post(
    session: Session,
    *,
    transaction: Mapping[str, Any],
    legs: Mapping[str, int],
    lot_expires_at: datetime | None,
) -> tuple[str, list[tuple]]:
    """Call ``ledger_post()`` (migration 0010); return its status and its rows.

    Accounts are opened on their first posting. An account that cannot afford its leg raises
    InsufficientPoints (the call wrote nothing).
    """
    codes = accounts.lock_order(legs)
    params = {
        **transaction,
        "metadata": json.dumps(transaction["metadata"], ensure_ascii=False),
        "codes": array_literal(codes),
        "amounts": array_literal(legs[code] for code in codes),
        "lot_expires_at": lot_expires_at,
    }
    rows = fetch(session, _POST, params)
    return rows[0][0], rows


def hold(
    session: Session,
    *,
    source: str,
    destination: str,
    amount: int,
    expires_at: datetime,
    reference: str | None,
    memo: str,
    at: datetime,
) -> tuple[str, list[tuple]]:
    """Call ``ledger_hold()``: hold *amount* of *source* for *destination*; status and rows."""
    params = {
        "source": source,
        "destination": destination,
        "amount": amount,
        "expires_at": expires_at,
        "reference": reference,
        "memo": memo,
        "at": at,
    }
    rows = fetch(session, _HOLD, params)
    return rows[0][0], rows


def post_hold(
    session: Session, *, hold_id: int, kind: str, memo: str, at: datetime
) -> tuple[str, list[tuple]]:
    """Call ``ledger_post_hold()``: pay a pending hold to its destination; status and rows."""
    params = {"hold_id": hold_id, "kind": kind, "memo": memo, "at": at}
    rows = fetch(session, _POST_HOLD, params)
    return rows[0][0], rows


def fetch(session: Session, statement: str, params: Mapping[str, Any]) -> list[tuple]:
    """Run *statement* on the session's connection and return its rows.

    The ledger functions' "cannot afford" error (SQLSTATE LP001: detail "available,required",
    hint the account code) becomes InsufficientPoints; the call has then written nothing.
    """
    try:
        return _driver(session).execute(statement, params).fetchall()
    except psycopg.Error as error:
        if error.sqlstate != _INSUFFICIENT:
            raise
        available, required = map(int, error.diag.message_detail.split(","))
        raise InsufficientPoints(
            available=available, required=required, account=error.diag.message_hint
        ) from None


def claim(session: Session, *, lock_key: int, scope: str, key: str):
    """Try the key's advisory lock, then read any stored response (``ledger_claim()``).

    Returns None when the lock is taken by a running copy, else the stored row or ().
    """
    taken, *row = (
        _driver(session)
        .execute(_CLAIM, {"lock_key": lock_key, "scope": scope, "key": key})
        .fetchone()
    )
    if not taken:
        return None
    return tuple(row) if row[0] is not None else ()


def store_key(
    session: Session, *, scope: str, key: str, request_hash: str, status: int, body, at
) -> None:
    _driver(session).execute(
        _STORE_KEY,
        {
            "scope": scope,
            "key": key,
            "hash": request_hash,
            "status": status,
            "body": json.dumps(body, ensure_ascii=False),
            "at": at,
        },
    )
