"""Signing in and out of the console, CSRF refusals and the security headers."""

from __future__ import annotations

from sqlalchemy import select

from identity.models import Staff
from miniprogram_api.extensions import db
from tests.console.conftest import PASSWORD, ConsoleClient


def test_a_page_sends_a_stranger_to_the_login_form(console):
    response = console.get("/console/review")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")


def test_staff_sign_in_and_land_where_they_were_going(console, make_console_staff):
    username = make_console_staff("city_admin", "330100")
    response = console.sign_in(username, next="/console/stations")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/stations"
    assert "站点（阵地）" in console.get("/console/stations").get_data(as_text=True)


def test_the_login_never_redirects_off_the_console(console, make_console_staff):
    response = console.sign_in(make_console_staff(), next="//evil.example/console/")
    assert response.headers["Location"] == "/console/"


def test_unknown_user_and_wrong_password_read_the_same(console, make_console_staff):
    username = make_console_staff()
    unknown = console.sign_in("nobody-here")
    wrong = console.sign_in(username, "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "用户名或密码错误" in unknown.get_data(as_text=True)
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    assert console.get("/console/review").status_code == 302  # still signed out


def test_a_deactivated_account_is_signed_out_at_its_next_page(console, make_console_staff):
    username = make_console_staff()
    assert console.sign_in(username).status_code == 302
    staff = db.session.scalars(select(Staff).where(Staff.username == username)).one()
    staff.is_active = False
    db.session.commit()
    assert console.get("/console/review").status_code == 302


def test_a_password_change_ends_other_sign_ins(console, make_console_staff):
    from identity.passwords import hash_password

    username = make_console_staff()
    assert console.sign_in(username).status_code == 302
    staff = db.session.scalars(select(Staff).where(Staff.username == username)).one()
    staff.password_hash = hash_password("a brand new password 123")
    db.session.commit()
    assert console.get("/console/review").status_code == 302


def test_sign_in_attempts_are_rate_limited_per_username(app_factory):
    app = app_factory(STAFF_LOGIN_PER_USER_RATE_LIMIT="2 per minute")
    with app.app_context():
        visitor = ConsoleClient(app)
        statuses = [visitor.sign_in("someone", "guess").status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        assert "操作过于频繁" in visitor.sign_in("someone", "guess").get_data(as_text=True)


def test_logout_ends_the_session(console_as):
    console = console_as()
    response = console.post("/console/logout")
    assert response.status_code == 302
    assert console.get("/console/review").status_code == 302


def test_logout_is_a_post_with_a_token(console_as):
    console = console_as()
    assert console.get("/console/logout").status_code == 405
    assert console.post("/console/logout", token=False).status_code == 400
    assert console.get("/console/review").status_code == 200  # still signed in


def test_a_form_without_the_csrf_token_is_refused(console_as):
    console = console_as()
    form = {"name": "无令牌商店", "region_code": "330106"}
    response = console.post("/console/merchants", form, token=False)
    assert response.status_code == 400
    assert "请刷新页面后重试" in response.get_data(as_text=True)
    assert "无令牌商店" not in console.get("/console/merchants").get_data(as_text=True)


def test_a_form_with_a_forged_token_is_refused(console_as):
    console = console_as()
    form = {"csrf_token": "forged", "name": "伪造商店", "region_code": "330106"}
    assert console.post("/console/merchants", form, token=False).status_code == 400


def test_a_token_from_another_session_is_refused(console_as):
    alice, bob = console_as(), console_as()
    form = {"csrf_token": bob.token, "name": "借来的令牌", "region_code": "330106"}
    assert alice.post("/console/merchants", form, token=False).status_code == 400


def test_the_login_form_itself_needs_the_token(console, make_console_staff):
    form = {"username": make_console_staff(), "password": PASSWORD}
    assert console.post("/console/login", form, token=False).status_code == 400


def test_the_bearer_token_api_needs_no_csrf_token(client, make_console_staff):
    username = make_console_staff()
    response = client.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200


def test_console_pages_carry_the_security_headers(console_as):
    response = console_as().get("/console/review")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_and_static_files_carry_them_too(console):
    for path in ("/console/login", "/console/static/console.css"):
        assert console.get(path).headers["X-Frame-Options"] == "DENY"


def test_the_api_is_left_to_its_own_headers(client):
    assert "Content-Security-Policy" not in client.get("/healthz").headers


def test_pages_contain_no_inline_script_or_style(console_as):
    html = console_as().get("/console/review").get_data(as_text=True)
    assert "<script>" not in html
    assert "style=" not in html


def test_the_session_cookie_is_httponly_and_lax(console, make_console_staff):
    cookie = console.sign_in(make_console_staff()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development serves plain HTTP


def test_production_marks_the_session_cookie_secure(app_factory):
    app = app_factory(
        APP_ENV="production",
        SECRET_KEY="production-secret-key-0123456789abcdef0123",
        JWT_SECRET_KEY="production-jwt-secret-0123456789abcdef012",
        WECHAT_SECRET="production-wechat-secret",
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/console/login")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_only_console_requests_open_a_cookie_session(app):
    from flask import session
    from flask.sessions import NullSession, SecureCookieSession

    with app.test_request_context("/api/v1/me"):
        assert isinstance(session._get_current_object(), NullSession)  # read-only, never sent
    with app.test_request_context("/console/login"):
        assert isinstance(session._get_current_object(), SecureCookieSession)
