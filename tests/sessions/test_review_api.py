"""Review of sessions in review: approve (with minutes), reject, void; scoped by region."""

from __future__ import annotations

import pytest

from miniprogram_api.extensions import db
from volunteering.stations.models import StationManager


@pytest.fixture
def pending(scan, backdate, volunteer_headers, station):
    """A session sent to review because it was only ten minutes long."""
    session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
    backdate(session_id, 10)
    assert scan("checkouts", volunteer_headers, station).get_json()["status"] == "pending_review"
    return session_id


@pytest.fixture
def approved(scan, backdate, volunteer_headers, station):
    session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
    backdate(session_id, 120)
    assert scan("checkouts", volunteer_headers, station).get_json()["status"] == "approved"
    return session_id


def me(client, headers):
    return client.get("/api/v1/me", headers=headers).get_json()


def test_the_queue_shows_sessions_in_review_with_masked_volunteers(
    client, make_staff, pending, volunteer_headers
):
    client.patch("/api/v1/me", json={"real_name": "张三丰"}, headers=volunteer_headers)
    admin = make_staff("county_admin", "330106")
    queue = client.get("/api/v1/admin/sessions?status=pending_review", headers=admin).get_json()
    assert [item["session_id"] for item in queue["items"]] == [pending]
    item = queue["items"][0]
    assert item["volunteer"]["real_name_masked"] == "张**"
    assert item["review_reasons"] == ["too_short"]
    assert item["measured_minutes"] == 10


def test_approve_with_corrected_minutes_credits_hours_and_mints_points(
    client, make_staff, pending, volunteer_headers
):
    admin = make_staff("city_admin", "330100")
    response = client.post(
        f"/api/v1/admin/sessions/{pending}/approve", json={"minutes": 90}, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "approved"
    assert response.get_json()["points_awarded"] == 15
    profile = me(client, volunteer_headers)
    assert profile["hours"]["system_minutes"] == 90
    assert profile["points"]["balance"] == 15
    again = client.post(f"/api/v1/admin/sessions/{pending}/approve", json={}, headers=admin)
    assert again.status_code == 409
    assert me(client, volunteer_headers)["points"]["balance"] == 15  # minted exactly once


def test_reject_records_nothing(client, make_staff, pending, volunteer_headers):
    admin = make_staff("province_admin", "330000")
    response = client.post(
        f"/api/v1/admin/sessions/{pending}/reject", json={"reason": "未在岗"}, headers=admin
    )
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["review_note"] == "未在岗"
    assert me(client, volunteer_headers)["hours"]["minutes"] == 0
    missing_reason = client.post(f"/api/v1/admin/sessions/{pending}/reject", json={}, headers=admin)
    assert missing_reason.status_code == 422


def test_void_after_approval_takes_back_hours_and_points_and_the_ledger_verifies(
    app, client, make_staff, approved, volunteer_headers
):
    assert me(client, volunteer_headers)["points"]["balance"] == 20
    admin = make_staff("county_admin", "330106")
    response = client.post(
        f"/api/v1/admin/sessions/{approved}/void", json={"reason": "重复记录"}, headers=admin
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "voided"
    profile = me(client, volunteer_headers)
    assert profile["hours"]["minutes"] == 0
    assert profile["points"]["balance"] == 0
    kinds = [
        item["kind"]
        for item in client.get("/api/v1/me/ledger", headers=volunteer_headers).get_json()["items"]
    ]
    assert kinds == ["reversal", "earn"]
    verify = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output


def test_another_citys_admin_cannot_see_or_review(client, make_staff, pending):
    ningbo = make_staff("city_admin", "330200")
    assert client.get("/api/v1/admin/sessions", headers=ningbo).get_json()["items"] == []
    response = client.post(f"/api/v1/admin/sessions/{pending}/approve", json={}, headers=ningbo)
    assert response.status_code == 404


def test_auditor_reads_but_cannot_review(client, make_staff, pending):
    auditor = make_staff("auditor", "330000")
    assert len(client.get("/api/v1/admin/sessions", headers=auditor).get_json()["items"]) == 1
    response = client.post(f"/api/v1/admin/sessions/{pending}/approve", json={}, headers=auditor)
    assert response.status_code == 403


def test_station_manager_reviews_only_their_stations(
    app, client, make_staff, pending, station, session
):
    from identity.models import Staff

    manager_headers = make_staff("station_manager", "330106", username="mgr")
    manager = session.query(Staff).filter_by(username="mgr").one()
    assert client.get("/api/v1/admin/sessions", headers=manager_headers).get_json()["items"] == []
    db.session.add(StationManager(station_id=station.id, staff_id=manager.id))
    db.session.commit()
    response = client.post(
        f"/api/v1/admin/sessions/{pending}/approve", json={}, headers=manager_headers
    )
    assert response.status_code == 200
    void = client.post(
        f"/api/v1/admin/sessions/{pending}/void", json={"reason": "x"}, headers=manager_headers
    )
    assert void.status_code == 403  # voiding approved hours is for admins


def test_volunteer_rates_the_activity_and_organizer_rates_the_service(
    client, make_staff, approved, pending, volunteer_headers
):
    rated = client.put(
        f"/api/v1/me/sessions/{approved}/evaluation",
        json={"rating": 5, "comment": "很有意义"},
        headers=volunteer_headers,
    )
    assert rated.get_json()["volunteer_rating"] == 5
    admin = make_staff("county_admin", "330106")
    organizer = client.put(
        f"/api/v1/admin/sessions/{approved}/evaluation", json={"rating": 4}, headers=admin
    )
    assert organizer.get_json()["organizer_rating"] == 4
    too_high = client.put(
        f"/api/v1/me/sessions/{approved}/evaluation", json={"rating": 6}, headers=volunteer_headers
    )
    assert too_high.status_code == 422
    not_yet = client.put(
        f"/api/v1/me/sessions/{pending}/evaluation", json={"rating": 3}, headers=volunteer_headers
    )
    assert not_yet.status_code == 409


def test_earning_rules_are_inherited_and_validated(client, make_staff):
    province = make_staff("province_admin", "330000")
    county = make_staff("county_admin", "330106")
    assert (
        client.get("/api/v1/admin/earning-rules", headers=county).get_json()["inherited_from"]
        == "defaults"
    )
    put = client.put(
        "/api/v1/admin/earning-rules",
        json={
            "points_per_hour": 20,
            "campaign_days": [{"date": "06-05", "multiplier": 3, "name": "六五环境日"}],
        },
        headers=province,
    )
    assert put.status_code == 200, put.get_json()
    rules = client.get("/api/v1/admin/earning-rules", headers=county).get_json()
    assert rules["points_per_hour"] == 20
    assert rules["inherited_from"] == "330000"
    assert rules["star_thresholds_hours"] == [100, 300, 600, 1000, 1500]
    bad = client.put(
        "/api/v1/admin/earning-rules",
        json={"min_session_minutes": 600, "max_session_minutes": 60},
        headers=county,
    )
    assert bad.status_code == 422
    assert "min_session_minutes" in bad.get_json()["details"]["fields"]
    wrong_date = client.put(
        "/api/v1/admin/earning-rules",
        json={"campaign_days": [{"date": "02-30", "multiplier": 2, "name": "x"}]},
        headers=county,
    )
    assert wrong_date.status_code == 422
    auditor = make_staff("auditor", "330000")
    assert client.put("/api/v1/admin/earning-rules", json={}, headers=auditor).status_code == 403
