"""Racing reviewers on real PostgreSQL connections cannot overrun the 100 and 10 places.

Each thread has its own test client (its own app context, session and connection); a barrier
releases them at the same instant.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from miniprogram_api.extensions import db
from tests.reports.racing import race
from volunteering.recognition import cases, nominations, places
from volunteering.recognition.models import CaseSubmission, Nomination

pytestmark = pytest.mark.postgres


def nominated(make_volunteer, recorder, count: int) -> list[int]:
    ids = []
    for index in range(count):
        volunteer = make_volunteer(f"志愿者{index}")
        nomination = nominations.nominate(
            db.session,
            volunteer_id=volunteer.id,
            year=2026,
            reason="推荐",
            staff_id=recorder.id,
            scope="330000",
        )
        ids.append(nomination.id)
    return ids


def test_ten_approvals_race_for_the_last_two_of_a_hundred_places(
    racing_app, make_volunteer, recorder, make_staff
):
    ids = nominated(make_volunteer, recorder, 108)
    for nomination_id in ids[:98]:
        nominations.review(
            db.session, nomination_id, decision="approve", note=None, staff_id=recorder.id
        )
    province = make_staff("province_admin")
    last = ids[98:]

    outcomes = race(
        racing_app,
        10,
        lambda client, i: client.post(
            f"/api/v1/admin/recognition/nominations/{last[i]}/review",
            json={"decision": "approve"},
            headers=province,
        ),
    )

    assert outcomes == Counter({200: 2, "SELECTION_FULL": 8})
    db.session.rollback()
    approved = select(func.count()).where(Nomination.status == "approved")
    assert db.session.scalar(approved) == 100
    assert places.used(db.session, "volunteers100", 2026) == 100


def test_one_nomination_approved_by_eight_reviewers_at_once_takes_one_place(
    racing_app, make_volunteer, recorder, make_staff
):
    (nomination_id,) = nominated(make_volunteer, recorder, 1)
    province = make_staff("province_admin")

    outcomes = race(
        racing_app,
        8,
        lambda client, i: client.post(
            f"/api/v1/admin/recognition/nominations/{nomination_id}/review",
            json={"decision": "approve"},
            headers=province,
        ),
    )

    assert outcomes == Counter({200: 1, "ALREADY_REVIEWED": 7})
    db.session.rollback()
    assert places.used(db.session, "volunteers100", 2026) == 1


def test_six_selections_race_for_the_last_of_ten_cases(
    racing_app, login_volunteer, recorder, make_staff
):
    volunteer_id = login_volunteer("dora")["volunteer"]["id"]
    ids = [
        cases.submit(
            db.session,
            volunteer_id=volunteer_id,
            title=f"案例{index}",
            description="社区环保",
            region_code="330106",
            at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        ).id
        for index in range(15)
    ]
    for case_id in ids[:9]:
        cases.review(
            db.session, case_id, decision="select", note=None, staff_id=recorder.id, scope="330000"
        )
    province = make_staff("province_admin")
    last = ids[9:]

    outcomes = race(
        racing_app,
        6,
        lambda client, i: client.post(
            f"/api/v1/admin/cases/{last[i]}/review", json={"decision": "select"}, headers=province
        ),
    )

    assert outcomes == Counter({200: 1, "SELECTION_FULL": 5})
    db.session.rollback()
    selected = select(func.count()).where(CaseSubmission.status == "selected")
    assert db.session.scalar(selected) == 10
