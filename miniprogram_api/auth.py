"""Tokens and who may call what: volunteer tokens, staff tokens with roles and a region."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    get_jwt,
    verify_jwt_in_request,
)
from sqlalchemy import bindparam, select

from core import regions
from identity.models import Staff, Volunteer
from miniprogram_api.errors import ApiError, error_response
from miniprogram_api.extensions import db, jwt
from miniprogram_api.verified_tokens import EXTENSION as VERIFIED_TOKENS

VOLUNTEER = "volunteer"
STAFF = "staff"
_BEARER = "Bearer "  # JWT_HEADER_TYPE and the one space flask-jwt-extended expects

# Every volunteer request asks only whether its caller still exists: a Core statement on the
# session's connection, built once, costs about two thirds of the ORM query that loads the
# whole row (the views that want the row load it with current_volunteer()).
_VOLUNTEERS = Volunteer.__table__
_VOLUNTEER_EXISTS = select(_VOLUNTEERS.c.id).where(_VOLUNTEERS.c.id == bindparam("id"))


def _claims_for_staff(staff: Staff) -> dict:
    return {"kind": STAFF, "roles": staff.roles, "region_code": staff.region_code}


def issue_volunteer_tokens(volunteer: Volunteer) -> dict:
    claims = {"kind": VOLUNTEER}
    return {
        "access_token": create_access_token(str(volunteer.id), additional_claims=claims),
        "refresh_token": create_refresh_token(str(volunteer.id), additional_claims=claims),
        "expires_in": _access_seconds(),
    }


def issue_staff_tokens(staff: Staff) -> dict:
    claims = _claims_for_staff(staff)
    return {
        "access_token": create_access_token(str(staff.id), additional_claims=claims),
        "refresh_token": create_refresh_token(str(staff.id), additional_claims={"kind": STAFF}),
        "expires_in": _access_seconds(),
    }


def refresh_access_token() -> dict:
    """Issue a new access token for the refresh token in the request.

    Staff roles and region are read again, so a demotion or deactivation takes effect at the
    next refresh rather than living on in a 30-day refresh token.
    """
    verify_jwt_in_request(refresh=True)
    claims = get_jwt()
    subject = claims["sub"]
    if claims.get("kind") == STAFF:
        staff = db.session.get(Staff, int(subject))
        if staff is None or not staff.is_active:
            raise ApiError(401, "UNAUTHENTICATED", "账号不存在或已停用，请重新登录")
        extra = _claims_for_staff(staff)
    elif claims.get("kind") == VOLUNTEER:
        if db.session.get(Volunteer, int(subject)) is None:
            raise ApiError(401, "UNAUTHENTICATED", "账号不存在，请重新登录")
        extra = {"kind": VOLUNTEER}
    else:
        raise ApiError(401, "UNAUTHENTICATED", "登录凭证无效，请重新登录")
    return {
        "access_token": create_access_token(subject, additional_claims=extra),
        "expires_in": _access_seconds(),
    }


def _access_seconds() -> int:
    return int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())


def _require_kind(kind: str) -> dict:
    claims = _access_claims()
    if claims.get("kind") != kind:
        raise ApiError(403, "FORBIDDEN", "当前账号类型无权访问此接口")
    return claims


def _access_claims() -> dict:
    """Return the claims of the request's access token, verifying it once per token and app.

    A token seen before comes from ``VerifiedTokens``; any other goes through
    flask-jwt-extended's ``verify_jwt_in_request``, whose errors answer as
    ``register_jwt_loaders`` says. Views take the claims from here (``g.volunteer_id``,
    ``g.staff``), never from ``get_jwt()``, which a remembered token does not set.
    """
    header = request.headers.get("Authorization", "")
    token = header[len(_BEARER) :] if header.startswith(_BEARER) else ""
    if " " in token or "," in token:
        token = ""  # not the one plain token flask-jwt-extended would read: no shortcut
    verified = current_app.extensions[VERIFIED_TOKENS]
    claims = verified.get(token) if token else None
    if claims is None:
        verify_jwt_in_request()
        claims = get_jwt()
        if token:
            verified.remember(token, claims)
    return claims


def volunteer_required(view):
    """Allow only volunteer tokens of volunteers who exist; their id goes to ``g.volunteer_id``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        claims = _require_kind(VOLUNTEER)
        volunteer_id = int(claims["sub"])
        found = db.session.connection().execute(_VOLUNTEER_EXISTS, {"id": volunteer_id})
        if found.first() is None:
            raise ApiError(401, "UNAUTHENTICATED", "账号不存在，请重新登录")
        g.volunteer_id = volunteer_id
        return view(*args, **kwargs)

    return wrapper


def current_volunteer() -> Volunteer:
    """Return the calling volunteer's row (``volunteer_required`` has checked it exists)."""
    return db.session.get(Volunteer, g.volunteer_id)


class StaffPrincipal:
    """The staff member behind a request, as the token describes them."""

    def __init__(self, staff_id: int, roles: list[str], region_code: str) -> None:
        self.id = staff_id
        self.roles = roles
        self.region_code = region_code

    def can_see(self, region_code: str | None) -> bool:
        """Return True when *region_code* lies inside this staff member's region subtree."""
        return region_code is not None and regions.contains(self.region_code, region_code)

    def require_region(self, region_code: str | None) -> None:
        if not self.can_see(region_code):
            raise ApiError(403, "FORBIDDEN", "超出您的管辖区域")


def staff_required(*roles: str):
    """Allow staff tokens, and if *roles* are given, only staff holding one of them."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            claims = _require_kind(STAFF)
            held = claims.get("roles") or []
            if roles and not set(roles) & set(held):
                raise ApiError(403, "FORBIDDEN", "您的角色无权执行此操作")
            g.staff = StaffPrincipal(int(claims["sub"]), held, claims.get("region_code"))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def register_jwt_loaders() -> None:
    """Answer every token problem in the API.md format instead of ``{"msg": …}``."""

    @jwt.unauthorized_loader
    def _missing(reason):
        return error_response(401, "UNAUTHENTICATED", "请先登录（缺少 Authorization: Bearer 令牌）")

    @jwt.invalid_token_loader
    def _invalid(reason):
        return error_response(401, "UNAUTHENTICATED", "登录凭证无效，请重新登录")

    @jwt.expired_token_loader
    def _expired(header, payload):
        return error_response(401, "TOKEN_EXPIRED", "登录已过期，请刷新令牌或重新登录")

    @jwt.revoked_token_loader
    def _revoked(header, payload):
        return error_response(401, "UNAUTHENTICATED", "登录凭证已失效，请重新登录")

    @jwt.needs_fresh_token_loader
    def _needs_fresh(header, payload):
        return error_response(401, "UNAUTHENTICATED", "请重新登录后再试")

    @jwt.user_lookup_error_loader
    def _user_lookup(header, payload):
        return error_response(401, "UNAUTHENTICATED", "账号不存在，请重新登录")

    @jwt.token_verification_failed_loader
    def _verification_failed(header, payload):
        return error_response(401, "UNAUTHENTICATED", "登录凭证无效，请重新登录")
