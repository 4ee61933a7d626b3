"""Nearby stations: active ones within the radius, nearest first, with their distance."""

from __future__ import annotations

import pytest

from tests.volunteering.conftest import HANGZHOU

# Points along the same parallel east of 浙江自然博物院: about 96.1 m per 0.001° of longitude.
LAT, LNG = HANGZHOU


def code_of(response):
    return response.status_code, response.get_json()["code"]


@pytest.fixture
def stations_east(create_station):
    """Stations about 0, 0.96, 2.9 and 9.6 km east, plus an inactive one at 0.48 km."""
    made = {}
    for name, dlng in (("here", 0.0), ("km1", 0.01), ("km3", 0.03), ("km9", 0.1)):
        made[name] = create_station(name=name, lng=LNG + dlng)
    made["closed"] = create_station(name="closed", lng=LNG + 0.005, is_active=False)
    return made


def nearby(client, headers, **query):
    return client.get(
        "/api/v1/stations", query_string={"lat": LAT, "lng": LNG, **query}, headers=headers
    )


def test_nearby_stations_are_active_sorted_and_within_the_default_radius(
    client, volunteer_headers, stations_east
):
    response = nearby(client, volunteer_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [item["name"] for item in body["items"]] == ["here", "km1", "km3"]
    assert body["next_cursor"] is None
    distances = [item["distance_m"] for item in body["items"]]
    assert distances[0] == 0
    assert 940 < distances[1] < 980
    assert 2850 < distances[2] < 2920
    first = body["items"][0]
    assert first["region_name"] == "浙江省杭州市西湖区"
    assert first["meets_all_standards"] is True
    assert "qr_version" not in first


def test_the_radius_narrows_and_widens_the_search(client, volunteer_headers, stations_east):
    def names(radius_m):
        response = nearby(client, volunteer_headers, radius_m=radius_m)
        return [item["name"] for item in response.get_json()["items"]]

    assert names(500) == ["here"]
    assert names(1000) == ["here", "km1"]
    assert names(50000) == ["here", "km1", "km3", "km9"]


def test_nearby_pages_by_distance(client, volunteer_headers, stations_east):
    first = nearby(client, volunteer_headers, radius_m=50000, limit=2).get_json()
    assert [i["name"] for i in first["items"]] == ["here", "km1"]
    second = nearby(
        client, volunteer_headers, radius_m=50000, limit=2, cursor=first["next_cursor"]
    ).get_json()
    assert [i["name"] for i in second["items"]] == ["km3", "km9"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "query",
    [
        {"radius_m": 50001},
        {"radius_m": 0},
        {"lat": 91},
        {"lng": -181},
        {"lat": "here"},
        {"lat": None},
    ],
)
def test_bad_nearby_parameters_are_validation_errors(client, volunteer_headers, query):
    params = {"lat": LAT, "lng": LNG, **query}
    params = {k: v for k, v in params.items() if v is not None}
    response = client.get("/api/v1/stations", query_string=params, headers=volunteer_headers)
    assert code_of(response) == (422, "VALIDATION_ERROR")


def test_nearby_needs_a_volunteer_token(client, make_staff):
    assert code_of(client.get("/api/v1/stations?lat=30&lng=120")) == (401, "UNAUTHENTICATED")
    staff = make_staff("province_admin", "330000")
    response = client.get("/api/v1/stations?lat=30&lng=120", headers=staff)
    assert code_of(response) == (403, "FORBIDDEN")
