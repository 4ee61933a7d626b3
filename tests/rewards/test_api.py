"""The perks, redemption, merchant and admin endpoints over the test client (API.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import business_time, now
from ledger import operations as ledger_ops
from ledger import queries
from volunteering.sessions.models import VolunteerHours


@pytest.fixture
def admin(make_staff):
    return make_staff("province_admin", "330000")


@pytest.fixture
def new_merchant(client, admin):
    def create(name="西湖边咖啡馆", region_code="330106", headers=None):
        response = client.post(
            "/api/v1/admin/merchants",
            json={"name": name, "region_code": region_code, "address": "北山街 1 号"},
            headers=headers or admin,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture
def new_perk(client, admin, new_merchant):
    def create(merchant=None, **fields):
        merchant = merchant or new_merchant()
        body = {
            "merchant_id": merchant["id"],
            "title": "美式咖啡一杯",
            "description": "凭码到店兑换",
            "cost_points": 100,
            "stock": 5,
            "per_user_limit": 1,
            "min_star_level": 0,
            **fields,
        }
        response = client.post("/api/v1/admin/perks", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture
def volunteer(client, login_volunteer, session):
    """A signed-in volunteer with 500 points."""
    login = login_volunteer("alice")
    client.patch("/api/v1/me", json={"nickname": "张三丰"}, headers=login["headers"])
    ledger_ops.earn(session, login["volunteer"]["id"], 500, reference="test:alice")
    return login


@pytest.fixture
def cashier(client, login_volunteer):
    """Bind a fresh WeChat account as staff of *merchant*; return its headers."""

    def bind(merchant, user="cashier"):
        login = login_volunteer(user)
        response = client.post(
            "/api/v1/merchant/bind",
            json={"bind_code": merchant["bind_code"]},
            headers=login["headers"],
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["merchant"]["id"] == merchant["id"]
        return login["headers"]

    return bind


def _reserve(client, headers, perk_id, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/redemptions", json={"perk_id": perk_id}, headers={**headers, **extra}
    )


def _confirm(client, headers, code, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/merchant/redemptions/confirm", json={"code": code}, headers={**headers, **extra}
    )


def test_a_volunteers_day_reserve_then_the_merchant_confirms(
    client, session, volunteer, new_merchant, new_perk, cashier
):
    merchant = new_merchant()
    perk = new_perk(merchant, cost_points=120)
    till = cashier(merchant)

    reserved = _reserve(client, volunteer["headers"], perk["id"])
    assert reserved.status_code == 201, reserved.get_json()
    body = reserved.get_json()
    assert set(body) >= {"redemption_id", "code", "expires_at", "status", "points_held"}
    assert (body["status"], body["points_held"]) == ("reserved", 120)
    me = client.get("/api/v1/me", headers=volunteer["headers"]).get_json()
    assert me["points"] == {**me["points"], "balance": 500, "held": 120, "available": 380}

    confirmed = _confirm(client, till, body["code"])
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json() == {
        "redemption_id": body["redemption_id"],
        "status": "fulfilled",
        "perk": {"id": perk["id"], "title": "美式咖啡一杯"},
        "volunteer": {"nickname_masked": "张**"},
        "points": 120,
    }

    shown = client.get(f"/api/v1/redemptions/{body['redemption_id']}", headers=volunteer["headers"])
    assert shown.get_json()["status"] == "fulfilled"
    assert queries.volunteer_balance(session, volunteer["volunteer"]["id"]).balance == 380
    assert queries.balance_of(session, f"merchant:{merchant['id']}").balance == 120

    listed = client.get("/api/v1/merchant/redemptions", headers=till).get_json()
    assert [item["redemption_id"] for item in listed["items"]] == [body["redemption_id"]]
    month = business_time(now()).strftime("%Y-%m")
    summary = client.get(f"/api/v1/merchant/summary?month={month}", headers=till).get_json()
    assert summary == {"month": month, "fulfilled": 1, "points": 120}
    assert client.get("/api/v1/merchant/summary?month=2001-01", headers=till).get_json() == {
        "month": "2001-01",
        "fulfilled": 0,
        "points": 0,
    }
    assert client.get("/api/v1/merchant/summary", headers=till).get_json()["fulfilled"] == 1


@pytest.mark.parametrize("month", ["2027-13", "2027-1", "27-01", "abcd-ef", "0000-01"])
def test_an_invalid_summary_month_is_422(client, new_merchant, cashier, month):
    till = cashier(new_merchant())
    response = client.get(f"/api/v1/merchant/summary?month={month}", headers=till)
    assert response.status_code == 422
    assert response.get_json()["code"] == "VALIDATION_ERROR"


def test_same_idempotency_key_replays_and_another_body_is_refused(client, volunteer, new_perk):
    perk, other = new_perk(), new_perk()

    first = _reserve(client, volunteer["headers"], perk["id"], key="tap-1")
    again = _reserve(client, volunteer["headers"], perk["id"], key="tap-1")
    reused = _reserve(client, volunteer["headers"], other["id"], key="tap-1")

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert reused.status_code == 422
    assert reused.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    mine = client.get("/api/v1/redemptions", headers=volunteer["headers"]).get_json()
    assert len(mine["items"]) == 1


def test_a_refusal_under_a_key_is_replayed_too(client, volunteer, new_perk):
    perk = new_perk(cost_points=501)
    first = _reserve(client, volunteer["headers"], perk["id"], key="k")
    again = _reserve(client, volunteer["headers"], perk["id"], key="k")
    assert first.status_code == again.status_code == 409
    assert first.get_json() == again.get_json()
    assert first.get_json()["code"] == "INSUFFICIENT_POINTS"


def test_reservation_refusals_carry_the_api_codes(
    client, session, volunteer, login_volunteer, new_perk
):
    headers = volunteer["headers"]
    cases = [
        (new_perk(cost_points=501), 409, "INSUFFICIENT_POINTS"),
        (new_perk(stock=0), 409, "OUT_OF_STOCK"),
        (new_perk(active=False), 409, "PERK_NOT_AVAILABLE"),
        (
            new_perk(valid_from=(now() + timedelta(days=1)).isoformat()),
            409,
            "PERK_NOT_AVAILABLE",
        ),
        (new_perk(min_star_level=1), 403, "STAR_LEVEL_TOO_LOW"),
    ]
    for perk, status, code in cases:
        response = _reserve(client, headers, perk["id"])
        assert (response.status_code, response.get_json()["code"]) == (status, code), perk
        assert response.get_json()["message"]

    limited = new_perk(per_user_limit=1)
    assert _reserve(client, headers, limited["id"]).status_code == 201
    response = _reserve(client, headers, limited["id"])
    assert (response.status_code, response.get_json()["code"]) == (409, "LIMIT_REACHED")

    missing = _reserve(client, headers, 987654)
    assert (missing.status_code, missing.get_json()["code"]) == (404, "NOT_FOUND")
    malformed = client.post("/api/v1/redemptions", json={"perk_id": "x"}, headers=headers)
    assert malformed.status_code == 422


def test_a_hundred_hours_reach_the_first_star(client, session, volunteer, new_perk):
    perk = new_perk(min_star_level=1)
    session.add(VolunteerHours(volunteer_id=volunteer["volunteer"]["id"], system_minutes=6000))
    session.commit()
    assert _reserve(client, volunteer["headers"], perk["id"]).status_code == 201


def test_confirm_refusals_carry_the_api_codes(
    client, app, volunteer, login_volunteer, new_merchant, new_perk, cashier
):
    merchant = new_merchant()
    perk = new_perk(merchant, per_user_limit=None)
    till = cashier(merchant)
    elsewhere = cashier(new_merchant(name="别家书店"), user="bookseller")
    code = _reserve(client, volunteer["headers"], perk["id"]).get_json()["code"]

    def refused(headers, text):
        response = _confirm(client, headers, text)
        return response.status_code, response.get_json()["code"]

    assert refused(login_volunteer("nobody")["headers"], code) == (403, "FORBIDDEN")
    assert refused(elsewhere, code) == (403, "WRONG_MERCHANT")
    assert refused(till, "22222-22222") == (404, "REDEMPTION_CODE_INVALID")
    assert refused(till, "?") == (404, "REDEMPTION_CODE_INVALID")
    assert _confirm(client, till, code.replace("-", "").lower()).status_code == 200
    assert refused(till, code) == (409, "ALREADY_FULFILLED")

    cancelled = _reserve(client, volunteer["headers"], perk["id"]).get_json()
    client.delete(f"/api/v1/redemptions/{cancelled['redemption_id']}", headers=volunteer["headers"])
    assert refused(till, cancelled["code"]) == (409, "REDEMPTION_CANCELLED")

    lapsed = _reserve(client, volunteer["headers"], perk["id"]).get_json()
    later = (now() + timedelta(minutes=16)).isoformat()
    result = app.test_cli_runner().invoke(args=["redemptions", "expire-holds", "--at", later])
    assert "expired 1 redemptions" in result.output, result.output
    assert refused(till, lapsed["code"]) == (410, "REDEMPTION_EXPIRED")
    shown = client.get(
        f"/api/v1/redemptions/{lapsed['redemption_id']}", headers=volunteer["headers"]
    )
    assert shown.get_json()["status"] == "expired"


def test_confirm_replays_under_its_key(client, volunteer, new_merchant, new_perk, cashier):
    merchant = new_merchant()
    till = cashier(merchant)
    code = _reserve(client, volunteer["headers"], new_perk(merchant)["id"]).get_json()["code"]
    first = _confirm(client, till, code, key="scan-1")
    again = _confirm(client, till, code, key="scan-1")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert _confirm(client, till, code, key="scan-2").get_json()["code"] == "ALREADY_FULFILLED"


def test_only_the_owner_sees_or_cancels_a_redemption(
    client, session, volunteer, login_volunteer, new_merchant, new_perk, cashier
):
    merchant = new_merchant()
    perk = new_perk(merchant, stock=1)
    reserved = _reserve(client, volunteer["headers"], perk["id"]).get_json()
    path = f"/api/v1/redemptions/{reserved['redemption_id']}"
    stranger = login_volunteer("mallory")["headers"]

    assert client.get(path, headers=stranger).status_code == 404
    assert client.delete(path, headers=stranger).status_code == 404
    shown = client.get(path, headers=volunteer["headers"]).get_json()
    assert (shown["status"], shown["code"], shown["points_held"]) == (
        "reserved",
        reserved["code"],
        100,
    )

    cancelled = client.delete(path, headers=volunteer["headers"])
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["status"], cancelled.get_json()["points_held"]) == ("cancelled", 0)
    assert client.delete(path, headers=volunteer["headers"]).status_code == 200
    assert queries.volunteer_balance(session, volunteer["volunteer"]["id"]).held == 0
    catalog = client.get("/api/v1/perks", headers=volunteer["headers"]).get_json()
    assert catalog["items"][0]["stock_left"] == 1

    again = _reserve(client, volunteer["headers"], perk["id"]).get_json()
    _confirm(client, cashier(merchant), again["code"])
    fulfilled = client.delete(
        f"/api/v1/redemptions/{again['redemption_id']}", headers=volunteer["headers"]
    )
    assert (fulfilled.status_code, fulfilled.get_json()["code"]) == (409, "ALREADY_FULFILLED")


def test_the_catalog_filters_by_region_and_by_what_you_can_afford(
    client, volunteer, new_merchant, new_perk
):
    xihu = new_perk(new_merchant("西湖边咖啡馆", "330106"), title="西湖区")
    hangzhou = new_perk(new_merchant("杭州单车", "330100"), title="杭州市")
    province = new_perk(new_merchant("浙江博物馆联盟", "330000"), title="全省")
    ningbo = new_perk(new_merchant("宁波博物馆", "330203"), title="海曙区", cost_points=600)
    new_perk(title="已下架", active=False)
    new_perk(
        title="已结束",
        valid_from=(now() - timedelta(days=2)).isoformat(),
        valid_until=(now() - timedelta(days=1)).isoformat(),
    )

    def titles(query=""):
        response = client.get(f"/api/v1/perks{query}", headers=volunteer["headers"])
        assert response.status_code == 200, response.get_json()
        return {item["title"] for item in response.get_json()["items"]}

    assert titles() == {"西湖区", "杭州市", "全省", "海曙区"}
    assert titles("?region_code=330106") == {"西湖区", "杭州市", "全省"}
    assert titles("?region_code=330100") == {"西湖区", "杭州市", "全省"}
    assert titles("?region_code=330200") == {"海曙区", "全省"}
    assert titles("?affordable=true") == {"西湖区", "杭州市", "全省"}
    assert titles("?region_code=330200&affordable=true") == {"全省"}
    assert (
        client.get("/api/v1/perks?region_code=999999", headers=volunteer["headers"]).status_code
        == 422
    )

    first = client.get("/api/v1/perks?limit=3", headers=volunteer["headers"]).get_json()
    rest = client.get(
        f"/api/v1/perks?limit=3&cursor={first['next_cursor']}", headers=volunteer["headers"]
    ).get_json()
    assert [i["id"] for i in first["items"]] == [ningbo["id"], province["id"], hangzhou["id"]]
    assert [i["id"] for i in rest["items"]] == [xihu["id"]] and rest["next_cursor"] is None
    item = first["items"][0]
    assert set(item) >= {
        "id",
        "title",
        "merchant",
        "cost_points",
        "stock_left",
        "per_user_limit",
        "valid_from",
        "valid_until",
        "min_star_level",
    }
    assert set(item["merchant"]) >= {"id", "name"}


def test_admin_merchants_are_region_scoped_and_never_leak(
    client, make_staff, admin, new_merchant, new_perk
):
    hangzhou = make_staff("city_admin", "330100")
    ningbo = make_staff("city_admin", "330200")
    auditor = make_staff("auditor", "330100")
    merchant = new_merchant(headers=hangzhou)

    outside = client.post(
        "/api/v1/admin/merchants",
        json={"name": "越界", "region_code": "330203", "address": ""},
        headers=hangzhou,
    )
    assert (outside.status_code, outside.get_json()["code"]) == (403, "FORBIDDEN")
    path = f"/api/v1/admin/merchants/{merchant['id']}"
    for method, url, body in [
        ("get", path, None),
        ("patch", path, {"name": "改名"}),
        ("post", path + "/bind-code", None),
        ("delete", path + "/staff/1", None),
    ]:
        response = getattr(client, method)(url, json=body, headers=ningbo)
        assert (response.status_code, response.get_json()["code"]) == (404, "NOT_FOUND"), url
    assert client.get("/api/v1/admin/merchants", headers=ningbo).get_json()["items"] == []
    assert [
        m["id"] for m in client.get("/api/v1/admin/merchants", headers=auditor).get_json()["items"]
    ] == [merchant["id"]]
    assert client.patch(path, json={"name": "x"}, headers=auditor).status_code == 403

    perk = new_perk(merchant)
    perk_path = f"/api/v1/admin/perks/{perk['id']}"
    assert client.get(perk_path, headers=ningbo).status_code == 404
    assert client.patch(perk_path, json={"title": "x"}, headers=ningbo).status_code == 404
    assert (
        client.post(perk_path + "/restock", json={"quantity": 1}, headers=ningbo).status_code == 404
    )
    perk_elsewhere = client.post(
        "/api/v1/admin/perks",
        json={"merchant_id": merchant["id"], "title": "x", "cost_points": 1, "stock": 1},
        headers=ningbo,
    )
    assert perk_elsewhere.status_code == 404
    assert client.get("/api/v1/admin/perks", headers=ningbo).get_json()["items"] == []


def test_bind_codes_reissue_and_staff_unbind(
    client, admin, login_volunteer, new_merchant, new_perk, volunteer
):
    merchant = new_merchant()
    path = f"/api/v1/admin/merchants/{merchant['id']}"
    staff = login_volunteer("barista")

    unknown = client.post(
        "/api/v1/merchant/bind", json={"bind_code": "2222-2222-2222"}, headers=staff["headers"]
    )
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "NOT_FOUND")
    assert client.get("/api/v1/merchant", headers=staff["headers"]).status_code == 403

    reissued = client.post(path + "/bind-code", headers=admin).get_json()
    assert reissued["bind_code"] != merchant["bind_code"]
    stale = client.post(
        "/api/v1/merchant/bind", json={"bind_code": merchant["bind_code"]}, headers=staff["headers"]
    )
    assert stale.status_code == 404
    bound = client.post(
        "/api/v1/merchant/bind",
        json={"bind_code": reissued["bind_code"].lower()},
        headers=staff["headers"],
    )
    assert bound.status_code == 200
    detail = client.get(path, headers=admin).get_json()
    assert [s["volunteer_id"] for s in detail["staff"]] == [staff["volunteer"]["id"]]

    gone = client.delete(f"{path}/staff/{staff['volunteer']['id']}", headers=admin)
    assert gone.status_code == 204
    assert (
        client.delete(f"{path}/staff/{staff['volunteer']['id']}", headers=admin).status_code == 404
    )
    code = _reserve(client, volunteer["headers"], new_perk(merchant)["id"]).get_json()["code"]
    refused = _confirm(client, staff["headers"], code)
    assert (refused.status_code, refused.get_json()["code"]) == (403, "FORBIDDEN")


def test_perk_edits_and_restocks_are_audited(client, admin, new_perk, volunteer):
    perk = new_perk(stock=1)
    path = f"/api/v1/admin/perks/{perk['id']}"
    assert _reserve(client, volunteer["headers"], perk["id"]).status_code == 201

    patched = client.patch(path, json={"title": "拿铁一杯", "cost_points": 150}, headers=admin)
    assert patched.status_code == 200
    assert (patched.get_json()["title"], patched.get_json()["cost_points"]) == ("拿铁一杯", 150)
    restocked = client.post(
        path + "/restock", json={"quantity": 4}, headers={**admin, "Idempotency-Key": "r1"}
    )
    replay = client.post(
        path + "/restock", json={"quantity": 4}, headers={**admin, "Idempotency-Key": "r1"}
    )
    assert restocked.status_code == replay.status_code == 200
    assert (restocked.get_json()["stock_total"], restocked.get_json()["stock_left"]) == (5, 4)
    assert client.get(path, headers=admin).get_json()["stock_left"] == 4

    audit = client.get(path + "/audit", headers=admin).get_json()["items"]
    assert [a["action"] for a in audit] == ["restock", "update", "create"]
    assert audit[1]["changes"] == {"title": ["美式咖啡一杯", "拿铁一杯"], "cost_points": [100, 150]}
    assert audit[0]["changes"]["stock_left"] == [0, 4]
    assert all(a["staff_id"] for a in audit)


@pytest.mark.parametrize(
    "fields",
    [
        {"cost_points": 0},
        {"stock": -1},
        {"per_user_limit": 0},
        {"limit_period": "weekly"},
        {"valid_from": "2027-01-01T00:00:00"},
        {"valid_from": "2027-02-01T00:00:00+08:00", "valid_until": "2027-01-01T00:00:00+08:00"},
        {"region_code": "110000"},
        {"surprise": 1},
    ],
)
def test_bad_perks_are_422_not_500(client, admin, new_merchant, fields):
    merchant = new_merchant()
    body = {"merchant_id": merchant["id"], "title": "t", "cost_points": 1, "stock": 1, **fields}
    response = client.post("/api/v1/admin/perks", json=body, headers=admin)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "VALIDATION_ERROR"


def test_tokens_of_the_wrong_kind_are_forbidden(client, admin, volunteer):
    assert client.get("/api/v1/perks", headers=admin).status_code == 403
    assert (
        client.post("/api/v1/merchant/bind", json={"bind_code": "x"}, headers=admin).status_code
        == 403
    )
    assert client.get("/api/v1/admin/merchants", headers=volunteer["headers"]).status_code == 403
    assert client.get("/api/v1/perks").status_code == 401
