"""Pooled connections: replaced when the server closed them (core.pool), never shared by a fork."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from miniprogram_api.extensions import db

pytestmark = pytest.mark.postgres


def _pooled_backend_pid(app, headers) -> int:
    """Serve one request, then return the pid of the backend its pooled connection talks to."""
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        pids = [db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()]
        db.session.remove()  # back to the pool
        assert db.engine.pool.checkedin() == 1
    return pids[0]


def _terminate(url: str, pid: int) -> None:
    """Close a backend from the server's side, as a restart or an idle timeout would."""
    engine = create_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        conn.execute(text("SELECT pg_sleep(0.2)"))  # the backend needs a moment to go
    engine.dispose()


@pytest.fixture
def volunteer(app_factory):
    app = app_factory()
    login = app.test_client().post(
        "/api/v1/auth/wechat/login", json={"code": f"pool.{uuid.uuid4().hex[:12]}"}
    )
    with app.app_context():
        db.engine.dispose()
    return {"Authorization": f"Bearer {login.get_json()['access_token']}"}


def test_a_connection_closed_while_it_sat_idle_is_replaced_before_a_request_uses_it(
    app_factory, database_url, volunteer
):
    app = app_factory(DATABASE_PING_AFTER_IDLE_SECONDS=0.0)  # every checkout counts as idle
    _terminate(database_url, _pooled_backend_pid(app, volunteer))

    response = app.test_client().get("/api/v1/me", headers=volunteer)

    assert response.status_code == 200


def test_a_connection_closed_within_the_idle_window_fails_one_request_with_503_not_500(
    app_factory, database_url, volunteer
):
    app = app_factory(DATABASE_PING_AFTER_IDLE_SECONDS=3600.0)  # no checkout is pinged
    _terminate(database_url, _pooled_backend_pid(app, volunteer))
    client = app.test_client()

    lost = client.get("/api/v1/me", headers=volunteer)
    again = client.get("/api/v1/me", headers=volunteer)

    assert lost.status_code == 503
    assert lost.get_json()["code"] == "SERVICE_UNAVAILABLE"
    assert again.status_code == 200  # SQLAlchemy dropped the pool: a fresh connection


def test_a_forked_process_starts_with_an_empty_pool_and_leaves_the_parents_alone(app_factory):
    app = app_factory()
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        engine = db.engine
    assert engine.pool.checkedin() == 1
    child = os.fork()
    if child == 0:  # gunicorn's preload_app forks its workers like this
        os._exit(0 if engine.pool.checkedin() == 0 else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert engine.pool.checkedin() == 1
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1  # the parent's still works
