"""WechatGateway against the WeChat stand-in over real HTTP: answers, error mapping, tokens."""

from __future__ import annotations

import socket
import uuid

import pytest
import redis as redis_lib
import requests

from miniprogram_api.errors import ApiError
from miniprogram_api.wechat import WechatGateway
from tests.conftest import TEST_APPID, TEST_WECHAT_SECRET
from tests.support.servers import serve_in_thread

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TOKEN_KEY = f"wechat:{TEST_APPID}_access_token"  # where wechatpy's RedisStorage keeps it


def make_gateway(base_url: str, **overrides) -> WechatGateway:
    settings = {
        "appid": TEST_APPID,
        "secret": TEST_WECHAT_SECRET,
        "base_url": base_url,
        "timeout": 1.0,
        **overrides,
    }
    return WechatGateway(**settings)


@pytest.fixture
def gateway(wechat_standin) -> WechatGateway:
    return make_gateway(wechat_standin.url)


@pytest.fixture
def standin_stats(wechat_standin):
    """Return a function that reads the stand-in's counters (they are shared: compare deltas)."""

    def read() -> dict:
        stats = requests.get(wechat_standin.url + "__standin/stats", timeout=5).json()
        return {"with_token": stats["jscode2session_with_access_token"], **stats["calls"]}

    return read


def calls_since(before: dict, after: dict, name: str) -> int:
    return after.get(name, 0) - before.get(name, 0)


