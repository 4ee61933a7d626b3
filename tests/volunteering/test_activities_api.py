"""Teams, projects, activities and sign-ups over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.clock import now
from miniprogram_api.extensions import db
from tests.volunteering.conftest import NINGBO, iso
from volunteering.activities.models import Activity


def code_of(response):
    return response.status_code, response.get_json()["code"]


def move_activity(activity_id: int, **values) -> None:
    """Change an activity in the database (time passing, or a state staff would set)."""
    db.session.execute(update(Activity).where(Activity.id == activity_id).values(**values))
    db.session.commit()


# Teams


def test_an_admin_registers_a_team_and_adds_members(client, admin, login_volunteer):
    response = client.post(
        "/api/v1/admin/teams",
        json={"name": "西湖区环保志愿服务队", "kind": "社区", "region_code": "330106"},
        headers=admin,
    )
    assert response.status_code == 201
    team = response.get_json()
    assert team["region_name"] == "浙江省杭州市西湖区"
    volunteer_id = login_volunteer("alice")["volunteer"]["id"]
    path = f"/api/v1/admin/teams/{team['id']}/members"
    added = client.post(path, json={"volunteer_id": volunteer_id}, headers=admin)
    assert added.status_code == 201
    assert added.get_json()["role"] == "member"
    promoted = client.post(
        path, json={"volunteer_id": volunteer_id, "role": "leader"}, headers=admin
    )
    assert promoted.status_code == 200
    assert promoted.get_json()["role"] == "leader"
    members = client.get(path, headers=admin).get_json()["items"]
    assert [(m["volunteer_id"], m["role"]) for m in members] == [(volunteer_id, "leader")]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "队", "kind": "网友群", "region_code": "330106"},
        {"name": "", "kind": "社区", "region_code": "330106"},
        {"name": "队", "kind": "社区", "region_code": "999999"},
        {"name": "队", "kind": "社区"},
    ],
)
def test_invalid_teams_are_validation_errors(client, admin, body):
    response = client.post("/api/v1/admin/teams", json=body, headers=admin)
    assert code_of(response) == (422, "VALIDATION_ERROR")


def test_teams_are_scoped_to_the_region(client, admin, make_staff, login_volunteer):
    ningbo_admin = make_staff("city_admin", "330200")
    team = client.post(
        "/api/v1/admin/teams",
        json={"name": "杭州队", "kind": "高校社团", "region_code": "330106"},
        headers=admin,
    ).get_json()
    outside = client.post(
        "/api/v1/admin/teams",
        json={"name": "杭州队", "kind": "社区", "region_code": "330106"},
        headers=ningbo_admin,
    )
    assert code_of(outside) == (403, "FORBIDDEN")
    assert client.get("/api/v1/admin/teams", headers=ningbo_admin).get_json()["items"] == []
    volunteer_id = login_volunteer("bob")["volunteer"]["id"]
    response = client.post(
        f"/api/v1/admin/teams/{team['id']}/members",
        json={"volunteer_id": volunteer_id},
        headers=ningbo_admin,
    )
    assert code_of(response) == (404, "NOT_FOUND")
    unknown = client.post(
        f"/api/v1/admin/teams/{team['id']}/members", json={"volunteer_id": 424242}, headers=admin
    )
    assert code_of(unknown) == (404, "NOT_FOUND")
    auditor = make_staff("auditor", "330100")
    listed = client.get("/api/v1/admin/teams?kind=高校社团", headers=auditor).get_json()
    assert [t["name"] for t in listed["items"]] == ["杭州队"]
    write = client.post(
        "/api/v1/admin/teams",
        json={"name": "x", "kind": "社区", "region_code": "330106"},
        headers=auditor,
    )
    assert code_of(write) == (403, "FORBIDDEN")


# Projects


def test_projects_enter_the_library_and_can_be_made_brand_projects(client, admin, make_staff):
    created = client.post(
        "/api/v1/admin/projects",
        json={"title": "余村两山理念宣讲", "region_code": "330523", "description": "安吉余村"},
        headers=admin,
    )
    assert created.status_code == 201
    project = created.get_json()
    assert project["is_brand"] is False
    patched = client.patch(
        f"/api/v1/admin/projects/{project['id']}", json={"is_brand": True}, headers=admin
    )
    assert patched.status_code == 200
    assert patched.get_json()["is_brand"] is True
    brands = client.get("/api/v1/admin/projects?is_brand=true", headers=admin).get_json()
    assert [p["title"] for p in brands["items"]] == ["余村两山理念宣讲"]
    assert (
        client.get("/api/v1/admin/projects?is_brand=false", headers=admin).get_json()["items"] == []
    )
    hangzhou_admin = make_staff("city_admin", "330100")
    assert client.get("/api/v1/admin/projects", headers=hangzhou_admin).get_json()["items"] == []
    hidden = client.patch(
        f"/api/v1/admin/projects/{project['id']}", json={"is_brand": False}, headers=hangzhou_admin
    )
    assert code_of(hidden) == (404, "NOT_FOUND")


def test_a_project_team_must_be_visible(client, make_staff, admin):
    team = client.post(
        "/api/v1/admin/teams",
        json={"name": "宁波队", "kind": "社会组织", "region_code": "330203"},
        headers=admin,
    ).get_json()
    hangzhou_admin = make_staff("city_admin", "330100")
    response = client.post(
        "/api/v1/admin/projects",
        json={"title": "x", "region_code": "330106", "team_id": team["id"]},
        headers=hangzhou_admin,
    )
    assert code_of(response) == (404, "NOT_FOUND")


# Activities


def test_an_admin_publishes_an_activity_at_a_station(client, admin, create_station):
    station = create_station()
    project = client.post(
        "/api/v1/admin/projects",
        json={"title": "西湖净滩", "region_code": "330100"},
        headers=admin,
    ).get_json()
    starts = now() + timedelta(days=1)
    response = client.post(
        "/api/v1/admin/activities",
        json={
            "title": "西湖净滩行动",
            "station_id": station["id"],
            "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(hours=3)),
            "capacity": 30,
            "signup_required": True,
            "project_id": project["id"],
        },
        headers=admin,
    )
    assert response.status_code == 201
    activity = response.get_json()
    assert activity["region_code"] == "330106"
    assert activity["signup_deadline"] == activity["starts_at"]
    assert activity["signup_count"] == 0
    assert activity["status"] == "published"
    assert activity["project_id"] == project["id"]


def test_a_time_without_offset_is_zhejiang_time(client, admin, create_station, create_activity):
    station = create_station()
    activity = create_activity(
        station["id"], starts_at="2099-06-05T09:00:00", ends_at="2099-06-05T11:00:00"
    )
    assert activity["starts_at"] == "2099-06-05T01:00:00+00:00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00+08:00"}, "starts_at"),
        ({"signup_required": "perhaps"}, "signup_required"),
        ({"station_id": -1}, "station_id"),
        ({"station_id": 2**70}, "station_id"),
    ],
)
def test_invalid_activity_fields_are_validation_errors(
    client, admin, create_station, overrides, field
):
    station = create_station()
    starts = now() + timedelta(hours=1)
    body = {
        "title": "活动",
        "station_id": station["id"],
        "starts_at": iso(starts),
        "ends_at": iso(starts + timedelta(hours=1)),
        "capacity": 5,
        "signup_required": False,
        **overrides,
    }
    response = client.post("/api/v1/admin/activities", json=body, headers=admin)
    assert code_of(response) == (422, "VALIDATION_ERROR")
    assert field in response.get_json()["details"]["fields"]


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"start": 2, "end": 1}, "ends_at"),  # ends before it starts
        ({"start": -3, "end": -1}, "ends_at"),  # already over
        ({"start": 1, "end": 24 * 40}, "ends_at"),  # longer than a month
        ({"start": 1, "end": 2, "deadline": 3}, "signup_deadline"),
    ],
)
def test_activity_times_must_make_sense(client, admin, create_station, hours, field):
    station = create_station()
    base = now()
    body = {
        "title": "活动",
        "station_id": station["id"],
        "starts_at": iso(base + timedelta(hours=hours["start"])),
        "ends_at": iso(base + timedelta(hours=hours["end"])),
        "capacity": 5,
        "signup_required": False,
    }
    if "deadline" in hours:
        body["signup_deadline"] = iso(base + timedelta(hours=hours["deadline"]))
    response = client.post("/api/v1/admin/activities", json=body, headers=admin)
    assert code_of(response) == (422, "VALIDATION_ERROR")
    assert field in response.get_json()["details"]["fields"]


def test_activities_are_scoped_by_their_station(
    client, make_staff, create_station, create_activity
):
    hangzhou = create_station()
    ningbo_admin = make_staff("city_admin", "330200")
    starts = now() + timedelta(hours=1)
    response = client.post(
        "/api/v1/admin/activities",
        json={
            "title": "越界活动",
            "station_id": hangzhou["id"],
            "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(hours=1)),
            "capacity": 5,
            "signup_required": False,
        },
        headers=ningbo_admin,
    )
    assert code_of(response) == (404, "NOT_FOUND")
    mine = create_activity(hangzhou["id"])
    assert client.get("/api/v1/admin/activities", headers=ningbo_admin).get_json()["items"] == []
    path = f"/api/v1/admin/activities/{mine['id']}"
    assert code_of(client.get(path, headers=ningbo_admin)) == (404, "NOT_FOUND")
    assert code_of(client.post(path + "/cancel", headers=ningbo_admin)) == (404, "NOT_FOUND")


def test_a_project_of_another_region_cannot_carry_the_activity(
    client, admin, create_station, create_activity
):
    station = create_station()
    ningbo_project = client.post(
        "/api/v1/admin/projects", json={"title": "甬江护河", "region_code": "330200"}, headers=admin
    ).get_json()
    starts = now() + timedelta(hours=1)
    response = client.post(
        "/api/v1/admin/activities",
        json={
            "title": "x",
            "station_id": station["id"],
            "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(hours=1)),
            "capacity": 5,
            "signup_required": False,
            "project_id": ningbo_project["id"],
        },
        headers=admin,
    )
    assert code_of(response) == (404, "NOT_FOUND")


def test_an_inactive_station_takes_no_new_activities(client, admin, create_station):
    station = create_station(is_active=False)
    starts = now() + timedelta(hours=1)
    response = client.post(
        "/api/v1/admin/activities",
        json={
            "title": "x",
            "station_id": station["id"],
            "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(hours=1)),
            "capacity": 5,
            "signup_required": False,
        },
        headers=admin,
    )
    assert code_of(response) == (409, "STATION_INACTIVE")


def test_the_staff_list_filters_and_pages(client, admin, create_station, create_activity):
    station = create_station()
    other = create_station(name="宁波站", region_code="330203", lat=NINGBO[0], lng=NINGBO[1])
    base = now() + timedelta(days=1)
    made = [
        create_activity(
            station["id"],
            starts_at=iso(base + timedelta(hours=i)),
            ends_at=iso(base + timedelta(hours=i + 1)),
            title=f"活动{i}",
        )
        for i in range(3)
    ]
    create_activity(other["id"], title="宁波活动")
    client.post(f"/api/v1/admin/activities/{made[0]['id']}/cancel", headers=admin)
    listed = client.get(
        f"/api/v1/admin/activities?station_id={station['id']}&limit=2", headers=admin
    ).get_json()
    assert [a["title"] for a in listed["items"]] == ["活动2", "活动1"]
    rest = client.get(
        f"/api/v1/admin/activities?station_id={station['id']}&limit=2&cursor={listed['next_cursor']}",
        headers=admin,
    ).get_json()
    assert [a["title"] for a in rest["items"]] == ["活动0"]
    assert rest["next_cursor"] is None
    cancelled = client.get("/api/v1/admin/activities?status=cancelled", headers=admin).get_json()
    assert [a["title"] for a in cancelled["items"]] == ["活动0"]


# Sign-ups


@pytest.fixture
def activity(create_station, create_activity):
    return create_activity(create_station()["id"], capacity=2)


def sign_up(client, activity_id, headers):
    return client.post(f"/api/v1/activities/{activity_id}/signups", headers=headers)


def test_a_volunteer_signs_up_sees_it_and_cancels(client, volunteer_headers, activity):
    response = sign_up(client, activity["id"], volunteer_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "active"
    assert body["signup_count"] == 1
    assert body["capacity"] == 2

    listed = client.get("/api/v1/activities", headers=volunteer_headers).get_json()["items"]
    assert [(a["id"], a["signed_up"], a["signup_count"]) for a in listed] == [
        (activity["id"], True, 1)
    ]
    assert listed[0]["station"]["name"] == "西湖生态文明教育馆"

    cancelled = client.delete(
        f"/api/v1/activities/{activity['id']}/signups/me", headers=volunteer_headers
    )
    assert cancelled.status_code == 204
    again = client.delete(
        f"/api/v1/activities/{activity['id']}/signups/me", headers=volunteer_headers
    )
    assert again.status_code == 204
    listed = client.get("/api/v1/activities", headers=volunteer_headers).get_json()["items"]
    assert (listed[0]["signed_up"], listed[0]["signup_count"]) == (False, 0)


def test_signing_up_twice_answers_the_same_signup(client, volunteer_headers, activity):
    first = sign_up(client, activity["id"], volunteer_headers).get_json()
    second = sign_up(client, activity["id"], volunteer_headers)
    assert second.status_code == 201
    assert second.get_json()["id"] == first["id"]
    assert second.get_json()["signup_count"] == 1


def test_a_full_activity_refuses_and_a_cancellation_frees_a_place(
    client, login_volunteer, activity
):
    alice, bob, carol = (login_volunteer(name)["headers"] for name in ("alice", "bob", "carol"))
    assert sign_up(client, activity["id"], alice).status_code == 201
    assert sign_up(client, activity["id"], bob).status_code == 201
    full = sign_up(client, activity["id"], carol)
    assert code_of(full) == (409, "ACTIVITY_FULL")
    assert full.get_json()["message"] == "活动名额已满"
    client.delete(f"/api/v1/activities/{activity['id']}/signups/me", headers=alice)
    assert sign_up(client, activity["id"], carol).status_code == 201
    # Alice comes back to a full activity; her cancelled row is reused once a place frees.
    assert code_of(sign_up(client, activity["id"], alice)) == (409, "ACTIVITY_FULL")
    client.delete(f"/api/v1/activities/{activity['id']}/signups/me", headers=bob)
    again = sign_up(client, activity["id"], alice)
    assert again.status_code == 201
    assert again.get_json()["signup_count"] == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "cancelled"}, "活动已取消，不能报名"),
        ({"signup_deadline": now() - timedelta(minutes=1)}, "活动报名已截止"),
        (
            {
                "starts_at": now() - timedelta(hours=3),
                "signup_deadline": now() - timedelta(hours=3),
                "ends_at": now() - timedelta(hours=1),
            },
            "活动已结束，不能报名",
        ),
    ],
)
def test_closed_activities_refuse_signups(client, volunteer_headers, activity, change, message):
    move_activity(activity["id"], **change)
    response = sign_up(client, activity["id"], volunteer_headers)
    assert code_of(response) == (409, "SIGNUP_CLOSED")
    assert response.get_json()["message"] == message


def test_a_running_activity_takes_signups_until_its_deadline(client, volunteer_headers, activity):
    move_activity(
        activity["id"],
        starts_at=now() - timedelta(hours=1),
        signup_deadline=now() + timedelta(minutes=30),
    )
    assert sign_up(client, activity["id"], volunteer_headers).status_code == 201


def test_cancelling_without_a_signup_is_not_found(client, volunteer_headers, activity):
    response = client.delete(
        f"/api/v1/activities/{activity['id']}/signups/me", headers=volunteer_headers
    )
    assert code_of(response) == (404, "NOT_FOUND")
    assert code_of(sign_up(client, 987654, volunteer_headers)) == (404, "NOT_FOUND")
    assert code_of(sign_up(client, 2**70, volunteer_headers)) == (404, "NOT_FOUND")


def test_staff_cannot_sign_up(client, admin, activity):
    assert code_of(sign_up(client, activity["id"], admin)) == (403, "FORBIDDEN")


def test_the_volunteer_list_filters_by_station_and_time(
    client, volunteer_headers, create_station, create_activity
):
    here = create_station()
    there = create_station(name="宁波站", region_code="330203", lat=NINGBO[0], lng=NINGBO[1])
    soon = create_activity(here["id"], title="明天")
    later = create_activity(
        here["id"],
        title="下周",
        starts_at=iso(now() + timedelta(days=7)),
        ends_at=iso(now() + timedelta(days=7, hours=2)),
    )
    create_activity(there["id"], title="宁波")
    cancelled = create_activity(here["id"], title="已取消")
    move_activity(cancelled["id"], status="cancelled")

    def titles(**query):
        response = client.get("/api/v1/activities", query_string=query, headers=volunteer_headers)
        assert response.status_code == 200, response.get_json()
        return [a["title"] for a in response.get_json()["items"]]

    assert titles(station_id=here["id"]) == [soon["title"], later["title"]]
    assert titles(station_id=here["id"], to=iso(now() + timedelta(days=2))) == [soon["title"]]
    assert titles(**{"from": iso(now() + timedelta(days=3))}) == [later["title"]]
    assert "宁波" in titles()
    bad = client.get("/api/v1/activities?from=yesterday", headers=volunteer_headers)
    assert code_of(bad) == (422, "VALIDATION_ERROR")
