"""Recognition in the console: the 百名 ranking, nominations and review, the 十佳 cases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.clock import business_time, now
from miniprogram_api.extensions import db
from tests.console.conftest import NINGBO
from volunteering.recognition import cases
from volunteering.recognition.models import (
    CASES_PROGRAM,
    VOLUNTEERS_PROGRAM,
    CaseSubmission,
    Nomination,
    SelectionPlaces,
)


def html(response) -> str:
    return response.get_data(as_text=True)


def this_year() -> int:
    return business_time(now()).year


@pytest.fixture
def ranked(make_volunteer, make_station, serve):
    """Two volunteers of 西湖区 with this year's hours, and one of 宁波."""
    station = make_station("330106")
    first = make_volunteer("老周", "330106", real_name="周先生")
    second = make_volunteer("小林", "330106", real_name="林小姐")
    serve(first, station, 300, rating=5)
    serve(second, station, 120)
    ningbo = make_volunteer("宁波人", "330203", real_name="李四光")
    serve(ningbo, make_station("330203", NINGBO, name="宁波站点"), 600)
    return {"first": first, "second": second, "ningbo": ningbo}


def fill(program: str, used: int) -> None:
    db.session.add(SelectionPlaces(program=program, year=this_year(), used=used))
    db.session.commit()


def test_the_ranking_orders_the_regions_volunteers_by_hours(console_as, ranked):
    page = html(console_as("county_admin", "330106").get("/console/recognition"))
    assert "国际志愿者日（12月5日）百名生态环境志愿者" in page
    assert page.index("周**") < page.index("林**")
    assert "李**" not in page  # 宁波 is outside 西湖区
    assert "已入选 0 / 100 个名额" in page and "已入选 0 / 10 个名额" in page


def test_the_ranking_refuses_a_region_outside_and_a_bad_year(console_as, ranked):
    console = console_as("city_admin", "330100")
    assert console.get("/console/recognition?region_code=330200").status_code == 403
    assert console.get("/console/recognition?region_code=330106").status_code == 200
    bad = console.get("/console/recognition?year=99999")
    assert bad.status_code == 422
    assert "年份必须在 2020 到 2100 之间" in html(bad)


def test_a_county_admin_nominates_from_the_ranking_and_the_province_approves(console_as, ranked):
    county = console_as("county_admin", "330106")
    county.get("/console/recognition")
    volunteer = ranked["first"]
    response = county.post(
        "/console/recognition/nominations",
        {"volunteer_id": volunteer.id, "year": this_year(), "reason": "常年守护西湖水质"},
        follow_redirects=True,
    )
    assert f"已推荐志愿者 {volunteer.id}" in html(response)
    nomination = db.session.scalars(select(Nomination)).one()
    assert (nomination.status, nomination.region_code) == ("pending", "330106")
    again = county.post(
        "/console/recognition/nominations",
        {"volunteer_id": volunteer.id, "year": this_year(), "reason": "再推荐一次"},
        follow_redirects=True,
    )
    assert "该志愿者本年度已被推荐" in html(again)
    assert (
        county.post(
            f"/console/recognition/nominations/{nomination.id}/review", {"decision": "approve"}
        ).status_code
        == 403
    )  # the province decides

    province = console_as("province_admin", "330000")
    page = html(province.get("/console/recognition/nominations"))
    assert "常年守护西湖水质" in page and "通过" in page
    done = province.post(
        f"/console/recognition/nominations/{nomination.id}/review",
        {"decision": "approve", "note": "事迹突出"},
        follow_redirects=True,
    )
    assert f"推荐 {nomination.id}：已入选" in html(done)
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).status == "approved"
    assert "已入选 1 / 100 个名额" in html(province.get("/console/recognition"))


