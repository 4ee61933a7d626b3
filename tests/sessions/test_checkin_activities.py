"""Check-in during a running activity: sign-up required, the session tied to the activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import now
from miniprogram_api.extensions import db
from volunteering.activities.models import Activity


@pytest.fixture
def running_activity(station):
    def make(signup_required: bool, *, ends_in_minutes: int = 60) -> Activity:
        started = now() - timedelta(minutes=30)
        activity = Activity(
            title="西湖湖滨垃圾分类宣传",
            station_id=station.id,
            region_code=station.region_code,
            starts_at=started,
            ends_at=now() + timedelta(minutes=ends_in_minutes),
            signup_deadline=started,
            capacity=10,
            signup_required=signup_required,
        )
        db.session.add(activity)
        db.session.commit()
        return activity

    return make


def test_check_in_is_tied_to_the_running_activity(
    scan, volunteer_headers, station, running_activity
):
    activity = running_activity(signup_required=False)
    response = scan("checkins", volunteer_headers, station)
    assert response.status_code == 201
    assert response.get_json()["activity_id"] == activity.id


def test_an_activity_that_needs_sign_up_refuses_walk_ins(
    scan, volunteer_headers, station, running_activity
):
    activity = running_activity(signup_required=True)
    response = scan("checkins", volunteer_headers, station)
    assert response.status_code == 409
    assert response.get_json()["code"] == "SIGNUP_REQUIRED"
    assert response.get_json()["details"]["activity_id"] == activity.id


def test_a_check_out_long_after_the_activity_ended_goes_to_review(
    scan, backdate, volunteer_headers, station, running_activity
):
    activity = running_activity(signup_required=False, ends_in_minutes=1)
    session_id = scan("checkins", volunteer_headers, station).get_json()["session_id"]
    backdate(session_id, 60)
    activity.ends_at = now() - timedelta(minutes=45)
    activity.starts_at = now() - timedelta(minutes=90)
    activity.signup_deadline = activity.starts_at
    db.session.commit()
    body = scan("checkouts", volunteer_headers, station).get_json()
    assert body["status"] == "pending_review"
    assert body["review_reasons"] == ["outside_activity_window"]


def test_a_signed_up_volunteer_checks_in(
    client, scan, volunteer_headers, station, running_activity
):
    activity = running_activity(signup_required=True)
    activity.signup_deadline = now() + timedelta(minutes=30)
    db.session.commit()
    signup = client.post(f"/api/v1/activities/{activity.id}/signups", headers=volunteer_headers)
    assert signup.status_code == 201, signup.get_json()
    response = scan("checkins", volunteer_headers, station)
    assert response.status_code == 201
    assert response.get_json()["activity_id"] == activity.id
