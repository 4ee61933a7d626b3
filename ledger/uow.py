"""The one place a ledger transaction begins, commits, rolls back and is retried.

Every ledger use case runs its work through ``atomic``. The caller hands over a session with
nothing uncommitted (reads are fine: see ``_end_reads``), and gets back a
committed result or an exception with everything rolled back. Inside ``atomic`` the work may
call other use cases: they join the running transaction instead of committing on their own,
so a caller can make its own writes and a posting commit together (``atomic(session, work)``).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

T = TypeVar("T")

ATTEMPTS = 6
_ACTIVE = "ledger.atomic"
_DRIVER = "ledger.driver"
_DIRTY = "ledger.flushed"
# PostgreSQL's serialization_failure and deadlock_detected: the database asks for a retry.
_RETRY_SQLSTATES = {"40001", "40P01"}


class UncommittedWork(RuntimeError):
    """atomic() was handed a session holding writes it did not make."""


@event.listens_for(Session, "after_flush")
def _mark_flushed(session: Session, flush_context) -> None:
    session.info[_DIRTY] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_flushed(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_DIRTY, None)


def atomic(session: Session, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """Run *work* in one short transaction, commit, and return its result.

    Deadlocks, serialization failures and a busy SQLite are retried (the whole of *work*,
    so it must not have effects outside the database) and never reach the caller.
    Nested calls on the same session join the outer transaction.
    """
    # Flask-SQLAlchemy's scoped proxy looks up the request's session on every attribute:
    # resolve it once (the work may still use the proxy; it is the same session).
    session = _unscoped(session)
    if session.info.get(_ACTIVE):
        return work(session)
    if session.new or session.dirty or session.deleted or session.info.get(_DIRTY):
        # Committing or dropping someone else's writes silently would both be wrong.
        raise UncommittedWork("commit or roll back pending writes before a ledger use case")
    for attempt in range(1, attempts + 1):
        _end_reads(session)
        session.info[_ACTIVE] = True
        try:
            _begin_writing(session)
            result = work(session)
            session.commit()
            return result
        except BaseException as exc:
            session.rollback()
            if attempt == attempts or not is_retryable(exc):
                raise
        finally:
            session.info.pop(_ACTIVE, None)
            session.info.pop(_DRIVER, None)
        time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311  (jitter, not crypto)
    raise AssertionError("unreachable")


def driver_connection(session: Session):
    """Return the DB-API connection of the transaction ``atomic`` runs on *session*.

    ``session.connection()`` costs more than many a statement on the ledger's hot path, so
    ``atomic`` looks it up once per transaction.
    """
    driver = session.info.get(_DRIVER)
    if driver is None:
        driver = session.connection().connection.driver_connection
    return driver


def _end_reads(session: Session) -> None:
    """Settle the read-only transaction a caller may have left open (it holds no writes).

    *session* is a Session, not Flask-SQLAlchemy's scoped proxy (``atomic`` resolves it).

    On PostgreSQL the work carries on in it: under READ COMMITTED every statement reads
    afresh, so the caller's earlier reads change nothing, and a request that looked up its
    caller before writing pays for one transaction, not two (docs/benchmarks.md). The
    objects it loaded are expired all the same, as a COMMIT would: a use case that locks a
    row the caller already read must see the row as the lock found it. SQLite must start
    its write with BEGIN IMMEDIATE, so there the reads end first, with COMMIT rather than
    ROLLBACK (the two are the same for reads).
    """
    if not session.in_transaction():
        return
    if session.get_bind().dialect.name == "postgresql":
        session.expire_all()
    else:
        session.commit()


def _unscoped(session: Session | scoped_session) -> Session:
    """Return the Session behind Flask-SQLAlchemy's scoped proxy (which lacks some methods)."""
    return session() if isinstance(session, scoped_session) else session


def in_atomic(session: Session) -> bool:
    """Return True while *session* runs inside ``atomic``."""
    return bool(session.info.get(_ACTIVE))


def is_retryable(exc: BaseException) -> bool:
    """Return True for errors that mean "run the same transaction again", not "no".

    Errors come wrapped by SQLAlchemy (DBAPIError.orig) or straight from psycopg, which the
    PostgreSQL write path talks to directly.
    """
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def _begin_writing(session: Session) -> None:
    connection = session.connection()
    session.info[_DRIVER] = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        # SQLite has no row locks (with_for_update is dropped): take the write lock up front,
        # so two writers never read the same balance and both write it back.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def snapshot(session: Session) -> Iterator[Session]:
    """Read in one consistent snapshot, then roll back (used by verify and reports)."""
    session.rollback()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")  # pysqlite would not open one for SELECTs
    try:
        yield session
    finally:
        session.rollback()
