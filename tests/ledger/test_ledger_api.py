"""The ledger's HTTP contract: /me points and history, staff adjustments, the summary."""

from __future__ import annotations

import uuid

import pytest

from ledger import operations
from miniprogram_api.pagination import encode_cursor

ADJUST = "/api/v1/admin/ledger/adjustments"


@pytest.fixture
def alice(client, login_volunteer):
    """A signed-in volunteer living in 西湖区 (330106)."""
    login = login_volunteer("alice")
    client.patch("/api/v1/me", json={"region_code": "330106"}, headers=login["headers"])
    return {"id": login["volunteer"]["id"], "headers": login["headers"]}


def key() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


def adjust(client, staff, volunteer_id, amount=50, reason="补录植树活动积分", headers=None):
    return client.post(
        ADJUST,
        json={"volunteer_id": volunteer_id, "amount": amount, "reason": reason},
        headers={**staff, **(headers or key())},
    )


def test_me_shows_the_points_block(client, session, alice):
    def points():
        block = client.get("/api/v1/me", headers=alice["headers"]).get_json()["points"]
        return {name: block[name] for name in ("balance", "available", "held")}

    assert points() == {"balance": 0, "available": 0, "held": 0}
    operations.earn(session, alice["id"], 80)
    assert points() == {"balance": 80, "available": 80, "held": 0}


def test_my_ledger_pages_newest_first(client, session, alice):
    for amount in range(1, 26):
        operations.earn(session, alice["id"], amount, memo=f"服务 {amount}")

    first = client.get("/api/v1/me/ledger", headers=alice["headers"]).get_json()
    assert len(first["items"]) == 20
    assert [item["amount"] for item in first["items"][:2]] == [25, 24]
    assert set(first["items"][0]) == {"id", "amount", "kind", "memo", "balance_after", "created_at"}
    assert first["items"][0]["kind"] == "earn"
    assert first["items"][0]["balance_after"] == sum(range(1, 26))
    assert first["items"][0]["created_at"].endswith("+00:00")

    second = client.get(
        f"/api/v1/me/ledger?cursor={first['next_cursor']}", headers=alice["headers"]
    ).get_json()
    assert [item["amount"] for item in second["items"]] == [5, 4, 3, 2, 1]
    assert second["next_cursor"] is None

    small = client.get("/api/v1/me/ledger?limit=3", headers=alice["headers"]).get_json()
    assert len(small["items"]) == 3 and small["next_cursor"]


def test_an_empty_ledger_is_an_empty_page(client, alice):
    body = client.get("/api/v1/me/ledger", headers=alice["headers"]).get_json()
    assert body == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    "query",
    [
        "cursor=!!!not-a-cursor",
        f"cursor={encode_cursor({'v': 'x'})}",
        "cursor=W10",
        "limit=101",
        "limit=0",
    ],
)
def test_bad_paging_parameters_are_validation_errors(client, alice, query):
    response = client.get(f"/api/v1/me/ledger?{query}", headers=alice["headers"])
    assert response.status_code == 422
    assert response.get_json()["code"] == "VALIDATION_ERROR"


def test_my_ledger_needs_a_volunteer_token(client, make_staff):
    assert client.get("/api/v1/me/ledger").status_code == 401
    assert client.get("/api/v1/me/ledger", headers=make_staff()).status_code == 403


def test_an_admin_adjusts_a_volunteer_in_their_region(client, alice, make_staff):
    response = adjust(client, make_staff("county_admin", "330106"), alice["id"], 50)

    assert response.status_code == 201
    entry = response.get_json()
    assert entry["amount"] == 50 and entry["balance_after"] == 50
    assert entry["kind"] == "adjustment" and entry["memo"] == "补录植树活动积分"
    assert entry["volunteer_id"] == alice["id"]
    history = client.get("/api/v1/me/ledger", headers=alice["headers"]).get_json()["items"]
    assert history[0]["id"] == entry["id"]


def test_the_same_key_and_body_replay_the_first_response(client, alice, make_staff):
    staff = make_staff()
    headers = key()
    first = adjust(client, staff, alice["id"], 30, headers=headers)
    again = adjust(client, staff, alice["id"], 30, headers=headers)

    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get("/api/v1/me", headers=alice["headers"]).get_json()["points"]["balance"] == 30


