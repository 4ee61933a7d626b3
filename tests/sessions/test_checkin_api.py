"""Check-in and check-out over HTTP: every rule and error code of API.md."""

from __future__ import annotations

from sqlalchemy import update

from miniprogram_api.extensions import db
from volunteering.stations.models import Station


def error_code(response):
    return response.status_code, response.get_json()["code"]


def test_check_in_opens_a_session(scan, volunteer_headers, station):
    response = scan("checkins", volunteer_headers, station)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "open"
    assert body["station"] == {"id": station.id, "name": station.name}
    assert body["activity_id"] is None
    assert body["checked_in_at"].endswith("+00:00")


def test_an_hour_of_service_is_approved_at_once_and_earns_points(
    client, scan, backdate, volunteer_headers, station
):
    session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
    backdate(session_id, 60)
    response = scan("checkouts", volunteer_headers, station)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "approved"
    assert body["minutes"] == 60
    assert body["hours"] == 1.0
    assert body["points_awarded"] == 10  # default 10 points an hour
    me = client.get("/api/v1/me", headers=volunteer_headers).get_json()
    assert me["hours"] == {"minutes": 60, "hours": 1.0, "system_minutes": 60, "manual_minutes": 0}
    assert me["points"]["balance"] == 10
    ledger = client.get("/api/v1/me/ledger", headers=volunteer_headers).get_json()["items"]
    assert [(item["kind"], item["amount"]) for item in ledger] == [("earn", 10)]


def test_a_forged_scene_is_qr_invalid(scan, volunteer_headers, station, scene_of):
    genuine = scene_of(station)
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    assert error_code(scan("checkins", volunteer_headers, station, scene=forged)) == (
        400,
        "QR_INVALID",
    )


def test_a_scene_for_another_station_id_is_qr_invalid(scan, volunteer_headers, station, scene_of):
    genuine = scene_of(station)
    other_id = "zz" + genuine[genuine.index(".") :]
    assert error_code(scan("checkins", volunteer_headers, station, scene=other_id)) == (
        400,
        "QR_INVALID",
    )


def test_a_rotated_scene_is_qr_invalid(scan, volunteer_headers, station, scene_of):
    old = scene_of(station)
    db.session.execute(update(Station).where(Station.id == station.id).values(qr_version=2))
    db.session.commit()
    assert error_code(scan("checkins", volunteer_headers, station, scene=old)) == (
        400,
        "QR_INVALID",
    )


def test_a_fix_one_and_a_half_kilometres_away_is_out_of_range(scan, volunteer_headers, station):
    far_lat = station.lat + 1500 / 111_195  # 1.5 km due north
    response = scan("checkins", volunteer_headers, station, lat=far_lat)
    assert error_code(response) == (422, "OUT_OF_RANGE")
    details = response.get_json()["details"]
    assert 1490 <= details["distance_m"] <= 1510
    assert details["radius_m"] == 300
    assert f"{details['distance_m']} 米" in response.get_json()["message"]


def test_a_poor_gps_fix_is_refused_at_check_in(scan, volunteer_headers, station):
    response = scan("checkins", volunteer_headers, station, accuracy_m=500)
    assert error_code(response) == (422, "LOCATION_INACCURATE")


def test_one_open_session_at_a_time(scan, volunteer_headers, station):
    first = scan("checkins", volunteer_headers, station).get_json()
    again = scan("checkins", volunteer_headers, station)
    assert error_code(again) == (409, "ALREADY_CHECKED_IN")
    assert again.get_json()["details"]["session_id"] == first["session_id"]


def test_an_inactive_station_refuses_check_in(scan, volunteer_headers, make_station):
    closed = make_station(is_active=False)
    assert error_code(scan("checkins", volunteer_headers, closed)) == (409, "STATION_INACTIVE")


def test_check_out_without_check_in(scan, volunteer_headers, station):
    assert error_code(scan("checkouts", volunteer_headers, station)) == (409, "NOT_CHECKED_IN")


def test_check_out_at_another_station(scan, volunteer_headers, station, make_station):
    other = make_station(name="另一个站点", lat=30.30, lng=120.16)
    scan("checkins", volunteer_headers, station)
    assert error_code(scan("checkouts", volunteer_headers, other)) == (409, "WRONG_STATION")


def test_check_out_out_of_range_keeps_the_session_open(scan, volunteer_headers, station):
    scan("checkins", volunteer_headers, station)
    away = scan("checkouts", volunteer_headers, station, lat=station.lat + 0.02)
    assert error_code(away) == (422, "OUT_OF_RANGE")
    assert scan("checkouts", volunteer_headers, station).status_code == 200


def test_too_short_a_session_goes_to_review_without_points(
    client, scan, backdate, volunteer_headers, station
):
    session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
    backdate(session_id, 10)
    body = scan("checkouts", volunteer_headers, station).get_json()
    assert body["status"] == "pending_review"
    assert body["review_reasons"] == ["too_short"]
    assert body["review_reasons_text"] == ["服务时长短于最短时长"]
    assert body["points_awarded"] == 0
    me = client.get("/api/v1/me", headers=volunteer_headers).get_json()
    assert me["hours"]["minutes"] == 0
    assert me["points"]["balance"] == 0


def test_too_long_and_a_poor_fix_at_check_out_both_show_as_reasons(
    scan, backdate, volunteer_headers, station
):
    session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
    backdate(session_id, 600)
    body = scan("checkouts", volunteer_headers, station, accuracy_m=300).get_json()
    assert body["status"] == "pending_review"
    assert body["review_reasons"] == ["too_long", "poor_accuracy"]


def test_malformed_scan_bodies_are_validation_errors(client, volunteer_headers):
    for body in (
        {"scene": "", "lat": 30, "lng": 120},
        {"scene": "x" * 33, "lat": 30, "lng": 120},
        {"scene": "a.b.c", "lat": 91, "lng": 120},
        {"scene": "a.b.c", "lat": "north", "lng": 120},
        {"scene": "a.b.c", "lat": 30},
    ):
        response = client.post("/api/v1/checkins", json=body, headers=volunteer_headers)
        assert error_code(response) == (422, "VALIDATION_ERROR"), body


def test_my_sessions_lists_newest_first_with_a_cursor(
    client, scan, backdate, volunteer_headers, station
):
    for _ in range(3):
        session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
        backdate(session_id, 45)
        scan("checkouts", volunteer_headers, station)
    first = client.get("/api/v1/me/sessions?limit=2", headers=volunteer_headers).get_json()
    assert len(first["items"]) == 2
    ids = [item["session_id"] for item in first["items"]]
    assert ids == sorted(ids, reverse=True)
    rest = client.get(
        f"/api/v1/me/sessions?limit=2&cursor={first['next_cursor']}", headers=volunteer_headers
    ).get_json()
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    bad = client.get("/api/v1/me/sessions?cursor=eyJpZCI6ICJ4In0", headers=volunteer_headers)
    assert error_code(bad) == (422, "VALIDATION_ERROR")
