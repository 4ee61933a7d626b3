"""Sign-in: volunteers through WeChat, staff with a password; token refresh."""

from flask import current_app, request
from flask_smorest import Blueprint

from identity import operations as identity
from miniprogram_api.auth import issue_staff_tokens, issue_volunteer_tokens, refresh_access_token
from miniprogram_api.extensions import db, limiter
from miniprogram_api.schemas.auth import (
    RefreshResultSchema,
    StaffLoginResultSchema,
    StaffLoginSchema,
    WechatLoginResultSchema,
    WechatLoginSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and tokens")


def _staff_username_key() -> str:
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    return f"staff-login-user:{str(username)[:64]}"


@blp.route("/wechat/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["WECHAT_LOGIN_RATE_LIMIT"])
@blp.arguments(WechatLoginSchema)
@blp.response(200, WechatLoginResultSchema)
@blp.alt_response(401, description="WECHAT_CODE_INVALID")
@blp.alt_response(429, description="WECHAT_RATE_LIMITED or RATE_LIMITED")
@blp.alt_response(403, description="WECHAT_RISKY_USER")
@blp.alt_response(503, description="WECHAT_UNAVAILABLE")
def wechat_login(body):
    """Sign a volunteer in with the code from ``wx.login()``."""
    info = current_app.extensions["wechat"].code_to_session(body["code"])
    volunteer, is_new = identity.sign_in_volunteer(
        db.session, openid=info.openid, unionid=info.unionid, session_key=info.session_key
    )
    db.session.commit()
    return {
        **issue_volunteer_tokens(volunteer),
        "volunteer": {"id": volunteer.id, "is_new": is_new},
    }


@blp.route("/refresh", methods=["POST"])
@blp.doc(security=[{"bearerAuth": []}])
@blp.response(200, RefreshResultSchema)
def refresh():
    """Exchange the refresh token (sent as the bearer token) for a new access token."""
    return refresh_access_token()


@blp.route("/staff/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["STAFF_LOGIN_RATE_LIMIT"])
@limiter.limit(
    lambda: current_app.config["STAFF_LOGIN_PER_USER_RATE_LIMIT"], key_func=_staff_username_key
)
@blp.arguments(StaffLoginSchema)
@blp.response(200, StaffLoginResultSchema)
@blp.alt_response(401, description="INVALID_CREDENTIALS")
def staff_login(body):
    """Sign a staff member in with username and password."""
    staff = identity.authenticate_staff(db.session, body["username"], body["password"])
    db.session.commit()
    return {
        **issue_staff_tokens(staff),
        "staff": {
            "id": staff.id,
            "username": staff.username,
            "roles": staff.roles,
            "region_code": staff.region_code,
        },
    }
