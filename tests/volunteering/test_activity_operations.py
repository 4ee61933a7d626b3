"""The activity use cases check-in relies on, and sign-up under concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from core.clock import now
from identity.models import Volunteer
from tests.volunteering.conftest import station_body
from volunteering.activities import operations as activities
from volunteering.activities.errors import ActivityFull
from volunteering.activities.models import Activity, Signup
from volunteering.stations.models import Station


@pytest.fixture
def station(session):
    station = Station(
        name="余村两山讲习所",
        region_code="330523",
        address="湖州市安吉县天荒坪镇余村",
        kind="生态文明宣传教育基地",
        lat=30.5196,
        lng=119.6077,
        radius_m=300,
    )
    session.add(station)
    session.commit()
    return station


@pytest.fixture
def add_activity(session, station):
    def add(start_hours: float, end_hours: float, **fields) -> Activity:
        starts = now() + timedelta(hours=start_hours)
        activity = Activity(
            title=fields.pop("title", "活动"),
            station_id=fields.pop("station_id", station.id),
            region_code="330523",
            starts_at=starts,
            ends_at=now() + timedelta(hours=end_hours),
            signup_deadline=starts,
            capacity=fields.pop("capacity", 10),
            signup_required=True,
            **fields,
        )
        session.add(activity)
        session.commit()
        return activity

    return add


@pytest.fixture
def volunteer(session):
    volunteer = Volunteer(openid="ops-test-openid")
    session.add(volunteer)
    session.commit()
    return volunteer


def test_running_activity_is_the_published_one_whose_window_contains_the_moment(
    session, station, add_activity
):
    add_activity(-5, -3, title="已结束")
    add_activity(1, 2, title="未开始")
    add_activity(-1, 1, title="已取消", status="cancelled")
    running = add_activity(-2, 2, title="进行中")
    assert activities.running_activity(session, station.id, now()).id == running.id
    assert activities.running_activity(session, station.id, now() + timedelta(hours=3)) is None


def test_of_overlapping_activities_the_one_that_started_last_wins(session, station, add_activity):
    add_activity(-3, 3, title="全天")
    later = add_activity(-1, 1, title="上午场")
    assert activities.running_activity(session, station.id, now()).id == later.id


def test_the_window_includes_its_edges(session, station, add_activity):
    activity = add_activity(-1, 1)
    assert activities.running_activity(session, station.id, activity.starts_at).id == activity.id
    assert activities.running_activity(session, station.id, activity.ends_at).id == activity.id


def test_another_stations_activity_is_not_running_here(session, station, add_activity):
    other = Station(
        name="别处", region_code="330523", kind="其他", lat=30.0, lng=119.0, radius_m=100
    )
    session.add(other)
    session.commit()
    add_activity(-1, 1, station_id=other.id)
    assert activities.running_activity(session, station.id, now()) is None


def test_is_signed_up_follows_sign_up_and_cancel(session, add_activity, volunteer):
    activity = add_activity(1, 2)
    assert activities.is_signed_up(session, activity.id, volunteer.id) is False
    activities.sign_up(session, activity.id, volunteer.id, at=now())
    session.commit()
    assert activities.is_signed_up(session, activity.id, volunteer.id) is True
    activities.cancel_signup(session, activity.id, volunteer.id, at=now())
    session.commit()
    assert activities.is_signed_up(session, activity.id, volunteer.id) is False
    again = activities.sign_up(session, activity.id, volunteer.id, at=now())
    session.commit()
    assert session.query(Signup).count() == 1
    assert again.status == "active"


def test_a_full_activity_raises_and_counts_nothing(session, add_activity, volunteer):
    activity = add_activity(1, 2, capacity=1)
    other = Volunteer(openid="ops-test-other")
    session.add(other)
    session.commit()
    activities.sign_up(session, activity.id, other.id, at=now())
    session.commit()
    with pytest.raises(ActivityFull):
        activities.sign_up(session, activity.id, volunteer.id, at=now())
    session.rollback()
    session.refresh(activity)
    assert activity.signup_count == 1
    assert activities.is_signed_up(session, activity.id, volunteer.id) is False


@pytest.mark.postgres
def test_twenty_volunteers_racing_for_five_places_get_exactly_five(
    app, client, login_volunteer, make_staff, session
):
    admin = make_staff("province_admin", "330000")
    station = client.post("/api/v1/admin/stations", json=station_body(), headers=admin)
    starts = now() + timedelta(hours=1)
    created = client.post(
        "/api/v1/admin/activities",
        json={
            "title": "抢报名",
            "station_id": station.get_json()["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 5,
            "signup_required": True,
        },
        headers=admin,
    )
    activity_id = created.get_json()["id"]
    volunteers = [login_volunteer(f"racer{i}")["headers"] for i in range(20)]
    barrier = threading.Barrier(len(volunteers))
    statuses: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def race(headers):
        # Each request runs in its own app context, hence its own session and connection.
        racer = app.test_client()
        barrier.wait()
        response = racer.post(f"/api/v1/activities/{activity_id}/signups", headers=headers)
        with lock:
            code = None if response.status_code == 201 else response.get_json()["code"]
            statuses.append((response.status_code, code))

    threads = [threading.Thread(target=race, args=(h,)) for h in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses.count((201, None)) == 5
    assert statuses.count((409, "ACTIVITY_FULL")) == 15
    session.expire_all()
    assert session.get(Activity, activity_id).signup_count == 5
    assert session.query(Signup).filter_by(activity_id=activity_id, status="active").count() == 5


@pytest.mark.postgres
def test_one_volunteer_tapping_ten_times_at_once_holds_one_place(
    app, client, login_volunteer, make_staff, session
):
    admin = make_staff("province_admin", "330000")
    station = client.post("/api/v1/admin/stations", json=station_body(), headers=admin)
    starts = now() + timedelta(hours=1)
    created = client.post(
        "/api/v1/admin/activities",
        json={
            "title": "连点报名",
            "station_id": station.get_json()["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 3,
            "signup_required": True,
        },
        headers=admin,
    )
    activity_id = created.get_json()["id"]
    headers = login_volunteer("tapper")["headers"]
    barrier = threading.Barrier(10)
    answers: list[tuple[int, int | None]] = []
    lock = threading.Lock()

    def tap():
        tapper = app.test_client()
        barrier.wait()
        response = tapper.post(f"/api/v1/activities/{activity_id}/signups", headers=headers)
        with lock:
            answers.append((response.status_code, response.get_json().get("id")))

    threads = [threading.Thread(target=tap) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {status for status, _ in answers} == {201}
    assert len({signup_id for _, signup_id in answers}) == 1
    session.expire_all()
    assert session.get(Activity, activity_id).signup_count == 1