def test_the_same_key_with_another_body_is_refused(client, alice, make_staff):
    staff = make_staff()
    headers = key()
    adjust(client, staff, alice["id"], 30, headers=headers)
    reused = adjust(client, staff, alice["id"], 31, headers=headers)

    assert reused.status_code == 422
    assert reused.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert client.get("/api/v1/me", headers=alice["headers"]).get_json()["points"]["balance"] == 30


def test_a_refusal_is_replayed_too(client, alice, make_staff):
    staff = make_staff()
    headers = key()
    first = adjust(client, staff, alice["id"], -5, reason="纠错", headers=headers)
    assert first.status_code == 409
    assert first.get_json()["code"] == "INSUFFICIENT_POINTS"
    again = adjust(client, staff, alice["id"], -5, reason="纠错", headers=headers)
    assert (again.status_code, again.get_json()) == (409, first.get_json())


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": ""}, {"Idempotency-Key": "k" * 256}])
def test_an_adjustment_needs_an_idempotency_key(client, alice, make_staff, headers):
    response = client.post(
        ADJUST,
        json={"volunteer_id": alice["id"], "amount": 5, "reason": "补录"},
        headers={**make_staff(), **headers},
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["details"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 5}, "reason"),
        ({"amount": 5, "reason": ""}, "reason"),
        ({"amount": 0, "reason": "补录"}, "amount"),
        ({"amount": "5", "reason": "补录"}, "amount"),
        ({"amount": 2.5, "reason": "补录"}, "amount"),
        ({"amount": 10**7, "reason": "补录"}, "amount"),
    ],
)
def test_an_adjustment_needs_a_reason_and_a_whole_nonzero_amount(
    client, alice, make_staff, body, field
):
    response = client.post(
        ADJUST, json={"volunteer_id": alice["id"], **body}, headers={**make_staff(), **key()}
    )
    assert response.status_code == 422
    assert field in response.get_json()["details"]["fields"]


def test_staff_cannot_reach_volunteers_outside_their_region(client, alice, make_staff):
    ningbo = make_staff("city_admin", "330200")
    outside = adjust(client, ningbo, alice["id"])
    missing = adjust(client, ningbo, 10**9)

    assert outside.status_code == missing.status_code == 404
    assert outside.get_json()["message"] == missing.get_json()["message"]
    assert client.get("/api/v1/me", headers=alice["headers"]).get_json()["points"]["balance"] == 0


@pytest.mark.parametrize("role,region", [("station_manager", "330106"), ("auditor", "330000")])
def test_only_admins_adjust(client, alice, make_staff, role, region):
    assert adjust(client, make_staff(role, region), alice["id"]).status_code == 403


def test_volunteers_cannot_adjust(client, alice):
    assert adjust(client, alice["headers"], alice["id"]).status_code == 403


def test_the_summary_adds_up(client, session, alice, make_volunteer, make_staff):
    ningbo_volunteer = make_volunteer(region_code="330203")
    operations.earn(session, alice["id"], 100)
    operations.earn(session, ningbo_volunteer, 40)
    operations.redeem(session, alice["id"], 1, 30)
    operations.adjust(session, ningbo_volunteer, -10, reason="纠错")

    province = client.get("/api/v1/admin/ledger/summary", headers=make_staff()).get_json()
    assert province == {
        "issued": 140,
        "redeemed": 30,
        "expired": 0,
        "held": 0,
        "outstanding": 100,
        "adjusted": -10,
        "sum_of_all_accounts": 0,
    }
    hangzhou = client.get(
        "/api/v1/admin/ledger/summary", headers=make_staff("city_admin", "330100")
    ).get_json()
    assert (hangzhou["issued"], hangzhou["redeemed"], hangzhou["outstanding"]) == (100, 30, 70)
    assert hangzhou["sum_of_all_accounts"] == 0
    auditor = make_staff("auditor", "330200")
    assert (
        client.get("/api/v1/admin/ledger/summary", headers=auditor).get_json()["outstanding"] == 30
    )


def test_the_summary_is_for_staff(client, alice):
    assert client.get("/api/v1/admin/ledger/summary", headers=alice["headers"]).status_code == 403


def test_the_openapi_document_describes_the_ledger(client):
    spec = client.get("/api/openapi.json").get_json()
    assert {
        "/api/v1/me/ledger",
        "/api/v1/admin/ledger/adjustments",
        "/api/v1/admin/ledger/summary",
    } <= set(spec["paths"])
    post = spec["paths"]["/api/v1/admin/ledger/adjustments"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
