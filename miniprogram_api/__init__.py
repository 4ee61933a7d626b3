"""The HTTP contract of API.md: blueprints, schemas, auth, error mapping, the WeChat client."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from miniprogram_api.auth import register_jwt_loaders
from miniprogram_api.errors import Api, register_error_handlers
from miniprogram_api.verified_tokens import EXTENSION as VERIFIED_TOKENS
from miniprogram_api.verified_tokens import VerifiedTokens
from miniprogram_api.wechat import WechatGateway

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
BIGINT_MAX = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` limited to ids a BIGINT column can hold: a larger one is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", BIGINT_MAX)
        super().__init__(map, *args, **kwargs)


def register_api(app: Flask) -> None:
    """Attach the WeChat client, the error format and every blueprint to *app*."""
    app.url_map.converters["int"] = DatabaseIdConverter
    from miniprogram_api.views import (
        activities,
        admin,
        admin_activities,
        admin_manual_hours,
        admin_progress,
        admin_rewards,
        admin_sessions,
        admin_stations,
        auth,
        cases,
        certificates,
        checkins,
        exports,
        health,
        ledger,
        me,
        merchant,
        perks,
        recognition,
        redemptions,
        stations,
        verification,
    )

    app.extensions["wechat"] = WechatGateway(
        appid=app.config["WECHAT_APPID"],
        secret=app.config["WECHAT_SECRET"],
        base_url=app.config["WECHAT_API_BASE_URL"],
        timeout=app.config["WECHAT_TIMEOUT_SECONDS"],
        redis=app.extensions.get("redis"),
    )
    api = Api(app)
    register_error_handlers(app, api)
    register_jwt_loaders()
    app.extensions[VERIFIED_TOKENS] = VerifiedTokens()
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    for blueprint in (
        health.blp,
        auth.blp,
        me.blp,
        admin.blp,
        ledger.blp,
        checkins.blp,
        admin_sessions.blp,
        admin_manual_hours.blp,
        admin_stations.blp,
        admin_activities.blp,
        stations.blp,
        activities.blp,
        perks.blp,
        redemptions.blp,
        merchant.blp,
        admin_rewards.blp,
        admin_progress.blp,
        certificates.blp,
        exports.blp,
        recognition.blp,
        cases.blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(verification.blp)  # HTML, outside the API document
