"""Staff sign-in for the console: a session cookie naming the staff member, checked each time."""

from __future__ import annotations

import hashlib
import time
from functools import wraps

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from app.console.blueprint import bp
from identity import operations as identity
from identity.errors import InvalidCredentials
from identity.models import Staff
from miniprogram_api.auth import StaffPrincipal
from miniprogram_api.extensions import db, limiter

# A console sign-in lasts a working day; after that the staff member signs in again.
SESSION_SECONDS = 12 * 3600


def _fingerprint(staff: Staff) -> str:
    """Return a short digest of the password hash: a password change ends other sign-ins."""
    return hashlib.sha256(staff.password_hash.encode()).hexdigest()[:16]


def _username_key() -> str:
    return "console-login-user:" + (request.form.get("username") or "")[:64]


def _signed_in_staff() -> Staff | None:
    staff_id = session.get("staff_id")
    if not isinstance(staff_id, int):
        return None
    if time.time() - session.get("signed_in_at", 0) > SESSION_SECONDS:
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.is_active or session.get("fp") != _fingerprint(staff):
        return None
    return staff


def staff_required(*roles: str):
    """Let signed-in staff through (holding one of *roles*, if given); load ``g.staff``."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            staff = _signed_in_staff()
            if staff is None:
                session.clear()
                flash("请先登录", "info")
                return redirect(url_for("console.login", next=request.full_path))
            g.staff = StaffPrincipal(staff.id, staff.roles, staff.region_code)
            g.staff_record = staff
            if roles and not set(roles) & set(staff.roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _safe_next(target: str | None) -> str:
    """Return *target* when it is a console path, so the login never redirects elsewhere."""
    if target and target.startswith(bp.url_prefix + "/") and not target.startswith("//"):
        return target
    return url_for("console.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["STAFF_LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["STAFF_LOGIN_PER_USER_RATE_LIMIT"],
    key_func=_username_key,
    methods=["POST"],
)
def login():
    """Show the sign-in form; sign a staff member in with username and password."""
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("console/login.html", next=target)
    username = (request.form.get("username") or "").strip()[:64]
    password = (request.form.get("password") or "")[:256]
    try:
        staff = identity.authenticate_staff(db.session, username, password)
    except InvalidCredentials as error:
        db.session.rollback()
        return render_template(
            "console/login.html", next=target, error=error.message, username=username
        ), 401
    db.session.commit()
    session.clear()  # nothing from before the sign-in survives it
    session["staff_id"] = staff.id
    session["signed_in_at"] = int(time.time())
    session["fp"] = _fingerprint(staff)
    flash(f"欢迎，{staff.display_name or staff.username}", "success")
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: forget the session cookie's contents."""
    session.clear()
    flash("已退出登录", "info")
    return redirect(url_for("console.login"))
