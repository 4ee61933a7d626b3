"""Station administration: create, validate, list, change, managers; scoped to the region."""

from __future__ import annotations

import pytest

from tests.volunteering.conftest import NINGBO, station_body


def code_of(response):
    return response.status_code, response.get_json()["code"]


def test_admin_creates_a_station_with_its_six_standards(client, admin):
    body = station_body(standards={"venue": True, "team": True}, qr_dynamic=True)
    response = client.post("/api/v1/admin/stations", json=body, headers=admin)
    assert response.status_code == 201
    station = response.get_json()
    assert station["id"] > 0
    assert station["region_name"] == "浙江省杭州市西湖区"
    assert station["standards"] == {
        "venue": True,
        "team": True,
        "project": False,
        "facilities": False,
        "rules": False,
        "signage": False,
    }
    assert station["meets_all_standards"] is False
    assert station["is_active"] is True
    assert station["qr_dynamic"] is True
    assert station["qr_version"] == 1


def test_a_station_meeting_every_standard_says_so(create_station):
    assert create_station()["meets_all_standards"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", 91),
        ("lat", -90.5),
        ("lng", 180.1),
        ("lat", "north"),
        ("radius_m", 9),
        ("radius_m", 5001),
        ("radius_m", 30.5),
        ("kind", "网吧"),
        ("region_code", "110101"),  # Beijing: not a Zhejiang code
        ("region_code", "330199"),
        ("name", ""),
        ("name", "长" * 101),
        ("standards", {"venue": True, "parking": True}),
        ("standards", {"venue": "maybe"}),
    ],
)
def test_invalid_station_fields_are_validation_errors(client, admin, field, value):
    response = client.post(
        "/api/v1/admin/stations", json=station_body(**{field: value}), headers=admin
    )
    assert code_of(response) == (422, "VALIDATION_ERROR")
    assert field in response.get_json()["details"]["fields"]


@pytest.mark.parametrize("field", ["name", "region_code", "lat", "lng", "radius_m", "kind"])
def test_missing_required_fields_are_validation_errors(client, admin, field):
    body = station_body()
    del body[field]
    response = client.post("/api/v1/admin/stations", json=body, headers=admin)
    assert code_of(response) == (422, "VALIDATION_ERROR")
    assert response.get_json()["details"]["fields"][field] == ["此项为必填项"]


def test_a_city_admin_cannot_create_a_station_in_another_city(client, make_staff):
    ningbo_admin = make_staff("city_admin", "330200")
    response = client.post("/api/v1/admin/stations", json=station_body(), headers=ningbo_admin)
    assert code_of(response) == (403, "FORBIDDEN")


def test_a_county_admin_creates_inside_their_county(client, make_staff):
    xihu_admin = make_staff("county_admin", "330106")
    response = client.post("/api/v1/admin/stations", json=station_body(), headers=xihu_admin)
    assert response.status_code == 201


@pytest.mark.parametrize("role", ["auditor", "station_manager"])
def test_auditors_and_station_managers_cannot_write(client, make_staff, create_station, role):
    headers = make_staff(role, "330000")
    station = create_station()
    assert code_of(client.post("/api/v1/admin/stations", json=station_body(), headers=headers)) == (
        403,
        "FORBIDDEN",
    )
    patch = client.patch(
        f"/api/v1/admin/stations/{station['id']}", json={"name": "改名"}, headers=headers
    )
    assert code_of(patch) == (403, "FORBIDDEN")


def test_a_volunteer_token_is_forbidden(client, volunteer_headers, create_station):
    station = create_station()
    assert code_of(client.get("/api/v1/admin/stations", headers=volunteer_headers)) == (
        403,
        "FORBIDDEN",
    )
    response = client.get(f"/api/v1/admin/stations/{station['id']}", headers=volunteer_headers)
    assert code_of(response) == (403, "FORBIDDEN")


def test_another_citys_station_is_not_found_for_reads_and_writes(
    client, make_staff, create_station
):
    hangzhou = create_station()
    ningbo_admin = make_staff("city_admin", "330200")
    path = f"/api/v1/admin/stations/{hangzhou['id']}"
    assert code_of(client.get(path, headers=ningbo_admin)) == (404, "NOT_FOUND")
    assert code_of(client.patch(path, json={"name": "x"}, headers=ningbo_admin)) == (
        404,
        "NOT_FOUND",
    )
    for suffix in ("/qrcode", "/qrcode.png", "/managers"):
        assert code_of(client.get(path + suffix, headers=ningbo_admin)) == (404, "NOT_FOUND")
    assert code_of(client.post(path + "/qrcode/rotate", headers=ningbo_admin)) == (
        404,
        "NOT_FOUND",
    )
    managers = client.put(path + "/managers", json={"staff_ids": []}, headers=ningbo_admin)
    assert code_of(managers) == (404, "NOT_FOUND")
    listed = client.get("/api/v1/admin/stations", headers=ningbo_admin).get_json()
    assert listed == {"items": [], "next_cursor": None}


def test_an_unknown_or_absurd_station_id_is_not_found(client, admin):
    for station_id in (999_999, 2**63, 2**70):
        response = client.get(f"/api/v1/admin/stations/{station_id}", headers=admin)
        assert code_of(response) == (404, "NOT_FOUND")


def test_patch_changes_only_the_given_fields(client, admin, create_station):
    station = create_station()
    response = client.patch(
        f"/api/v1/admin/stations/{station['id']}",
        json={"radius_m": 500, "standards": {"signage": False}, "is_active": False},
        headers=admin,
    )
    assert response.status_code == 200
    changed = response.get_json()
    assert changed["radius_m"] == 500
    assert changed["is_active"] is False
    assert changed["standards"]["signage"] is False
    assert changed["standards"]["venue"] is True
    assert changed["meets_all_standards"] is False
    assert changed["name"] == station["name"]


