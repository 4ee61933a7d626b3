"""INSERT … ON CONFLICT as statements SQLAlchemy caches, on PostgreSQL and SQLite.

SQLAlchemy never caches its dialect ``insert(...).on_conflict_do_nothing()`` (or
``do_update``) constructs: each execution compiles again, which costs more CPU than the rest
of the statement's trip (docs/benchmarks.md). Both databases accept the same text, so one
typed ``text()`` per (table, columns) is built once and reused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from sqlalchemy import Executable, Table, bindparam, text
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session


def insert_ignoring(
    session: Session,
    table: Table,
    values: Mapping[str, object],
    *,
    conflict: tuple[str, ...] = (),
    returning: str | None = None,
) -> Result:
    """Insert *values* into *table* unless a unique key (or *conflict*'s) is taken.

    With *returning*, the result holds that column of the new row, or no row on a conflict.
    """
    statement = _statement(table, tuple(values), conflict, returning)
    return session.execute(statement, dict(values))


def insert_adding(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, object]],
    *,
    conflict: tuple[str, ...],
    add: str,
) -> None:
    """Insert *rows*; where *conflict*'s key is taken, add the row's *add* to the stored one."""
    statement = _adding_statement(table, tuple(rows[0]), conflict, add)
    session.execute(statement, [dict(row) for row in rows])


@lru_cache(maxsize=64)
def _adding_statement(
    table: Table, columns: tuple[str, ...], conflict: tuple[str, ...], add: str
) -> Executable:
    names = ", ".join(_quoted(c) for c in columns)
    marks = ", ".join(f":{c}" for c in columns)
    target = ", ".join(_quoted(c) for c in conflict)
    column, name = _quoted(add), _quoted(table.name)
    # Names come from the Table and are quoted; every value is a bound parameter.
    sql = (
        f"INSERT INTO {name} ({names}) VALUES ({marks}) ON CONFLICT ({target}) "  # noqa: S608
        f"DO UPDATE SET {column} = {name}.{column} + excluded.{column}"
    )
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))


@lru_cache(maxsize=256)
def _statement(
    table: Table, columns: tuple[str, ...], conflict: tuple[str, ...], returning: str | None
) -> Executable:
    names = ", ".join(_quoted(c) for c in columns)
    marks = ", ".join(f":{c}" for c in columns)
    target = f" ({', '.join(_quoted(c) for c in conflict)})" if conflict else ""
    # Names come from the Table and are quoted; every value is a bound parameter.
    sql = f"INSERT INTO {_quoted(table.name)} ({names}) VALUES ({marks})"  # noqa: S608
    sql += f" ON CONFLICT{target} DO NOTHING"
    if returning is not None:
        sql += f" RETURNING {_quoted(returning)}"
    statement = text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
    if returning is not None:
        return statement.columns(table.c[returning])
    return statement


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
