"""Both login endpoints are rate limited, and keep working when Redis is gone."""

import uuid


def _staff_login(client, username="someone"):
    return client.post("/api/v1/auth/staff/login", json={"username": username, "password": "x"})


def test_staff_login_is_limited_per_address(app_factory):
    client = app_factory(STAFF_LOGIN_RATE_LIMIT="3 per minute").test_client()
    answers = [_staff_login(client, f"user{i}").status_code for i in range(4)]
    assert answers == [401, 401, 401, 429]
    body = _staff_login(client).get_json()
    assert body["code"] == "RATE_LIMITED"
    assert "频繁" in body["message"]


def test_staff_login_is_limited_per_username_across_addresses(app_factory):
    client = app_factory(
        STAFF_LOGIN_RATE_LIMIT="100 per minute", STAFF_LOGIN_PER_USER_RATE_LIMIT="2 per minute"
    ).test_client()
    for i in range(2):
        response = client.post(
            "/api/v1/auth/staff/login",
            json={"username": "target", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        )
        assert response.status_code == 401
    blocked = client.post(
        "/api/v1/auth/staff/login",
        json={"username": "target", "password": "guess"},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert blocked.status_code == 429
    assert _staff_login(client, "someone-else").status_code == 401


def test_wechat_login_is_limited(app_factory):
    client = app_factory(WECHAT_LOGIN_RATE_LIMIT="2 per minute").test_client()
    codes = [
        client.post(
            "/api/v1/auth/wechat/login", json={"code": f"bob.{uuid.uuid4().hex}"}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_logins_keep_working_when_redis_is_down(app_factory):
    # Port 1 never answers: rate limits fall back to memory, the WeChat token cache to a miss.
    app = app_factory(
        REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"
    )
    client = app.test_client()
    login = client.post("/api/v1/auth/wechat/login", json={"code": f"carol.{uuid.uuid4().hex}"})
    assert login.status_code == 200
    assert _staff_login(client).status_code == 401
    assert client.get("/readyz").status_code == 503


def test_the_check_before_every_request_is_there_only_when_a_global_limit_needs_it(app):
    # Not by creating an app with RATELIMIT_DEFAULT: the Limiter is shared by every app in
    # the process and would keep that default for all the tests after this one.
    from app import _check_limits_in_their_routes_only
    from miniprogram_api.extensions import limiter

    hooks = app.before_request_funcs[None]
    assert limiter._check_request_limit not in hooks  # decorated limits check themselves
    hooks.append(limiter._check_request_limit)  # as Flask-Limiter's init_app installs it
    app.config["RATELIMIT_DEFAULT"] = "2 per minute"
    _check_limits_in_their_routes_only(app)
    assert limiter._check_request_limit in hooks