def test_patch_validates_like_create(client, admin, create_station):
    station = create_station()
    path = f"/api/v1/admin/stations/{station['id']}"
    assert code_of(client.patch(path, json={"radius_m": 5}, headers=admin)) == (
        422,
        "VALIDATION_ERROR",
    )
    assert code_of(client.patch(path, json={"owner": "me"}, headers=admin)) == (
        422,
        "VALIDATION_ERROR",
    )


def test_patch_cannot_move_a_station_outside_the_callers_region(client, make_staff, create_station):
    hangzhou_admin = make_staff("city_admin", "330100")
    station = create_station(headers=hangzhou_admin)
    path = f"/api/v1/admin/stations/{station['id']}"
    moved_out = client.patch(path, json={"region_code": "330203"}, headers=hangzhou_admin)
    assert code_of(moved_out) == (403, "FORBIDDEN")
    moved_within = client.patch(path, json={"region_code": "330105"}, headers=hangzhou_admin)
    assert moved_within.status_code == 200
    assert moved_within.get_json()["region_name"] == "浙江省杭州市拱墅区"


def test_the_list_is_scoped_filtered_and_paged(client, admin, make_staff, create_station):
    complete = create_station(name="完整站点")
    partial = create_station(name="未达标站点", standards={"venue": True})
    inactive = create_station(name="停用站点", is_active=False)
    ningbo = create_station(name="宁波站点", region_code="330203", lat=NINGBO[0], lng=NINGBO[1])

    def names(query="", headers=admin):
        response = client.get(f"/api/v1/admin/stations{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [item["name"] for item in response.get_json()["items"]]

    assert names() == [ningbo["name"], inactive["name"], partial["name"], complete["name"]]
    assert names("?region_code=330100") == [inactive["name"], partial["name"], complete["name"]]
    assert names("?active=false") == [inactive["name"]]
    assert names("?meets_all_standards=true") == [
        ningbo["name"],
        inactive["name"],
        complete["name"],
    ]
    assert names("?meets_all_standards=false") == [partial["name"]]
    auditor = make_staff("auditor", "330200")
    assert names(headers=auditor) == [ningbo["name"]]
    # A filter outside one's region narrows to nothing; it never widens the scope.
    assert names("?region_code=330100", headers=auditor) == []

    first = client.get("/api/v1/admin/stations?limit=3", headers=admin).get_json()
    assert len(first["items"]) == 3
    second = client.get(
        f"/api/v1/admin/stations?limit=3&cursor={first['next_cursor']}", headers=admin
    ).get_json()
    assert [item["name"] for item in second["items"]] == [complete["name"]]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?cursor=garbage!", "?active=maybe"])
def test_bad_list_parameters_are_validation_errors(client, admin, query):
    response = client.get(f"/api/v1/admin/stations{query}", headers=admin)
    assert code_of(response) == (422, "VALIDATION_ERROR")


def test_a_forged_cursor_is_a_validation_error(client, admin):
    from miniprogram_api.pagination import encode_cursor

    for key in ({"id": "1 OR 1=1"}, {"id": 2**70}, {"x": 1}, {"id": True}):
        response = client.get(f"/api/v1/admin/stations?cursor={encode_cursor(key)}", headers=admin)
        assert code_of(response) == (422, "VALIDATION_ERROR")


def test_station_managers_are_assigned_and_see_only_their_stations(
    client, admin, make_staff, create_station, session
):
    from identity.models import Staff

    manager_headers = make_staff("station_manager", "330106", username="xihu-manager")
    manager = session.query(Staff).filter_by(username="xihu-manager").one()
    mine = create_station(name="我的站点")
    create_station(name="别人的站点")

    assert client.get("/api/v1/admin/stations", headers=manager_headers).get_json()["items"] == []
    assigned = client.put(
        f"/api/v1/admin/stations/{mine['id']}/managers",
        json={"staff_ids": [manager.id, manager.id]},
        headers=admin,
    )
    assert assigned.status_code == 200
    assert assigned.get_json() == {"staff_ids": [manager.id]}

    listed = client.get("/api/v1/admin/stations", headers=manager_headers).get_json()
    assert [item["name"] for item in listed["items"]] == ["我的站点"]
    shown = client.get(f"/api/v1/admin/stations/{mine['id']}/managers", headers=manager_headers)
    assert shown.get_json() == {"staff_ids": [manager.id]}

    cleared = client.put(
        f"/api/v1/admin/stations/{mine['id']}/managers", json={"staff_ids": []}, headers=admin
    )
    assert cleared.get_json() == {"staff_ids": []}
    assert client.get("/api/v1/admin/stations", headers=manager_headers).get_json()["items"] == []


def test_only_station_managers_of_the_region_can_be_assigned(
    client, admin, make_staff, create_station, session
):
    from identity.models import Staff

    make_staff("station_manager", "330200", username="ningbo-manager")
    make_staff("city_admin", "330100", username="not-a-manager")
    ningbo_manager = session.query(Staff).filter_by(username="ningbo-manager").one()
    not_a_manager = session.query(Staff).filter_by(username="not-a-manager").one()
    station = create_station()
    for staff_ids in ([ningbo_manager.id], [not_a_manager.id], [987_654], [2**70]):
        response = client.put(
            f"/api/v1/admin/stations/{station['id']}/managers",
            json={"staff_ids": staff_ids},
            headers=admin,
        )
        assert code_of(response) == (422, "VALIDATION_ERROR"), staff_ids
        assert "staff_ids" in response.get_json()["details"]["fields"]
