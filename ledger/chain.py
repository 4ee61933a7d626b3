"""The per-account hash chain that makes an edited, inserted or removed entry visible.

Each entry's hash covers the previous entry's hash on the same account and the entry's own
fields, so the chain of one account needs only that account's lock: no global sequence.
"""

from __future__ import annotations

import hashlib

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str,
    *,
    account_id: int,
    version: int,
    transaction_id: int,
    amount: int,
    balance_after: int,
) -> str:
    """Return the hex sha256 that links an entry to the one before it."""
    material = f"{prev_hash}|{account_id}|{version}|{transaction_id}|{amount}|{balance_after}"
    return hashlib.sha256(material.encode()).hexdigest()