def test_a_full_selection_is_a_message(console_as, ranked):
    county = console_as("county_admin", "330106")
    county.post(
        "/console/recognition/nominations",
        {"volunteer_id": ranked["second"].id, "year": this_year(), "reason": "热心环保"},
    )
    nomination = db.session.scalars(select(Nomination)).one()
    fill(VOLUNTEERS_PROGRAM, 100)
    province = console_as("province_admin", "330000")
    response = province.post(
        f"/console/recognition/nominations/{nomination.id}/review",
        {"decision": "approve"},
        headers={"Referer": "http://localhost/console/recognition/nominations"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"{this_year()}年度百名生态环境志愿者名额已满（100 个）" in html(response)
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).status == "pending"


def test_nominations_stay_in_the_region(console_as, ranked):
    hangzhou = console_as("city_admin", "330100")
    form = {"volunteer_id": ranked["ningbo"].id, "year": this_year(), "reason": "越界推荐"}
    assert hangzhou.post("/console/recognition/nominations", form).status_code == 404
    ningbo = console_as("city_admin", "330200")
    form["reason"] = "宁波推荐"
    ningbo.post("/console/recognition/nominations", form)
    assert "宁波推荐" not in html(hangzhou.get("/console/recognition/nominations"))
    assert "宁波推荐" in html(ningbo.get("/console/recognition/nominations"))


def test_the_nominate_form_needs_its_csrf_token(console_as, ranked):
    county = console_as("county_admin", "330106")
    form = {"volunteer_id": ranked["first"].id, "year": this_year(), "reason": "无令牌"}
    assert county.post("/console/recognition/nominations", form, token=False).status_code == 400
    assert db.session.scalars(select(Nomination)).first() is None


@pytest.fixture
def submitted(ranked, session):
    """A case from 西湖区 and one from 宁波."""
    mine = cases.submit(
        session,
        volunteer_id=ranked["first"].id,
        title="西湖护水行动",
        description="每周巡河，记录水质。",
        region_code="330106",
    )
    theirs = cases.submit(
        session,
        volunteer_id=ranked["ningbo"].id,
        title="月湖清淤",
        description="社区清淤。",
        region_code="330203",
    )
    return {"mine": mine.id, "theirs": theirs.id}


def test_cases_are_shortlisted_locally_and_selected_by_the_province(console_as, submitted):
    county = console_as("county_admin", "330106")
    page = html(county.get("/console/recognition/cases"))
    assert "西湖护水行动" in page and "月湖清淤" not in page
    case_page = f"/console/recognition/cases/{submitted['mine']}"
    assert "每周巡河，记录水质。" in html(county.get(case_page))
    review = f"{case_page}/review"
    assert county.post(review, {"decision": "select"}).status_code == 403
    county.post(review, {"decision": "shortlist", "note": "材料完整"})
    db.session.expire_all()
    assert db.session.get(CaseSubmission, submitted["mine"]).status == "shortlisted"

    province = console_as("province_admin", "330000")
    province.get(case_page)
    done = province.post(review, {"decision": "select"}, follow_redirects=True)
    assert "案例「西湖护水行动」：入选十佳" in html(done)
    again = province.post(review, {"decision": "reject"}, follow_redirects=True)
    assert "该申报当前状态不能执行此操作" in html(again)


def test_a_full_case_selection_is_a_message(console_as, submitted, session):
    case = session.get(CaseSubmission, submitted["mine"])
    db.session.add(SelectionPlaces(program=CASES_PROGRAM, year=case.year, used=10))
    db.session.commit()
    province = console_as("province_admin", "330000")
    response = province.post(
        f"/console/recognition/cases/{case.id}/review",
        {"decision": "select"},
        follow_redirects=True,
    )
    assert f"{case.year}年度十佳公众参与案例名额已满（10 个）" in html(response)


def test_cases_outside_the_region_are_404(console_as, submitted):
    county = console_as("county_admin", "330106")
    theirs = f"/console/recognition/cases/{submitted['theirs']}"
    assert county.get(theirs).status_code == 404
    assert county.post(f"{theirs}/review", {"decision": "shortlist"}).status_code == 404
    assert county.post(f"{theirs}/review", {"decision": "select"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/console/recognition", "/console/recognition/nominations", "/console/recognition/cases"],
)
def test_auditors_read_recognition_and_station_managers_do_not(console_as, ranked, path):
    assert console_as("auditor", "330100").get(path).status_code == 200
    assert console_as("station_manager", "330106").get(path).status_code == 403
