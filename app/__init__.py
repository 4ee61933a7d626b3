"""The composition root: ``create_app`` wires config, extensions, blueprints and the CLI."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import swagger_ui_bundle
from flask import Flask, send_from_directory
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as app_config
from app.console import register_console
from app.logs import configure_logging, install_request_logging
from core.pool import forget_connections_after_fork, ping_when_idle
from miniprogram_api import register_api
from miniprogram_api.extensions import db, jwt, limiter

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

migrate = Migrate()

# Flask-Limiter's settings for limits that apply beyond a decorated route.
_GLOBAL_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def create_app(overrides: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Create the API application; *overrides* replace environment-derived settings.

    The instance folder (SQLite file, demo credentials) is ``instance/`` unless *instance_path*
    or the ``INSTANCE_PATH`` environment variable names another.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path or os.environ.get("INSTANCE_PATH") or None,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(app_config.from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if not app.config.get("QR_SIGNING_KEY"):
        # A separate key per purpose: leaking a QR key must not forge sessions, and back.
        app.config["QR_SIGNING_KEY"] = hmac.new(
            app.config["SECRET_KEY"].encode(), b"station-qr-scene", hashlib.sha256
        ).hexdigest()
    app_config.check_production(app.config)

    if app.config["TRUSTED_PROXY_COUNT"]:
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    configure_logging(app)
    install_request_logging(app)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
            forget_connections_after_fork(engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    jwt.init_app(app)
    limiter.init_app(app)
    _check_limits_in_their_routes_only(app)
    app.extensions["redis"] = _redis_client(app.config["REDIS_URL"])
    register_api(app)
    register_console(app)  # after the API: its CSRF protection exempts the API's blueprints
    _serve_swagger_assets(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _check_limits_in_their_routes_only(app: Flask) -> None:
    """Drop Flask-Limiter's check before every request when no limit needs it.

    The hook is for default, application and meta limits (none are configured here); every
    limit this app has is a route decorator, which checks its own route. The hook cost about
    6% of a gunicorn worker's CPU on routes without any limit (py-spy, redemption bench).
    """
    if any(app.config.get(name) for name in _GLOBAL_LIMITS):
        return
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def _redis_client(url: str | None):
    """Return a Redis client with short timeouts, or None when Redis is not configured."""
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _serve_swagger_assets(app: Flask) -> None:
    assets = swagger_ui_bundle.swagger_ui_path

    @app.get("/api/docs/static/<path:filename>")
    def swagger_ui_asset(filename):
        return send_from_directory(assets, filename)
