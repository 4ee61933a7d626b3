"""Nominations for the 百名生态环境志愿者: scoped, once a year, at most 100 approved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from miniprogram_api.extensions import db
from tests.reports.conftest import NINGBO_HAISHU
from volunteering.recognition import nominations
from volunteering.recognition.models import Nomination

PATH = "/api/v1/admin/recognition/nominations"


def nominate(client, headers, volunteer_id, year=2026, reason="坚持垃圾分类宣传三年"):
    return client.post(
        PATH, json={"volunteer_id": volunteer_id, "year": year, "reason": reason}, headers=headers
    )


@pytest.fixture
def hangzhou_admin(make_staff):
    return make_staff("city_admin", "330100")


@pytest.fixture
def province(make_staff):
    return make_staff("province_admin")


def test_a_city_admin_nominates_a_volunteer_of_its_city(client, hangzhou_admin, make_volunteer):
    volunteer = make_volunteer("张三丰", "330106")

    response = nominate(client, hangzhou_admin, volunteer.id)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending"
    assert body["volunteer_name_masked"] == "张**"
    assert body["region_code"] == "330106"
    assert body["campaign"] == "2026年国际志愿者日（12月5日）百名生态环境志愿者"


def test_a_volunteer_outside_the_region_is_not_found(client, hangzhou_admin, make_volunteer):
    response = nominate(client, hangzhou_admin, make_volunteer("李四", NINGBO_HAISHU).id)

    assert response.status_code == 404


def test_a_volunteer_is_nominated_once_a_year(client, hangzhou_admin, province, make_volunteer):
    volunteer = make_volunteer()
    nominate(client, hangzhou_admin, volunteer.id)

    again = nominate(client, province, volunteer.id)
    next_year = nominate(client, province, volunteer.id, year=2027)

    assert again.status_code == 409
    assert again.get_json()["code"] == "ALREADY_NOMINATED"
    assert next_year.status_code == 201


def test_nominations_are_listed_and_shown_only_inside_the_region(
    client, hangzhou_admin, make_staff, make_volunteer
):
    created = nominate(client, hangzhou_admin, make_volunteer().id).get_json()
    ningbo = make_staff("city_admin", "330200")

    mine = client.get(PATH, headers=hangzhou_admin).get_json()["items"]
    theirs = client.get(PATH, headers=ningbo).get_json()["items"]

    assert [item["id"] for item in mine] == [created["id"]]
    assert theirs == []
    assert client.get(f"{PATH}/{created['id']}", headers=ningbo).status_code == 404
    assert client.get(f"{PATH}/{created['id']}", headers=hangzhou_admin).status_code == 200


def test_only_province_admins_review(client, hangzhou_admin, make_volunteer):
    created = nominate(client, hangzhou_admin, make_volunteer().id).get_json()

    response = client.post(
        f"{PATH}/{created['id']}/review", json={"decision": "approve"}, headers=hangzhou_admin
    )

    assert response.status_code == 403


def test_a_province_admin_approves_once(client, hangzhou_admin, province, make_volunteer):
    created = nominate(client, hangzhou_admin, make_volunteer().id).get_json()
    review = f"{PATH}/{created['id']}/review"

    approved = client.post(
        review, json={"decision": "approve", "note": "事迹突出"}, headers=province
    )
    again = client.post(review, json={"decision": "reject"}, headers=province)

    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["review_note"] == "事迹突出"
    assert again.status_code == 409
    assert again.get_json()["code"] == "ALREADY_REVIEWED"
    campaigns = client.get("/api/v1/admin/recognition/campaigns?year=2026", headers=province)
    places = {c["program"]: (c["used"], c["cap"]) for c in campaigns.get_json()["items"]}
    assert places == {"volunteers100": (1, 100), "cases10": (0, 10)}


def test_a_rejection_takes_no_place(client, hangzhou_admin, province, make_volunteer):
    created = nominate(client, hangzhou_admin, make_volunteer().id).get_json()

    rejected = client.post(
        f"{PATH}/{created['id']}/review", json={"decision": "reject"}, headers=province
    )

    assert rejected.get_json()["status"] == "rejected"
    assert nominations.approved_count(db.session, 2026) == 0


def test_the_hundred_and_first_approval_is_refused(client, province, make_volunteer, recorder):
    for index in range(101):
        volunteer = make_volunteer(f"志愿者{index}")
        nominations.nominate(
            db.session,
            volunteer_id=volunteer.id,
            year=2026,
            reason="推荐",
            staff_id=recorder.id,
            scope="330000",
        )
    pending = db.session.scalars(select(Nomination.id).order_by(Nomination.id)).all()
    for nomination_id in pending[:100]:
        nominations.review(
            db.session, nomination_id, decision="approve", note=None, staff_id=recorder.id
        )

    response = client.post(
        f"{PATH}/{pending[100]}/review", json={"decision": "approve"}, headers=province
    )

    assert response.status_code == 409
    assert response.get_json()["code"] == "SELECTION_FULL"
    assert "100" in response.get_json()["message"]
    assert db.session.get(Nomination, pending[100]).status == "pending"
    approved = select(func.count()).where(Nomination.status == "approved")
    assert db.session.scalar(approved) == 100


@pytest.mark.parametrize(
    "body",
    [
        {"volunteer_id": 1, "year": 1999, "reason": "x"},
        {"volunteer_id": 1, "year": 2026, "reason": ""},
        {"volunteer_id": 1, "year": 2026},
        {"volunteer_id": "abc", "year": 2026, "reason": "x"},
    ],
)
def test_malformed_nominations_are_422(client, province, body):
    assert client.post(PATH, json=body, headers=province).status_code == 422
