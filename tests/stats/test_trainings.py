"""Training records: coherent levels and regions, scoped to the staff member's region."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.clock import business_time, now
from tests.stats.conftest import THIS_YEAR

URL = "/api/v1/admin/trainings"


def training(**overrides) -> dict:
    body = {
        "level": "county",
        "audience": "volunteers",
        "category": "岗前基础培训",
        "title": "西湖区生态环境志愿者岗前培训",
        "held_on": date(THIS_YEAR, 3, 5).isoformat(),
        "region_code": "330106",
        "attendees": 48,
        "organizer": "杭州市生态环境局西湖分局",
    }
    return {**body, **overrides}


@pytest.fixture
def hangzhou(make_staff):
    return make_staff("city_admin", "330100")


def test_a_city_admin_records_a_county_training_in_their_city(client, hangzhou):
    created = client.post(URL, json=training(), headers=hangzhou)

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert {k: body[k] for k in ("level", "audience", "region_code", "attendees")} == {
        "level": "county",
        "audience": "volunteers",
        "region_code": "330106",
        "attendees": 48,
    }
    assert body["created_by"] and body["id"]
    shown = client.get(f"{URL}/{body['id']}", headers=hangzhou)
    assert shown.status_code == 200 and shown.get_json()["title"] == body["title"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"level": "city", "region_code": "330106"}, "region_code"),  # a county code
        ({"level": "county", "region_code": "330100"}, "region_code"),  # a city code
        ({"level": "province"}, "level"),
        ({"audience": "everyone"}, "audience"),
        ({"category": "随便培训"}, "category"),
        ({"attendees": -1}, "attendees"),
        ({"region_code": "110101"}, "region_code"),  # not in Zhejiang
        ({"title": ""}, "title"),
        ({"held_on": "2027-02-30"}, "held_on"),
    ],
)
def test_incoherent_trainings_are_refused_field_by_field(client, hangzhou, overrides, field):
    answer = client.post(URL, json=training(**overrides), headers=hangzhou)

    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["code"] == "VALIDATION_ERROR"
    assert field in answer.get_json()["details"]["fields"]


def test_a_training_cannot_be_recorded_before_it_is_held(client, hangzhou):
    tomorrow = business_time(now()).date() + timedelta(days=1)
    answer = client.post(URL, json=training(held_on=tomorrow.isoformat()), headers=hangzhou)

    assert answer.status_code == 422 and "held_on" in answer.get_json()["details"]["fields"]


def test_unknown_fields_and_missing_ones_are_refused(client, hangzhou):
    assert client.post(URL, json=training(extra=1), headers=hangzhou).status_code == 422
    body = training()
    del body["level"]
    assert client.post(URL, json=body, headers=hangzhou).status_code == 422


def test_recording_outside_ones_region_is_forbidden(client, hangzhou):
    ningbo = training(region_code="330205", title="江北区培训")
    answer = client.post(URL, json=ningbo, headers=hangzhou)

    assert answer.status_code == 403 and answer.get_json()["code"] == "FORBIDDEN"


def test_auditors_read_but_do_not_write(client, make_staff):
    auditor = make_staff("auditor", "330000")
    assert client.post(URL, json=training(), headers=auditor).status_code == 403
    assert client.get(URL, headers=auditor).status_code == 200


def test_trainings_outside_ones_region_are_not_found(client, make_staff, hangzhou):
    ningbo = make_staff("city_admin", "330200")
    theirs = client.post(URL, json=training(region_code="330205"), headers=ningbo).get_json()

    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"attendees": 1}} if method == "patch" else {}
        answer = getattr(client, method)(f"{URL}/{theirs['id']}", headers=hangzhou, **kwargs)
        assert answer.status_code == 404, (method, answer.get_json())
    assert client.get(URL, headers=hangzhou).get_json()["items"] == []
    listed = client.get(URL, query_string={"region_code": "330205"}, headers=hangzhou)
    assert listed.status_code == 200 and listed.get_json()["items"] == []


def test_a_change_must_stay_coherent_and_inside_the_region(client, hangzhou):
    created = client.post(URL, json=training(), headers=hangzhou).get_json()
    url = f"{URL}/{created['id']}"

    second = {"attendees": 60, "title": "岗前培训（第二期）"}
    changed = client.patch(url, json=second, headers=hangzhou)
    assert changed.status_code == 200
    assert {k: changed.get_json()[k] for k in second} == second
    assert client.patch(url, json={"level": "city"}, headers=hangzhou).status_code == 422
    elsewhere = {"region_code": "330205"}
    assert client.patch(url, json=elsewhere, headers=hangzhou).status_code == 403
    as_city = {"level": "city", "region_code": "330100", "audience": "leaders"}
    assert client.patch(url, json=as_city, headers=hangzhou).status_code == 200


def test_a_training_record_can_be_deleted(client, hangzhou):
    created = client.post(URL, json=training(), headers=hangzhou).get_json()

    assert client.delete(f"{URL}/{created['id']}", headers=hangzhou).status_code == 204
    assert client.get(f"{URL}/{created['id']}", headers=hangzhou).status_code == 404


def test_the_list_filters_by_year_and_region_and_pages_by_date(client, make_staff):
    province = make_staff("province_admin", "330000")
    days = [date(THIS_YEAR, 1, d) for d in (3, 9, 6)] + [date(THIS_YEAR - 1, 12, 30)]
    for index, day in enumerate(days):
        region = "330106" if index % 2 == 0 else "330205"
        body = training(held_on=day.isoformat(), region_code=region)
        assert client.post(URL, json=body, headers=province).status_code == 201

    this_year = client.get(URL, query_string={"year": THIS_YEAR}, headers=province).get_json()
    assert [t["held_on"] for t in this_year["items"]] == [
        f"{THIS_YEAR}-01-09",
        f"{THIS_YEAR}-01-06",
        f"{THIS_YEAR}-01-03",
    ]
    hangzhou = client.get(URL, query_string={"region_code": "330100"}, headers=province)
    assert {t["region_code"] for t in hangzhou.get_json()["items"]} == {"330106"}

    first = client.get(URL, query_string={"limit": 2}, headers=province).get_json()
    rest = client.get(
        URL, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=province
    ).get_json()
    seen = [t["held_on"] for t in first["items"] + rest["items"]]
    assert seen == sorted(seen, reverse=True) and len(seen) == 4 and rest["next_cursor"] is None
    bad = client.get(URL, query_string={"cursor": "bm9wZQ"}, headers=province)
    assert bad.status_code == 422


def test_trainings_feed_the_dashboard_compliance(client, hangzhou):
    leaders = training(level="city", region_code="330100", audience="leaders")
    assert client.post(URL, json=leaders, headers=hangzhou).status_code == 201
    assert client.post(URL, json=training(), headers=hangzhou).status_code == 201

    board = client.get("/api/v1/admin/dashboard", headers=hangzhou).get_json()
    detail = board["cities"][0]["training_detail"]
    assert (detail["leader_trainings"], detail["leaders_met"]) == (1, True)
    assert "330106" not in {r["code"] for r in detail["counties_lacking"]}
    assert board["overall"]["trainings_this_year"] == 2
