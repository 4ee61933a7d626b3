"""The WeChat stand-in answers like WeChat: shapes, error codes, single-use codes, real PNGs."""

from __future__ import annotations

import struct
import zlib

import pytest

from app.wechat_standin import PNG_SIGNATURE, create_standin_app, openid_for

APPID = "wxunit0000000001"
SECRET = "unit-secret-0123456789"


@pytest.fixture
def standin():
    return create_standin_app(appid=APPID, secret=SECRET, slow_seconds=0.01).test_client()


def login(standin, code: str, **overrides) -> dict:
    params = {
        "appid": APPID,
        "secret": SECRET,
        "js_code": code,
        "grant_type": "authorization_code",
        **overrides,
    }
    response = standin.get("/sns/jscode2session", query_string=params)
    assert response.status_code == 200
    return response.get_json()


def stable_token(standin, **overrides) -> dict:
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, **overrides}
    return standin.post("/cgi-bin/stable_token", json=body).get_json()


def wxacode(standin, token: str, **body):
    return standin.post(f"/wxa/getwxacodeunlimit?access_token={token}", json=body)


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """Parse a PNG, checking every chunk's CRC; return width, height and the raw scanlines."""
    assert data.startswith(PNG_SIGNATURE)
    position, chunks = len(PNG_SIGNATURE), {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        payload = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, kind
        chunks[kind] = chunks.get(kind, b"") + payload
        position += 12 + length
    assert list(chunks)[-1] == b"IEND"
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color_type) == (8, 0)
    return width, height, zlib.decompress(chunks[b"IDAT"])


def test_a_code_is_single_use(standin):
    first = login(standin, "alice.1")
    assert set(first) == {"openid", "session_key"}
    assert login(standin, "alice.1") == {"errcode": 40163, "errmsg": "code been used"}


def test_the_same_user_keeps_one_openid_and_gets_a_new_session_key(standin):
    first, second = login(standin, "alice.1"), login(standin, "alice.2")
    assert first["openid"] == second["openid"] == openid_for(APPID, "alice")
    assert len(first["openid"]) == 28
    assert first["session_key"] != second["session_key"]
    assert login(standin, "bob.1")["openid"] != first["openid"]


def test_union_users_get_a_unionid(standin):
    assert "unionid" in login(standin, "union-carol.1")


@pytest.mark.parametrize(
    ("code", "errcode"),
    [("invalid.1", 40029), ("used.1", 40163), ("ratelimit.1", 45011), ("risky.1", 40226)],
)
def test_code_prefixes_trigger_wechat_errors(standin, code, errcode):
    assert login(standin, code)["errcode"] == errcode


def test_busy_is_a_system_error_and_http500_a_bare_500(standin):
    assert login(standin, "busy.1") == {"errcode": -1, "errmsg": "system error"}
    response = standin.get(
        "/sns/jscode2session",
        query_string={
            "appid": APPID,
            "secret": SECRET,
            "js_code": "http500.1",
            "grant_type": "authorization_code",
        },
    )
    assert response.status_code == 500
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize(
    ("overrides", "errcode"),
    [
        ({"appid": "wxsomeoneelse"}, 40013),
        ({"secret": "wrong"}, 40125),
        ({"grant_type": "client_credential"}, 40002),
    ],
)
def test_jscode2session_checks_the_app_credentials(standin, overrides, errcode):
    assert login(standin, "alice.1", **overrides)["errcode"] == errcode


def test_stats_count_jscode2session_calls_that_carried_an_access_token(standin):
    login(standin, "alice.1")
    login(standin, "alice.2", access_token="x")
    stats = standin.get("/__standin/stats").get_json()
    assert stats["calls"]["sns/jscode2session"] == 2
    assert stats["jscode2session_with_access_token"] == 1


def test_stable_token_is_stable_until_force_refresh_which_keeps_the_old_one_valid(standin):
    first = stable_token(standin)
    assert first["expires_in"] == 7200
    assert stable_token(standin)["access_token"] == first["access_token"]
    refreshed = stable_token(standin, force_refresh=True)["access_token"]
    assert refreshed != first["access_token"]
    assert wxacode(standin, first["access_token"], scene="a").mimetype == "image/png"


def test_the_classic_token_endpoint_revokes_its_previous_token(standin):
    params = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    first = standin.get("/cgi-bin/token", query_string=params).get_json()["access_token"]
    standin.get("/cgi-bin/token", query_string=params)
    assert wxacode(standin, first, scene="a").get_json()["errcode"] == 40001


