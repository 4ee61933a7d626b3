"""Small SQL helpers shared by the rewards use cases."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.orm import Session

from ledger.upsert import insert_ignoring


def insert_ignoring_conflict(session: Session, table: Table, values: dict) -> None:
    """INSERT a row unless its key exists; racing inserters both succeed (one row results)."""
    insert_ignoring(session, table, values)