def closed_port_url() -> str:
    """A loopback URL nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def raises_api_error(call, *args, **kwargs) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def fresh_code(user: str = "gateway-user") -> str:
    """A wx.login-like code for *user*: single use, so unique every time."""
    return f"{user}.{uuid.uuid4().hex}"


def test_code_to_session_returns_openid_and_session_key(gateway):
    first = gateway.code_to_session(fresh_code("dora"))
    second = gateway.code_to_session(fresh_code("dora"))
    assert first.openid == second.openid
    assert first.openid.startswith("o")
    assert first.session_key != second.session_key
    assert first.unionid is None
    assert first.session_key not in repr(first)


def test_a_union_user_gets_a_unionid(gateway):
    assert gateway.code_to_session(fresh_code("union-eve")).unionid


def test_login_fetches_no_access_token(gateway, standin_stats):
    before = standin_stats()
    gateway.code_to_session(fresh_code())
    after = standin_stats()
    assert calls_since(before, after, "sns/jscode2session") == 1
    assert calls_since(before, after, "with_token") == 0
    assert calls_since(before, after, "cgi-bin/stable_token") == 0
    assert calls_since(before, after, "cgi-bin/token") == 0


@pytest.mark.parametrize(
    ("code", "status", "error_code"),
    [
        ("invalid.1", 401, "WECHAT_CODE_INVALID"),
        ("used.1", 401, "WECHAT_CODE_INVALID"),
        ("ratelimit.1", 429, "WECHAT_RATE_LIMITED"),
        ("risky.1", 403, "WECHAT_RISKY_USER"),
        ("busy.1", 503, "WECHAT_UNAVAILABLE"),
        ("slow.1", 503, "WECHAT_UNAVAILABLE"),  # the stand-in sleeps 2 s, the gateway waits 1 s
        ("http500.1", 503, "WECHAT_UNAVAILABLE"),
    ],
)
def test_code_to_session_maps_wechat_errors(gateway, code, status, error_code):
    error = raises_api_error(gateway.code_to_session, code)
    assert (error.status, error.code) == (status, error_code)


def test_a_code_used_twice_is_invalid(gateway):
    code = fresh_code()
    gateway.code_to_session(code)
    error = raises_api_error(gateway.code_to_session, code)
    assert (error.status, error.code) == (401, "WECHAT_CODE_INVALID")


def test_an_unreachable_wechat_is_unavailable():
    gateway = make_gateway(closed_port_url())
    for call, argument in [
        (gateway.code_to_session, fresh_code()),
        (gateway.get_phone_number, "phone-13812345678"),
    ]:
        error = raises_api_error(call, argument)
        assert (error.status, error.code) == (503, "WECHAT_UNAVAILABLE")


def test_a_wrong_secret_is_unavailable_not_the_users_fault(wechat_standin, caplog):
    gateway = make_gateway(wechat_standin.url, secret="not-the-secret")
    for call, argument in [
        (gateway.code_to_session, fresh_code()),
        (gateway.get_phone_number, "phone-13812345678"),
    ]:
        error = raises_api_error(call, argument)
        assert (error.status, error.code) == (503, "WECHAT_UNAVAILABLE")
        assert error.details == {}  # WeChat's code goes to our log, not to the client
    logged = [r for r in caplog.records if r.getMessage() == "wechat refused a call"]
    assert {r.wechat_errcode for r in logged} == {40125}


def test_phone_number(gateway):
    assert gateway.get_phone_number("phone-13812345678") == "13812345678"
    assert gateway.get_phone_number("some-other-code") == "13800138000"


@pytest.mark.parametrize(
    ("code", "status", "error_code"),
    [
        ("invalid-1", 401, "WECHAT_CODE_INVALID"),
        ("busy-1", 503, "WECHAT_UNAVAILABLE"),
        ("slow-1", 503, "WECHAT_UNAVAILABLE"),
    ],
)
def test_phone_number_maps_wechat_errors(gateway, code, status, error_code):
    error = raises_api_error(gateway.get_phone_number, code)
    assert (error.status, error.code) == (status, error_code)


def test_the_token_comes_from_stable_token_and_is_cached(gateway, standin_stats):
    before = standin_stats()
    gateway.get_phone_number("phone-13812345678")
    after_first = standin_stats()
    gateway.get_phone_number("phone-13812345678")
    after_second = standin_stats()
    assert calls_since(before, after_first, "cgi-bin/stable_token") == 1
    assert calls_since(before, after_second, "cgi-bin/token") == 0
    assert calls_since(after_first, after_second, "cgi-bin/stable_token") == 0
    assert calls_since(after_first, after_second, "wxa/business/getuserphonenumber") == 1


@pytest.mark.parametrize("how", ["revoke-tokens", "expire-tokens"])
def test_a_stale_token_is_refreshed_once_and_the_call_retried(
    gateway, standin_stats, wechat_standin, how
):
    gateway.get_phone_number("phone-13812345678")
    requests.post(f"{wechat_standin.url}__standin/{how}", timeout=5)
    before = standin_stats()
    assert gateway.get_phone_number("phone-13812345678") == "13812345678"
    after = standin_stats()
    assert calls_since(before, after, "cgi-bin/stable_token") == 1
    assert calls_since(before, after, "wxa/business/getuserphonenumber") == 2


def test_wxa_code_is_a_png(gateway):
    png = gateway.get_wxa_code_unlimited("s=abc123", page="pages/checkin/checkin")
    assert png.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("scene", "page", "errcode"),
    [
        ("x" * 33, "pages/checkin/checkin", 40169),
        ("100%", "pages/checkin/checkin", 40169),
        ("s=abc", "pages/nowhere/nowhere", 41030),
    ],
)
def test_wxa_code_errors_are_unavailable(gateway, scene, page, errcode, caplog):
    error = raises_api_error(gateway.get_wxa_code_unlimited, scene, page=page)
    assert (error.status, error.code) == (503, "WECHAT_UNAVAILABLE")
    assert [r.wechat_errcode for r in caplog.records if hasattr(r, "wechat_errcode")] == [errcode]


def test_wxa_code_for_an_unpublished_page_skips_the_path_check(gateway):
    png = gateway.get_wxa_code_unlimited(
        "s=abc", page="pages/nowhere/nowhere", check_path=False, env_version="develop"
    )
    assert png.startswith(PNG_SIGNATURE)


def test_subscribe_message(gateway, standin_stats):
    openid = gateway.code_to_session(fresh_code()).openid
    before = standin_stats()
    gateway.send_subscribe_message(openid, "tpl-checkout", {"thing1": {"value": "签退成功"}})
    after = standin_stats()
    assert calls_since(before, after, "cgi-bin/message/subscribe/send") == 1


def test_subscribe_message_refused_by_the_user_is_unavailable(gateway):
    error = raises_api_error(gateway.send_subscribe_message, "oSomeone", "refused-1", {})
    assert (error.status, error.code) == (503, "WECHAT_UNAVAILABLE")


@pytest.mark.redis
def test_the_token_is_shared_through_redis(wechat_standin, standin_stats, redis_url):
    redis = redis_lib.Redis.from_url(redis_url)
    redis.delete(TOKEN_KEY)
    try:
        before = standin_stats()
        make_gateway(wechat_standin.url, redis=redis).get_phone_number("phone-13812345678")
        assert 0 < redis.ttl(TOKEN_KEY) <= 7200
        # another worker (a new gateway on the same Redis) reuses it
        make_gateway(wechat_standin.url, redis=redis).get_phone_number("phone-13812345678")
        after = standin_stats()
        assert calls_since(before, after, "cgi-bin/stable_token") == 1
    finally:
        redis.delete(TOKEN_KEY)
        redis.close()


def test_a_gateway_whose_redis_is_down_still_works(wechat_standin, standin_stats):
    down = redis_lib.Redis(port=1, socket_connect_timeout=0.2)
    gateway = make_gateway(wechat_standin.url, redis=down)
    before = standin_stats()
    assert gateway.get_phone_number("phone-13812345678") == "13812345678"
    assert gateway.get_phone_number("phone-13812345678") == "13812345678"
    after = standin_stats()
    assert calls_since(before, after, "cgi-bin/stable_token") == 2  # nothing could be cached
    down.close()


def bad_gateway_html(environ, start_response):
    """A proxy in front of WeChat having a bad day: an HTML 502 for every request."""
    start_response("502 Bad Gateway", [("Content-Type", "text/html")])
    return [b"<html><body>502 Bad Gateway</body></html>"]


def test_a_proxy_error_page_is_unavailable_not_a_crash():
    proxy = serve_in_thread(bad_gateway_html)
    try:
        gateway = make_gateway(proxy.url)
        for call, argument in [
            (gateway.code_to_session, fresh_code()),
            (gateway.get_phone_number, "phone-13812345678"),
        ]:
            error = raises_api_error(call, argument)
            assert (error.status, error.code) == (503, "WECHAT_UNAVAILABLE")
    finally:
        proxy.stop()
