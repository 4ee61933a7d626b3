"""十佳公众参与案例: volunteers send cases, staff shortlist or reject, the province selects ten."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from miniprogram_api.extensions import db
from tests.reports.conftest import NINGBO_HAISHU
from volunteering.activities.models import Project
from volunteering.recognition import campaigns, cases


def send(client, headers, **overrides):
    body = {
        "title": "西湖边的垃圾分类督导",
        "description": "每周末组织居民在湖滨开展垃圾分类督导与宣传。",
        "region_code": "330106",
    }
    body.update(overrides)
    return client.post("/api/v1/cases", json=body, headers=headers)


@pytest.fixture
def province(make_staff):
    return make_staff("province_admin")


def test_a_volunteer_sends_a_case_and_sees_it_in_her_list(client, volunteer_headers):
    project = Project(title="西湖护水行动", region_code="330106")
    db.session.add(project)
    db.session.commit()

    response = send(client, volunteer_headers, project_id=project.id)
    mine = client.get("/api/v1/me/cases", headers=volunteer_headers)

    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["status"] == "submitted"
    assert case["project_id"] == project.id
    assert "六五环境日" in case["campaign"] and "十佳公众参与案例" in case["campaign"]
    assert [item["id"] for item in mine.get_json()["items"]] == [case["id"]]


def test_a_case_sent_after_june_fifth_joins_next_years_collection():
    assert campaigns.case_year(datetime(2026, 6, 5, tzinfo=UTC).date()) == 2026
    assert campaigns.case_year(datetime(2026, 6, 6, tzinfo=UTC).date()) == 2027


def test_an_unknown_project_or_region_is_refused(client, volunteer_headers):
    assert send(client, volunteer_headers, project_id=999999).status_code == 404
    assert send(client, volunteer_headers, region_code="110000").status_code == 422
    assert send(client, volunteer_headers, title="").status_code == 422


def test_staff_cannot_send_cases(client, province):
    assert send(client, province).status_code == 403


def test_staff_see_and_review_only_their_regions_cases(client, volunteer_headers, make_staff):
    case = send(client, volunteer_headers).get_json()
    hangzhou, ningbo = make_staff("city_admin", "330100"), make_staff("city_admin", "330200")
    review = f"/api/v1/admin/cases/{case['id']}/review"

    assert [
        c["id"] for c in client.get("/api/v1/admin/cases", headers=hangzhou).get_json()["items"]
    ] == [case["id"]]
    assert client.get("/api/v1/admin/cases", headers=ningbo).get_json()["items"] == []
    assert client.get(f"/api/v1/admin/cases/{case['id']}", headers=ningbo).status_code == 404
    assert client.post(review, json={"decision": "shortlist"}, headers=ningbo).status_code == 404
    shortlisted = client.post(review, json={"decision": "shortlist"}, headers=hangzhou)
    assert shortlisted.get_json()["status"] == "shortlisted"


def test_only_the_province_selects(client, volunteer_headers, make_staff, province):
    case = send(client, volunteer_headers).get_json()
    review = f"/api/v1/admin/cases/{case['id']}/review"

    by_city = client.post(
        review, json={"decision": "select"}, headers=make_staff("city_admin", "330100")
    )
    by_province = client.post(
        review, json={"decision": "select", "note": "示范性强"}, headers=province
    )

    assert by_city.status_code == 403
    assert by_province.status_code == 200
    assert by_province.get_json()["status"] == "selected"


def test_decisions_follow_the_workflow(client, volunteer_headers, province):
    case = send(client, volunteer_headers).get_json()
    review = f"/api/v1/admin/cases/{case['id']}/review"

    assert client.post(review, json={"decision": "reject"}, headers=province).status_code == 200
    again = client.post(review, json={"decision": "shortlist"}, headers=province)
    assert again.status_code == 409
    assert again.get_json()["code"] == "ALREADY_REVIEWED"
    assert client.post(review, json={"decision": "crown"}, headers=province).status_code == 422


def test_the_eleventh_selection_of_a_year_is_refused(client, login_volunteer, province, recorder):
    volunteer_id = login_volunteer("carol")["volunteer"]["id"]
    moment = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    made = [
        cases.submit(
            db.session,
            volunteer_id=volunteer_id,
            title=f"案例{index}",
            description="社区环保",
            region_code=NINGBO_HAISHU,
            at=moment,
        ).id
        for index in range(11)
    ]
    for case_id in made[:10]:
        cases.review(
            db.session, case_id, decision="select", note=None, staff_id=recorder.id, scope="330000"
        )

    response = client.post(
        f"/api/v1/admin/cases/{made[10]}/review", json={"decision": "select"}, headers=province
    )

    assert response.status_code == 409
    assert response.get_json()["code"] == "SELECTION_FULL"
    assert client.get(f"/api/v1/admin/cases/{made[10]}", headers=province).get_json()["status"] == (
        "submitted"
    )
