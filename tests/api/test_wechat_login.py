"""WeChat sign-in and phone binding through the API, with WeChat played by the stand-in."""

from __future__ import annotations

import logging
import re
import socket
import uuid

import pytest
import requests

from identity.models import Volunteer, WechatSession
from miniprogram_api.extensions import db
from tests.conftest import TEST_WECHAT_SECRET

LOGIN = "/api/v1/auth/wechat/login"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def fresh_code(user: str) -> str:
    return f"{user}.{uuid.uuid4().hex[:12]}"


def issued_session_key(wechat_standin, openid: str) -> str:
    """The session_key the stand-in last issued to *openid*."""
    answer = requests.get(f"{wechat_standin.url}__standin/session-keys/{openid}", timeout=5)
    return answer.json()["session_key"]


def assert_api_error(response, status: int, code: str) -> None:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == code
    assert CHINESE.search(body["message"])


def test_first_login_creates_the_volunteer_and_later_ones_find_it(login_volunteer):
    first = login_volunteer("frank")
    again = login_volunteer("frank")
    assert first["volunteer"]["is_new"] is True
    assert again["volunteer"] == {"id": first["volunteer"]["id"], "is_new": False}
    assert first["access_token"] and first["refresh_token"] and first["expires_in"] > 0
    assert login_volunteer("grace")["volunteer"]["id"] != first["volunteer"]["id"]


@pytest.mark.parametrize(
    ("code", "status", "error_code"),
    [
        ("invalid.1", 401, "WECHAT_CODE_INVALID"),
        ("used.1", 401, "WECHAT_CODE_INVALID"),
        ("ratelimit.1", 429, "WECHAT_RATE_LIMITED"),
        ("risky.1", 403, "WECHAT_RISKY_USER"),
        ("busy.1", 503, "WECHAT_UNAVAILABLE"),
        ("slow.1", 503, "WECHAT_UNAVAILABLE"),  # the stand-in sleeps 2 s, the app waits 1 s
        ("http500.1", 503, "WECHAT_UNAVAILABLE"),
    ],
)
def test_wechat_errors_map_to_the_documented_answers(client, code, status, error_code):
    assert_api_error(client.post(LOGIN, json={"code": code}), status, error_code)


def test_a_code_used_twice_is_invalid(client):
    code = fresh_code("henry")
    assert client.post(LOGIN, json={"code": code}).status_code == 200
    assert_api_error(client.post(LOGIN, json={"code": code}), 401, "WECHAT_CODE_INVALID")


def test_wechat_out_of_reach_is_unavailable(app_factory):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    client = app_factory(WECHAT_API_BASE_URL=closed).test_client()
    assert_api_error(
        client.post(LOGIN, json={"code": fresh_code("ivy")}), 503, "WECHAT_UNAVAILABLE"
    )


def test_a_misconfigured_secret_is_unavailable(app_factory):
    client = app_factory(WECHAT_SECRET="not-the-secret-0123456789").test_client()
    assert_api_error(
        client.post(LOGIN, json={"code": fresh_code("jack")}), 503, "WECHAT_UNAVAILABLE"
    )


def test_the_session_key_is_stored_and_never_returned(client, session, wechat_standin):
    response = client.post(LOGIN, json={"code": fresh_code("kate")})
    volunteer_id = response.get_json()["volunteer"]["id"]
    volunteer = session.get(Volunteer, volunteer_id)
    session_key = issued_session_key(wechat_standin, volunteer.openid)
    assert session.get(WechatSession, volunteer_id).session_key == session_key
    assert "session_key" not in response.get_data(as_text=True)
    assert session_key not in response.get_data(as_text=True)


def test_logs_carry_no_secret_session_key_code_or_phone(app_factory, wechat_standin, caplog):
    # Build the app here, so its redacting handler runs after caplog's: the records themselves
    # must be clean, whichever handler (a test, an error tracker, a log shipper) reads them.
    app = app_factory()
    client = app.test_client()
    caplog.set_level(logging.DEBUG)  # urllib3 logs whole URLs at DEBUG
    code = fresh_code("leo")
    login = client.post(LOGIN, json={"code": code}).get_json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    phone = client.post("/api/v1/me/phone", json={"code": "phone-13812345678"}, headers=headers)
    assert phone.status_code == 200
    with app.app_context():
        openid = db.session.get(Volunteer, login["volunteer"]["id"]).openid
    session_key = issued_session_key(wechat_standin, openid)

    assert any(r.name == "urllib3.connectionpool" for r in caplog.records), "urllib3 not captured"
    logged = "\n".join([caplog.text, *(repr(vars(record)) for record in caplog.records)])
    for secret in (TEST_WECHAT_SECRET, session_key, code, "13812345678"):
        assert secret not in logged


def test_binding_the_phone_stores_it_and_shows_it_masked(client, volunteer_headers):
    response = client.post(
        "/api/v1/me/phone", json={"code": "phone-13812345678"}, headers=volunteer_headers
    )
    assert response.status_code == 200
    assert response.get_json() == {"phone_masked": "138****5678"}
    me = client.get("/api/v1/me", headers=volunteer_headers)
    assert me.get_json()["phone_masked"] == "138****5678"
    assert "13812345678" not in me.get_data(as_text=True)


def test_a_stored_phone_is_what_wechat_vouched_for(client, session, volunteer_headers):
    client.post("/api/v1/me/phone", json={"code": "phone-13912345678"}, headers=volunteer_headers)
    me = client.get("/api/v1/me", headers=volunteer_headers).get_json()
    assert session.get(Volunteer, me["id"]).phone == "13912345678"


@pytest.mark.parametrize(
    ("code", "status", "error_code"),
    [("invalid-1", 401, "WECHAT_CODE_INVALID"), ("busy-1", 503, "WECHAT_UNAVAILABLE")],
)
def test_phone_errors_map_to_the_documented_answers(
    client, volunteer_headers, code, status, error_code
):
    response = client.post("/api/v1/me/phone", json={"code": code}, headers=volunteer_headers)
    assert_api_error(response, status, error_code)
    assert client.get("/api/v1/me", headers=volunteer_headers).get_json()["phone_masked"] is None


def test_binding_a_phone_needs_a_volunteer_token(client):
    response = client.post("/api/v1/me/phone", json={"code": "phone-13812345678"})
    assert_api_error(response, 401, "UNAUTHENTICATED")
