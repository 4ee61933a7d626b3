"""Pooled database connections: pinged only after sitting idle, never shared across a fork."""

from __future__ import annotations

import os
import time
import weakref

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_RETURNED_AT = "returned_at"


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a connection with one round trip at checkout when it has been idle *idle_seconds*.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: one more round trip per request
    for the server and the client both. A connection that came back to the pool moments ago
    is all but certainly alive; one that sat longer may have been closed meanwhile by the
    server's idle timeout, a proxy or a restart, and is pinged first: a dead one is replaced
    (``DisconnectionError`` makes the pool connect afresh) before a request sees it. If the
    server goes away within the window, the first statement on a pooled connection fails
    as a disconnect; SQLAlchemy then invalidates the whole pool, and the API answers that
    request 503 (``miniprogram_api.errors``).
    """

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get(_RETURNED_AT, 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error


def forget_connections_after_fork(engine: Engine) -> None:
    """Make a forked child start *engine*'s pool empty, leaving the parent's connections alone.

    gunicorn's ``preload_app`` creates the app in the master and forks the workers from it:
    a connection pooled before the fork would otherwise be one socket spoken to by two
    processes. ``dispose(close=False)`` is SQLAlchemy's way for a child to drop its
    inherited pool without closing the parent's connections.
    """
    ref = weakref.ref(engine)  # an app thrown away (tests make hundreds) is not kept alive

    def _in_child() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=_in_child)
