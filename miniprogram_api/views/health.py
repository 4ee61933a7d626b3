"""Liveness and readiness probes."""

import logging

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text

from miniprogram_api.errors import error_response
from miniprogram_api.extensions import db

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators")


class StatusSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


@blp.route("/healthz")
@blp.response(200, StatusSchema)
def healthz():
    """Report that the process is alive."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, StatusSchema)
@blp.alt_response(503, description="The database or a configured Redis does not answer")
def readyz():
    """Report whether the database (and Redis, when configured) answer."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    if "unavailable" in checks.values():
        return error_response(503, "NOT_READY", "服务尚未就绪", {"checks": checks})
    return {"status": "ok", "checks": checks}


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # noqa: BLE001  (any driver error means "not ready"; details go to the log)
        log.warning("readiness: database unavailable", exc_info=True)
        db.session.rollback()
        return "unavailable"


def _check_redis() -> str:
    client = current_app.extensions.get("redis")
    if client is None:
        return "not_configured"
    try:
        client.ping()
        return "ok"
    except Exception:  # noqa: BLE001
        log.warning("readiness: redis unavailable", exc_info=True)
        return "unavailable"