@pytest.mark.parametrize(
    ("overrides", "errcode"),
    [({"appid": "wxother"}, 40013), ({"secret": "nope"}, 40125), ({"grant_type": "x"}, 40002)],
)
def test_token_endpoints_refuse_bad_credentials(standin, overrides, errcode):
    assert stable_token(standin, **overrides)["errcode"] == errcode


def test_token_checks_missing_unknown_and_expired(standin):
    post = standin.post
    assert post("/wxa/business/getuserphonenumber", json={"code": "x"}).get_json() == {
        "errcode": 41001,
        "errmsg": "access_token missing",
    }
    assert wxacode(standin, "forged", scene="a").get_json()["errcode"] == 40001
    token = stable_token(standin)["access_token"]
    post("/__standin/expire-tokens")
    assert wxacode(standin, token, scene="a").get_json()["errcode"] == 42001
    post("/__standin/revoke-tokens")
    assert wxacode(standin, token, scene="a").get_json()["errcode"] == 40001
    assert stable_token(standin)["access_token"] != token


def test_phone_number_comes_from_the_code(standin):
    token = stable_token(standin)["access_token"]
    url = f"/wxa/business/getuserphonenumber?access_token={token}"
    info = standin.post(url, json={"code": "phone-13812345678"}).get_json()["phone_info"]
    assert info["purePhoneNumber"] == "13812345678"
    assert info["countryCode"] == "86"
    assert info["watermark"]["appid"] == APPID
    other = standin.post(url, json={"code": "abc"}).get_json()["phone_info"]
    assert other["phoneNumber"] == "13800138000"
    assert standin.post(url, json={"code": "invalid-1"}).get_json()["errcode"] == 40029


def test_wxacode_is_a_valid_png_that_depends_on_the_scene(standin):
    token = stable_token(standin)["access_token"]
    response = wxacode(standin, token, scene="s=abc123", page="pages/checkin/checkin", width=280)
    width, height, raw = read_png(response.data)
    assert (width, height) == (280, 280)
    assert len(raw) == height * (1 + width)
    other = wxacode(standin, token, scene="s=xyz789", page="pages/checkin/checkin", width=280)
    assert other.data != response.data


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"scene": "x" * 33}, 40169),
        ({"scene": "a%20b"}, 40169),
        ({}, 40169),
        ({"scene": "a", "page": "pages/unknown/unknown"}, 41030),
        ({"scene": "a", "env_version": "beta"}, 40097),
    ],
)
def test_wxacode_refuses_bad_scenes_pages_and_versions(standin, body, errcode):
    token = stable_token(standin)["access_token"]
    assert wxacode(standin, token, **body).get_json()["errcode"] == errcode


def test_wxacode_skips_the_page_check_when_asked(standin):
    token = stable_token(standin)["access_token"]
    response = wxacode(standin, token, scene="a", page="pages/new/new", check_path=False)
    assert response.mimetype == "image/png"


@pytest.mark.parametrize(
    ("touser", "template_id", "errcode"),
    [("oAbc", "tpl-1", 0), ("nobody", "tpl-1", 40003), ("oAbc", "invalid-1", 40037)],
)
def test_subscribe_send(standin, touser, template_id, errcode):
    token = stable_token(standin)["access_token"]
    body = {"touser": touser, "template_id": template_id, "data": {"thing1": {"value": "x"}}}
    answer = standin.post(f"/cgi-bin/message/subscribe/send?access_token={token}", json=body)
    assert answer.get_json()["errcode"] == errcode


def test_unknown_paths_answer_wechat_like_json_404(standin):
    response = standin.get("/cgi-bin/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["errcode"] == 404


def test_state_belongs_to_each_app_instance():
    one = create_standin_app(appid=APPID, secret=SECRET).test_client()
    two = create_standin_app(appid=APPID, secret=SECRET).test_client()
    login(one, "alice.1")
    assert "openid" in login(two, "alice.1")


def test_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WECHAT_APPID", "wxfromenv")
    monkeypatch.setenv("WECHAT_SECRET", "secret-from-env")
    standin = create_standin_app().test_client()
    params = {"appid": "wxfromenv", "secret": "secret-from-env", "grant_type": "client_credential"}
    assert "access_token" in standin.get("/cgi-bin/token", query_string=params).get_json()
