"""The station's QR code: the scene, the printable PNG in both modes, rotation and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import now
from miniprogram_api.context import qr_signing_key
from miniprogram_api.extensions import db
from tests.volunteering.conftest import station_body
from volunteering.errors import QrInvalid
from volunteering.stations.models import Station
from volunteering.stations.scanning import station_for_scene

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def code_of(response):
    return response.status_code, response.get_json()["code"]


def scan(scene: str, at=None) -> Station:
    return station_for_scene(db.session, qr_signing_key(), scene, at=at or now())


def test_the_qrcode_names_a_static_scene_the_scanner_accepts(client, admin, create_station):
    station = create_station()
    response = client.get(f"/api/v1/admin/stations/{station['id']}/qrcode", headers=admin)
    assert response.status_code == 200
    body = response.get_json()
    assert body["page"] == "pages/checkin/checkin"
    assert body["version"] == 1
    assert body["dynamic"] is False
    assert "expires_at" not in body
    assert len(body["scene"]) <= 32
    assert scan(body["scene"]).id == station["id"]


def test_a_forged_scene_is_qr_invalid(client, admin, create_station):
    station = create_station()
    scene = client.get(f"/api/v1/admin/stations/{station['id']}/qrcode", headers=admin).get_json()[
        "scene"
    ]
    station_part, version, mac = scene.split(".")
    forged_mac = ("A" if mac[0] != "A" else "B") + mac[1:]
    for forged in (f"{station_part}.{version}.{forged_mac}", f"{station_part}.2.{mac}", "x", ""):
        with pytest.raises(QrInvalid):
            scan(forged)


def test_rotation_issues_a_new_scene_and_every_older_one_is_qr_invalid(
    client, admin, create_station
):
    station = create_station()
    path = f"/api/v1/admin/stations/{station['id']}/qrcode"
    first = client.get(path, headers=admin).get_json()["scene"]
    rotated = client.post(path + "/rotate", headers=admin)
    assert rotated.status_code == 200
    second = rotated.get_json()
    assert second["version"] == 2
    assert second["scene"] != first
    third = client.post(path + "/rotate", headers=admin).get_json()
    assert third["version"] == 3
    for old in (first, second["scene"]):
        with pytest.raises(QrInvalid):
            scan(old)
    assert scan(third["scene"]).id == station["id"]
    assert client.get(path, headers=admin).get_json()["scene"] == third["scene"]


def test_a_dynamic_scene_changes_every_minute_and_expires_after_two(client, admin, create_station):
    station = create_station(qr_dynamic=True)
    response = client.get(f"/api/v1/admin/stations/{station['id']}/qrcode", headers=admin)
    body = response.get_json()
    assert body["dynamic"] is True
    assert len(body["scene"]) <= 32
    assert body["expires_at"] > body["refresh_at"]
    shown_at = now()
    assert scan(body["scene"], shown_at).id == station["id"]
    assert scan(body["scene"], shown_at + timedelta(seconds=50)).id == station["id"]
    with pytest.raises(QrInvalid):
        scan(body["scene"], shown_at + timedelta(minutes=2, seconds=1))


def test_switching_to_dynamic_retires_the_printed_code(client, admin, create_station):
    station = create_station()
    path = f"/api/v1/admin/stations/{station['id']}"
    printed = client.get(path + "/qrcode", headers=admin).get_json()["scene"]
    client.patch(path, json={"qr_dynamic": True}, headers=admin)
    with pytest.raises(QrInvalid):
        scan(printed)


def test_the_png_comes_from_wechat_through_the_stand_in(client, admin, create_station):
    station = create_station()
    response = client.get(f"/api/v1/admin/stations/{station['id']}/qrcode.png", headers=admin)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(PNG_SIGNATURE)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_png_is_a_plain_qr_when_wechat_is_not_used(app_factory, make_staff):
    app = app_factory(WECHAT_QR_MODE="plain", WECHAT_API_BASE_URL="http://127.0.0.1:9/")
    with app.app_context():
        client = app.test_client()
        admin = make_staff("province_admin", "330000")
        station = client.post("/api/v1/admin/stations", json=station_body(), headers=admin)
        station_id = station.get_json()["id"]
        response = client.get(f"/api/v1/admin/stations/{station_id}/qrcode.png", headers=admin)
    assert response.status_code == 200
    assert response.data.startswith(PNG_SIGNATURE)


def test_a_wechat_failure_is_answered_not_papered_over(app_factory, make_staff):
    # The stand-in refuses a page it does not know while check_path is on (errcode 41030).
    app = app_factory(WECHAT_QR_PAGE="pages/unknown/unknown")
    with app.app_context():
        client = app.test_client()
        admin = make_staff("province_admin", "330000")
        station = client.post("/api/v1/admin/stations", json=station_body(), headers=admin)
        station_id = station.get_json()["id"]
        response = client.get(f"/api/v1/admin/stations/{station_id}/qrcode.png", headers=admin)
    assert code_of(response) == (503, "WECHAT_UNAVAILABLE")


def test_an_unpublished_page_draws_when_the_path_check_is_off(app_factory, make_staff):
    app = app_factory(
        WECHAT_QR_PAGE="pages/new/new", WECHAT_QR_CHECK_PATH=False, WECHAT_QR_ENV_VERSION="trial"
    )
    with app.app_context():
        client = app.test_client()
        admin = make_staff("province_admin", "330000")
        station = client.post("/api/v1/admin/stations", json=station_body(), headers=admin)
        station_id = station.get_json()["id"]
        response = client.get(f"/api/v1/admin/stations/{station_id}/qrcode.png", headers=admin)
    assert response.status_code == 200
    assert response.data.startswith(PNG_SIGNATURE)


def test_auditors_cannot_read_scenes_and_only_admins_rotate(
    client, make_staff, create_station, session
):
    station = create_station()
    path = f"/api/v1/admin/stations/{station['id']}/qrcode"
    auditor = make_staff("auditor", "330000")
    assert code_of(client.get(path, headers=auditor)) == (403, "FORBIDDEN")
    assert code_of(client.get(path + ".png", headers=auditor)) == (403, "FORBIDDEN")
    manager = make_staff("station_manager", "330106")
    assert code_of(client.post(path + "/rotate", headers=manager)) == (403, "FORBIDDEN")


def test_a_manager_reads_the_code_of_their_own_station(
    client, admin, make_staff, create_station, session
):
    from identity.models import Staff

    headers = make_staff("station_manager", "330106", username="qr-manager")
    manager_id = session.query(Staff).filter_by(username="qr-manager").one().id
    station = create_station()
    path = f"/api/v1/admin/stations/{station['id']}"
    assert code_of(client.get(path + "/qrcode", headers=headers)) == (404, "NOT_FOUND")
    client.put(path + "/managers", json={"staff_ids": [manager_id]}, headers=admin)
    assert client.get(path + "/qrcode", headers=headers).status_code == 200
