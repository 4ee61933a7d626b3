"""Small SQL helpers shared by the rewards use cases."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_ignoring_conflict(session: Session, table: Table, values: dict) -> None:
    """INSERT a row unless its key exists; racing inserters both succeed (one row results)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(table).values(values).on_conflict_do_nothing())
