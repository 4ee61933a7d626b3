"""The PostgreSQL write path: the same posting as the portable one, in three round trips.

``postings.record`` decides everything (limits, versions, chain hashes) the same way on every
database; on PostgreSQL this module stores the result. It talks to the session's own psycopg
connection, inside the session's transaction, so it commits or rolls back with everything
else. Why not SQLAlchemy statements here: a posting is CPU-bound in the client, and building
and caching a dozen statements costs more than the database work (docs/benchmarks.md).

1. lock the accounts in id order and reserve the transaction id (one statement);
2. insert the transaction, entries and lots and save the accounts (one pipeline);
3. the commit, by ``uow.atomic``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ledger.accounts import AccountState

_LOCK = """
WITH reserved AS MATERIALIZED (SELECT nextval('ledger_transactions_id_seq') AS id)
SELECT a.id, a.code, a.kind, a.allow_negative, a.balance, a.held, a.version, a.head_hash,
       reserved.id
FROM ledger_accounts a CROSS JOIN reserved
WHERE a.code = ANY(%(codes)s::text[])
ORDER BY a.id
FOR UPDATE OF a
"""

_NEXT_ID = "SELECT nextval('ledger_transactions_id_seq')"

_INSERT_TRANSACTION = """
INSERT INTO ledger_transactions
    (id, kind, memo, metadata, reference, reverses_id, effective_at, created_at)
VALUES (%(id)s, %(kind)s, %(memo)s, %(metadata)s::json, %(reference)s, %(reverses_id)s,
        %(effective_at)s, %(created_at)s)
ON CONFLICT DO NOTHING
RETURNING id
"""

# Every later statement of the pipeline is guarded by the transaction row (EXISTS …): when
# a duplicate reference made the insert above do nothing, they do nothing too.

_INSERT_ENTRIES = """
INSERT INTO ledger_entries
    (transaction_id, account_id, amount, balance_after, version, hash, created_at)
SELECT %(tx)s, v.account_id, v.amount, v.balance_after, v.version, v.hash, %(at)s
FROM unnest(%(account_ids)s::bigint[], %(amounts)s::bigint[], %(afters)s::bigint[],
            %(versions)s::bigint[], %(hashes)s::text[])
     AS v(account_id, amount, balance_after, version, hash)
WHERE EXISTS (SELECT 1 FROM ledger_transactions WHERE id = %(tx)s)
RETURNING id, account_id
"""

_SAVE_ACCOUNTS = """
UPDATE ledger_accounts AS a
SET balance = v.balance, held = v.held, version = v.version, head_hash = v.head_hash
FROM unnest(%(ids)s::bigint[], %(balances)s::bigint[], %(helds)s::bigint[],
            %(versions)s::bigint[], %(heads)s::text[])
     AS v(id, balance, held, version, head_hash)
WHERE a.id = v.id AND EXISTS (SELECT 1 FROM ledger_transactions WHERE id = %(tx)s)
"""

_ADD_LOT = """
INSERT INTO ledger_lots (account_id, transaction_id, amount, remaining, expires_at, created_at)
SELECT %(account)s, %(tx)s, %(amount)s, %(amount)s, %(expires_at)s, %(at)s
WHERE EXISTS (SELECT 1 FROM ledger_transactions WHERE id = %(tx)s)
"""

# Same rule as lots.consume: a running total in consumption order says what is left of each.
_CONSUME_LOTS = """
UPDATE ledger_lots AS l
SET remaining = CASE WHEN o.running > %(amount)s THEN o.running - %(amount)s ELSE 0 END
FROM (
    SELECT id, remaining,
           sum(remaining) OVER (ORDER BY expires_at ASC NULLS LAST, id) AS running
    FROM ledger_lots
    WHERE account_id = %(account)s AND remaining > 0
) AS o
WHERE l.id = o.id AND o.running - o.remaining < %(amount)s
  AND EXISTS (SELECT 1 FROM ledger_transactions WHERE id = %(tx)s)
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


def _array(values: Iterable[int | str]) -> str:
    """Return *values* as a PostgreSQL array literal, for a ``%(x)s::type[]`` parameter.

    psycopg inspects every element of a list to choose its dumper; one ``str`` parameter
    costs a fraction of that, and a posting sends eleven arrays (docs/benchmarks.md).
    """
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value: int | str) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(int(value))


def _driver(session: Session):
    """Return the psycopg connection under the session's current transaction."""
    return session.connection().connection.driver_connection


def lock(session: Session, codes: Iterable[str]) -> tuple[dict[str, AccountState], int]:
    """Lock the accounts with *codes* in id order; return them and a fresh transaction id."""
    rows = _driver(session).execute(_LOCK, {"codes": _array(sorted(set(codes)))}).fetchall()
    states = {row[1]: AccountState(*row[:8]) for row in rows}
    return states, rows[0][8] if rows else next_transaction_id(session)


def next_transaction_id(session: Session) -> int:
    return _driver(session).execute(_NEXT_ID).fetchone()[0]


def write(
    session: Session,
    *,
    transaction: Mapping[str, Any],
    entries: Sequence[Mapping[str, Any]],
    accounts: Sequence[AccountState],
    lot_credits: Sequence[tuple[int, int, datetime | None]],
    lot_debits: Sequence[tuple[int, int]],
) -> list[int] | None:
    """Store a posting decided by ``postings.record``; return entry ids in *entries* order.

    Returns None, having written nothing, when the transaction's reference (or the
    transaction it reverses) is taken.
    """
    conn = _driver(session)
    tx = transaction["id"]
    at = transaction["created_at"]
    with conn.pipeline():
        inserted = conn.cursor()
        inserted.execute(
            _INSERT_TRANSACTION,
            {**transaction, "metadata": json.dumps(transaction["metadata"], ensure_ascii=False)},
        )
        written = conn.cursor()
        written.execute(
            _INSERT_ENTRIES,
            {
                "tx": tx,
                "at": at,
                "account_ids": _array(e["account_id"] for e in entries),
                "amounts": _array(e["amount"] for e in entries),
                "afters": _array(e["balance_after"] for e in entries),
                "versions": _array(e["version"] for e in entries),
                "hashes": _array(e["hash"] for e in entries),
            },
        )
        conn.execute(
            _SAVE_ACCOUNTS,
            {
                "tx": tx,
                "ids": _array(s.id for s in accounts),
                "balances": _array(s.balance for s in accounts),
                "helds": _array(s.held for s in accounts),
                "versions": _array(s.version for s in accounts),
                "heads": _array(s.head_hash for s in accounts),
            },
        )
        for account, amount, expires_at in lot_credits:
            conn.execute(
                _ADD_LOT,
                {
                    "tx": tx,
                    "at": at,
                    "account": account,
                    "amount": amount,
                    "expires_at": expires_at,
                },
            )
        for account, amount in lot_debits:
            conn.execute(_CONSUME_LOTS, {"tx": tx, "account": account, "amount": amount})
        stored = inserted.fetchone()
        ids = {account_id: entry_id for entry_id, account_id in written.fetchall()}
    if stored is None:
        return None
    return [ids[e["account_id"]] for e in entries]


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
