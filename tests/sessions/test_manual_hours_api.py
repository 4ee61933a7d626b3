"""Manual hours (补录): recorded by one staff member, approved by another, kept apart."""

from __future__ import annotations

from datetime import date, timedelta


def create(client, headers, volunteer_id, minutes=120, **extra):
    body = {
        "volunteer_id": volunteer_id,
        "service_date": (date.today() - timedelta(days=2)).isoformat(),
        "minutes": minutes,
        "reason": "签到设备故障，现场登记表补录",
        **extra,
    }
    return client.post("/api/v1/admin/manual-hours", json=body, headers=headers)


def test_manual_hours_are_counted_apart_once_a_second_person_approves(
    client, make_staff, login_volunteer
):
    volunteer = login_volunteer("manual")
    client.patch("/api/v1/me", json={"region_code": "330106"}, headers=volunteer["headers"])
    recorder = make_staff("county_admin", "330106")
    reviewer = make_staff("city_admin", "330100")
    entry = create(client, recorder, volunteer["volunteer"]["id"])
    assert entry.status_code == 201, entry.get_json()
    entry_id = entry.get_json()["id"]
    assert entry.get_json()["status"] == "pending_review"
    own = client.post(f"/api/v1/admin/manual-hours/{entry_id}/approve", headers=recorder)
    assert own.status_code == 403
    approved = client.post(f"/api/v1/admin/manual-hours/{entry_id}/approve", headers=reviewer)
    assert approved.get_json()["status"] == "approved"
    me = client.get("/api/v1/me", headers=volunteer["headers"]).get_json()
    assert me["hours"] == {"minutes": 120, "hours": 2.0, "system_minutes": 0, "manual_minutes": 120}
    assert me["points"]["balance"] == 0  # manual hours earn no points by default


def test_manual_hours_earn_points_when_the_rules_say_so(client, make_staff, login_volunteer):
    volunteer = login_volunteer("manual2")
    province = make_staff("province_admin", "330000")
    client.put(
        "/api/v1/admin/earning-rules", json={"manual_hours_earn_points": True}, headers=province
    )
    entry_id = create(client, province, volunteer["volunteer"]["id"], minutes=60).get_json()["id"]
    other = make_staff("province_admin", "330000")
    client.post(f"/api/v1/admin/manual-hours/{entry_id}/approve", headers=other)
    me = client.get("/api/v1/me", headers=volunteer["headers"]).get_json()
    assert me["points"]["balance"] == 10


def test_rejected_manual_hours_keep_the_reason_and_count_nothing(
    client, make_staff, login_volunteer
):
    volunteer = login_volunteer("manual3")
    recorder = make_staff("province_admin", "330000")
    reviewer = make_staff("province_admin", "330000")
    entry_id = create(client, recorder, volunteer["volunteer"]["id"]).get_json()["id"]
    rejected = client.post(
        f"/api/v1/admin/manual-hours/{entry_id}/reject",
        json={"reason": "无登记表"},
        headers=reviewer,
    )
    assert rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["review_note"] == "无登记表"
    again = client.post(f"/api/v1/admin/manual-hours/{entry_id}/approve", headers=reviewer)
    assert again.status_code == 409


def test_manual_hours_are_validated_and_scoped(client, make_staff, login_volunteer):
    volunteer = login_volunteer("manual4")
    client.patch("/api/v1/me", json={"region_code": "330203"}, headers=volunteer["headers"])
    hangzhou = make_staff("city_admin", "330100")
    assert create(client, hangzhou, volunteer["volunteer"]["id"]).status_code == 404
    ningbo = make_staff("city_admin", "330200")
    future = create(
        client,
        ningbo,
        volunteer["volunteer"]["id"],
        service_date=(date.today() + timedelta(days=3)).isoformat(),
    )
    assert future.status_code == 422
    assert create(client, ningbo, volunteer["volunteer"]["id"], minutes=0).status_code == 422
    assert create(client, ningbo, 999_999).status_code == 404
    listed = client.get("/api/v1/admin/manual-hours", headers=hangzhou).get_json()
    assert listed["items"] == []
