"""Fixtures shared by the whole suite.

The suite runs in one of two passes, chosen by ``APP_TEST_BACKEND`` (``make test`` runs both):
- ``sqlite`` (default): a fresh SQLite file per test, copied from one migrated template, no Redis.
- ``services``: the real PostgreSQL at ``TEST_DATABASE_URL`` and Redis at ``TEST_REDIS_URL``.
  The suite owns that database and Redis db: it drops and recreates the schema at the start
  and empties every table (and the Redis db) after each test. If either cannot be reached the
  run fails; it never quietly falls back to SQLite.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
import redis as redis_lib
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.config import database_url_for_driver
from app.wechat_standin import create_standin_app
from identity import operations as identity
from miniprogram_api.extensions import db
from tests.support.servers import serve_in_thread

BACKEND = os.environ.get("APP_TEST_BACKEND", "sqlite")
if BACKEND not in {"sqlite", "services"}:
    raise RuntimeError(f"APP_TEST_BACKEND must be 'sqlite' or 'services', not {BACKEND!r}")

TEST_APPID = "wxstandin000000001"
TEST_WECHAT_SECRET = "standin-secret-for-tests-0123456789"

BASE_OVERRIDES = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789abcdef",
    "JWT_SECRET_KEY": "test-jwt-secret-key-0123456789abcdef0123456789",
    "WECHAT_APPID": TEST_APPID,
    "WECHAT_SECRET": TEST_WECHAT_SECRET,
    "WECHAT_TIMEOUT_SECONDS": 1.0,
    "LOG_JSON": True,
    "RATELIMIT_KEY_PREFIX": "test",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgres: needs the real PostgreSQL (runs in the services pass only)"
    )
    config.addinivalue_line("markers", "redis: needs the real Redis (runs in the services pass)")


def pytest_collection_modifyitems(config, items):
    if BACKEND == "services":
        return
    skip = pytest.mark.skip(
        reason="runs in the services pass: set TEST_DATABASE_URL and TEST_REDIS_URL "
        "(make test does when they are set; .ci/run always does)"
    )
    for item in items:
        if "postgres" in item.keywords or "redis" in item.keywords:
            item.add_marker(skip)


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"APP_TEST_BACKEND=services needs {name}", returncode=1)
    return value


@pytest.fixture(scope="session")
def wechat_standin():
    """The WeChat stand-in server, reached over real HTTP."""
    running = serve_in_thread(
        create_standin_app(appid=TEST_APPID, secret=TEST_WECHAT_SECRET, slow_seconds=2.0)
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, wechat_standin):
    """A migrated database: the SQLite template file, or the emptied and migrated PostgreSQL."""
    if BACKEND == "sqlite":
        template = tmp_path_factory.mktemp("db") / "template.sqlite"
        url = f"sqlite:///{template}"
    else:
        url = database_url_for_driver(_required_env("TEST_DATABASE_URL"))
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        except Exception as exc:  # noqa: BLE001  (any failure here means "not reachable")
            pytest.exit(f"cannot reach TEST_DATABASE_URL: {exc}", returncode=1)
        finally:
            engine.dispose()
    app = create_app(
        {**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url},
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def redis_url():
    if BACKEND == "sqlite":
        return None
    url = _required_env("TEST_REDIS_URL")
    try:
        redis_lib.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis_lib.RedisError as exc:
        pytest.exit(f"cannot reach TEST_REDIS_URL: {exc}", returncode=1)
    return url


@pytest.fixture
def app_factory(database_url, redis_url, wechat_standin, tmp_path):
    """Build apps on this test's own database; extra overrides per call."""
    if BACKEND == "sqlite":
        test_db = tmp_path / "test.sqlite"
        shutil.copyfile(Path(database_url.removeprefix("sqlite:///")), test_db)
        url = f"sqlite:///{test_db}"
    else:
        url = database_url
    made = []

    def make(**overrides):
        app = create_app(
            instance_path=str(tmp_path / "instance"),
            overrides={
                **BASE_OVERRIDES,
                "SQLALCHEMY_DATABASE_URI": url,
                "REDIS_URL": redis_url,
                "RATELIMIT_STORAGE_URI": redis_url or "memory://",
                "WECHAT_API_BASE_URL": wechat_standin.url,
                **overrides,
            },
        )
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if BACKEND == "services":
        _empty_services(url, redis_url)


def _empty_services(url: str, redis_url: str) -> None:
    """Empty every table (append-only triggers included: replica role skips them) and Redis."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
    engine.dispose()
    redis_lib.Redis.from_url(redis_url).flushdb()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """The SQLAlchemy session of the app under test (for arranging data and asserting)."""
    return db.session


@pytest.fixture
def login_volunteer(client):
    """Sign a volunteer in through the stand-in; the same *user* always maps to one openid."""

    def login(user: str = "alice") -> dict:
        code = f"{user}.{uuid.uuid4().hex[:12]}"  # wx.login codes are single-use
        response = client.post("/api/v1/auth/wechat/login", json={"code": code})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        body["headers"] = {"Authorization": f"Bearer {body['access_token']}"}
        return body

    return login


@pytest.fixture
def volunteer_headers(login_volunteer) -> dict:
    return login_volunteer("alice")["headers"]


@pytest.fixture
def make_staff(app):
    """Create a staff member and return the Authorization headers of a fresh login."""
    counter = itertools.count(1)

    def make(role: str = "province_admin", region: str = "330000", username: str | None = None):
        username = username or f"{role}-{region}-{next(counter)}"
        password = "correct horse battery staple"
        identity.create_staff(
            db.session, username=username, password=password, roles=[role], region_code=region
        )
        db.session.commit()
        response = app.test_client().post(
            "/api/v1/auth/staff/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return make
