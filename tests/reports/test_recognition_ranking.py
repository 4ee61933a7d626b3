"""The 百名 ranking: hours served in the year, then the organizers' average rating."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports.conftest import NINGBO_HAISHU


@pytest.fixture
def served_2026(make_volunteer, make_station, serve, add_manual):
    """Four volunteers' 2026 (and one's 2025) service in 杭州 and 宁波."""
    west_lake = make_station("西湖生态文明教育馆")
    moon_lake = make_station("月湖生态站", NINGBO_HAISHU)
    people = {
        "ada": make_volunteer("安达", "330106"),
        "bo": make_volunteer("博文", "330106"),
        "cai": make_volunteer("蔡宁", NINGBO_HAISHU),
        "dai": make_volunteer("戴山", "330106"),
        "eve": make_volunteer("伊凡", "330106"),
    }
    serve(people["ada"], west_lake, 180, date(2026, 3, 5), rating=5)
    serve(people["ada"], west_lake, 120, date(2026, 6, 5), rating=4)
    serve(people["bo"], west_lake, 300, date(2026, 4, 1), rating=3)
    add_manual(people["bo"], 60, date(2026, 5, 1))
    serve(people["cai"], moon_lake, 600, date(2026, 7, 1))
    serve(people["dai"], west_lake, 900, date(2025, 12, 31), rating=5)
    serve(people["dai"], west_lake, 60, date(2026, 1, 1), status="pending_review")
    serve(people["eve"], west_lake, 300, date(2026, 8, 1), rating=3)
    return people


def ranking(client, headers, **params):
    response = client.get("/api/v1/admin/recognition/ranking", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_province_ranks_everyone_by_the_years_hours(client, make_staff, served_2026):
    body = ranking(client, make_staff("province_admin"), year=2026)

    ids = [item["volunteer_id"] for item in body["items"]]
    people = served_2026
    assert ids == [people["cai"].id, people["bo"].id, people["ada"].id, people["eve"].id]
    assert body["campaign"] == "2026年国际志愿者日（12月5日）百名生态环境志愿者"
    first, second, third = body["items"][:3]
    assert (first["rank"], first["minutes"], first["hours"]) == (1, 600, 10.0)
    assert first["average_rating"] is None and first["rated_sessions"] == 0
    assert (second["system_minutes"], second["manual_minutes"], second["minutes"]) == (300, 60, 360)
    assert (third["average_rating"], third["rated_sessions"], third["sessions"]) == (4.5, 2, 2)
    assert third["name_masked"] == "安*"


def test_equal_hours_are_ordered_by_the_better_rating(client, make_staff, served_2026):
    items = ranking(client, make_staff("province_admin"), year=2026)["items"]

    ada, eve = items[2], items[3]
    assert ada["minutes"] == eve["minutes"] == 300
    assert ada["average_rating"] > eve["average_rating"]


def test_other_years_and_unapproved_sessions_do_not_count(client, make_staff, served_2026):
    items = ranking(client, make_staff("province_admin"), year=2025)["items"]

    assert [(i["volunteer_id"], i["minutes"]) for i in items] == [(served_2026["dai"].id, 900)]


def test_a_city_admin_ranks_only_its_city(client, make_staff, served_2026):
    body = ranking(client, make_staff("city_admin", "330100"), year=2026)

    assert body["region_code"] == "330100"
    assert served_2026["cai"].id not in [item["volunteer_id"] for item in body["items"]]
    assert len(body["items"]) == 3


def test_the_province_can_narrow_to_a_city_and_limit(client, make_staff, served_2026):
    body = ranking(client, make_staff("province_admin"), year=2026, region_code="330200", limit=1)

    assert [item["volunteer_id"] for item in body["items"]] == [served_2026["cai"].id]


def test_a_region_outside_yours_is_forbidden(client, make_staff, served_2026):
    response = client.get(
        "/api/v1/admin/recognition/ranking?year=2026&region_code=330200",
        headers=make_staff("city_admin", "330100"),
    )

    assert response.status_code == 403


def test_the_ranking_shows_this_years_nomination(client, make_staff, served_2026):
    admin = make_staff("province_admin")
    client.post(
        "/api/v1/admin/recognition/nominations",
        json={"volunteer_id": served_2026["bo"].id, "year": 2026, "reason": "常年守护西湖"},
        headers=admin,
    )

    items = ranking(client, admin, year=2026)["items"]

    status = {item["volunteer_id"]: item["nomination_status"] for item in items}
    assert status[served_2026["bo"].id] == "pending"
    assert status[served_2026["ada"].id] is None


def test_station_managers_and_volunteers_cannot_see_the_ranking(
    client, make_staff, volunteer_headers
):
    path = "/api/v1/admin/recognition/ranking"

    assert client.get(path, headers=make_staff("station_manager", "330106")).status_code == 403
    assert client.get(path, headers=volunteer_headers).status_code == 403
