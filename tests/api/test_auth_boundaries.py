"""Who may call what: no token, bad token, expired token, wrong kind of token, refresh."""

import time
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from identity.models import Staff


def code_of(response):
    return response.status_code, response.get_json()["code"]


def test_no_token_is_unauthenticated(client):
    assert code_of(client.get("/api/v1/me")) == (401, "UNAUTHENTICATED")
    assert code_of(client.get("/api/v1/admin/me")) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer a.b.c", "Basic abc", "Bearer"])
def test_garbage_token_is_unauthenticated(client, header):
    status, code = code_of(client.get("/api/v1/me", headers={"Authorization": header}))
    assert status == 401
    assert code == "UNAUTHENTICATED"


def test_token_signed_with_another_key_is_unauthenticated(app_factory, login_volunteer, client):
    other = app_factory(JWT_SECRET_KEY="another-secret-key-0123456789abcdef0123456789")
    with other.app_context():
        forged = create_access_token("1", additional_claims={"kind": "volunteer"})
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert code_of(response) == (401, "UNAUTHENTICATED")


def test_a_token_accepted_before_is_refused_once_it_expires(app, client, login_volunteer):
    volunteer_id = login_volunteer()["volunteer"]["id"]
    short = create_access_token(
        str(volunteer_id),
        additional_claims={"kind": "volunteer"},
        expires_delta=timedelta(seconds=1),
    )
    headers = {"Authorization": f"Bearer {short}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # verified, remembered
    time.sleep(1.1)
    assert code_of(client.get("/api/v1/me", headers=headers)) == (401, "TOKEN_EXPIRED")


def test_a_token_one_app_accepted_is_refused_by_an_app_with_another_key(
    app_factory, login_volunteer, client
):
    token = login_volunteer()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # remembered here
    other = app_factory(JWT_SECRET_KEY="another-secret-key-0123456789abcdef0123456789")
    response = other.test_client().get("/api/v1/me", headers=headers)
    assert code_of(response) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/me", None),
        ("GET", "/api/v1/redemptions", None),
        ("POST", "/api/v1/redemptions", {"perk_id": 1}),
        ("POST", "/api/v1/merchant/redemptions/confirm", {"code": "ABCDE-FGHJK"}),
    ],
)
def test_token_of_a_volunteer_who_no_longer_exists_is_unauthenticated(
    app, client, method, path, body
):
    with app.app_context():
        orphan = create_access_token("987654321", additional_claims={"kind": "volunteer"})
    headers = {"Authorization": f"Bearer {orphan}", "Idempotency-Key": "k-1"}
    response = client.open(path, method=method, json=body, headers=headers)
    assert code_of(response) == (401, "UNAUTHENTICATED")


def test_expired_token_says_token_expired(client, login_volunteer):
    volunteer_id = login_volunteer()["volunteer"]["id"]
    expired = create_access_token(
        str(volunteer_id),
        additional_claims={"kind": "volunteer"},
        expires_delta=timedelta(seconds=-1),
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert code_of(response) == (401, "TOKEN_EXPIRED")


def test_volunteer_token_on_staff_endpoint_is_forbidden(client, volunteer_headers):
    assert code_of(client.get("/api/v1/admin/me", headers=volunteer_headers)) == (
        403,
        "FORBIDDEN",
    )


def test_staff_token_on_volunteer_endpoint_is_forbidden(client, make_staff):
    headers = make_staff("city_admin", "330100")
    assert code_of(client.get("/api/v1/me", headers=headers)) == (403, "FORBIDDEN")


def test_refresh_token_cannot_be_used_as_access_token(client, login_volunteer):
    tokens = login_volunteer()
    response = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status_code == 401


def test_access_token_cannot_be_used_to_refresh(client, login_volunteer):
    response = client.post("/api/v1/auth/refresh", headers=login_volunteer()["headers"])
    assert response.status_code == 401


def test_volunteer_refresh_gives_a_working_access_token(client, login_volunteer):
    tokens = login_volunteer()
    response = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status_code == 200
    fresh = response.get_json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"})
    assert me.get_json()["id"] == tokens["volunteer"]["id"]


def _staff_login(client, username, password):
    return client.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": password}
    )


def test_staff_login_returns_roles_and_region(client, make_staff):
    make_staff("county_admin", "330106", username="xihu")
    response = _staff_login(client, "xihu", "correct horse battery staple")
    assert response.status_code == 200
    staff = response.get_json()["staff"]
    assert staff["roles"] == ["county_admin"]
    assert staff["region_code"] == "330106"
    assert "password" not in response.get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_staff):
    make_staff("city_admin", "330100", username="hangzhou")
    wrong = _staff_login(client, "hangzhou", "wrong password")
    unknown = _staff_login(client, "nobody", "wrong password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["code"] == "INVALID_CREDENTIALS"


def test_deactivated_staff_can_neither_log_in_nor_refresh(client, session, make_staff):
    make_staff("city_admin", "330100", username="leaver")
    tokens = _staff_login(client, "leaver", "correct horse battery staple").get_json()
    staff = session.query(Staff).filter_by(username="leaver").one()
    staff.is_active = False
    session.commit()
    assert _staff_login(client, "leaver", "correct horse battery staple").status_code == 401
    refreshed = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert code_of(refreshed) == (401, "UNAUTHENTICATED")


def test_staff_refresh_reads_current_roles(client, make_staff):
    make_staff("city_admin", "330100", username="refresher")
    tokens = _staff_login(client, "refresher", "correct horse battery staple").get_json()
    response = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status_code == 200
    me = client.get(
        "/api/v1/admin/me",
        headers={"Authorization": f"Bearer {response.get_json()['access_token']}"},
    )
    assert me.get_json()["roles"] == ["city_admin"]
    assert me.get_json()["region_name"] == "浙江省杭州市"


def test_city_admin_sees_only_its_city_subtree(client, make_staff):
    headers = make_staff("city_admin", "330200")
    codes = {
        r["code"] for r in client.get("/api/v1/admin/regions", headers=headers).get_json()["items"]
    }
    assert "330200" in codes
    assert "330212" in codes
    assert "330100" not in codes
    assert "330000" not in codes
    assert len(codes) == 11  # Ningbo and its ten county-level divisions
