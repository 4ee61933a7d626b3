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

from sqlalchemy.orm import Session

_POST = """
SELECT r_status, r_transaction_id, r_code, r_entry_id, r_balance_after, r_version, r_available
FROM ledger_post(%(kind)s, %(memo)s, %(metadata)s::json, %(reference)s, %(reverses_id)s,
                 %(effective_at)s, %(created_at)s, %(codes)s::text[], %(amounts)s::bigint[],
                 %(helds)s::bigint[], %(lot_expires_at)s)
"""

_CLAIM_LOCK = "SELECT pg_try_advisory_xact_lock(%(lock_key)s)"
_CLAIM_READ = """
SELECT request_hash, response_status, response_body
FROM ledger_idempotency_keys WHERE scope = %(scope)s AND key = %(key)s
"""
_STORE_KEY = """
INSERT INTO ledger_idempotency_keys
    (scope, key, request_hash, response_status, response_body, created_at)
VALUES (%(scope)s, %(key)s, %(hash)s, %(status)s, %(body)s::json, %(at)s)
"""


def _array(values: Iterable[int | str | None]) -> str:
    """Return *values* as a PostgreSQL array literal, for a ``%(x)s::type[]`` parameter.

    psycopg inspects every element of a list to choose its dumper; one ``str`` parameter
    costs a fraction of that (docs/benchmarks.md).
    """
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value: int | str | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(int(value))


def _driver(session: Session):
    """Return the psycopg connection under the session's current transaction."""
    return session.connection().connection.driver_connection


def post(
    session: Session,
    *,
    transaction: Mapping[str, Any],
    legs: Mapping[str, int],
    helds: Mapping[str, int],
    lot_expires_at: datetime | None,
) -> tuple[str, list[tuple]]:
    """Call ``ledger_post()`` (migration 0010); return its status and its rows.

    *helds* gives the held amount after the posting for accounts whose holds it settles.
    """
    codes = list(legs)
    rows = (
        _driver(session)
        .execute(
            _POST,
            {
                **transaction,
                "metadata": json.dumps(transaction["metadata"], ensure_ascii=False),
                "codes": _array(codes),
                "amounts": _array(legs[code] for code in codes),
                "helds": _array(helds.get(code) for code in codes),
                "lot_expires_at": lot_expires_at,
            },
        )
        .fetchall()
    )
    return rows[0][0], rows


def claim(session: Session, *, lock_key: int, scope: str, key: str):
    """Try the key's advisory lock, then read any stored response: one round trip.

    Returns None when the lock is taken by a running copy, else the stored row or ().
    """
    conn = _driver(session)
    with conn.pipeline():
        locked = conn.cursor()
        locked.execute(_CLAIM_LOCK, {"lock_key": lock_key})
        # Runs after the lock is granted, with its own snapshot: a copy that committed
        # before we took the lock is seen here.
        found = conn.cursor()
        found.execute(_CLAIM_READ, {"scope": scope, "key": key})
        taken = locked.fetchone()[0]
        row = found.fetchone()
    if not taken:
        return None
    return row or ()


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
