"""Manual hours (补录) in the console: one admin records, another approves or rejects."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from miniprogram_api.extensions import db
from volunteering import hours
from volunteering.sessions.models import ManualHours


def html(response) -> str:
    return response.get_data(as_text=True)


def record(console, volunteer_id: int, **form):
    data = {
        "volunteer_id": str(volunteer_id),
        "service_date": (date.today() - timedelta(days=3)).isoformat(),
        "minutes": "90",
        "reason": "植树活动现场未签到",
        **form,
    }
    return console.post("/console/manual-hours", data, follow_redirects=True)


def test_one_admin_records_and_another_approves(console_as, make_volunteer):
    volunteer = make_volunteer("小满", "330106")
    recorder = console_as("county_admin", "330106")
    reviewer = console_as("city_admin", "330100")
    assert "录入补录" in html(recorder.get("/console/manual-hours"))
    assert "等待其他管理员审核" in html(record(recorder, volunteer.id))
    entry = db.session.scalars(select(ManualHours)).one()
    assert (entry.status, entry.region_code, entry.created_by) == (
        "pending_review",
        "330106",
        recorder.staff_id,
    )

    own = recorder.post(f"/console/manual-hours/{entry.id}/approve", follow_redirects=True)
    assert own.status_code == 200
    assert "补录人不能审核自己录入的时长" in html(own)
    db.session.expire_all()
    assert db.session.get(ManualHours, entry.id).status == "pending_review"

    reviewer.get("/console/manual-hours")
    done = reviewer.post(f"/console/manual-hours/{entry.id}/approve", follow_redirects=True)
    assert f"补录 {entry.id} 已通过，计入 90 分钟" in html(done)
    db.session.expire_all()
    assert db.session.get(ManualHours, entry.id).reviewed_by == reviewer.staff_id
    assert hours.summary(db.session, volunteer.id).manual_minutes == 90
    again = reviewer.post(f"/console/manual-hours/{entry.id}/approve", follow_redirects=True)
    assert "该补录记录当前状态不能执行此操作" in html(again)


def test_a_rejection_needs_a_reason(console_as, make_volunteer):
    volunteer = make_volunteer("小满", "330106")
    record(console_as("county_admin", "330106"), volunteer.id)
    entry = db.session.scalars(select(ManualHours)).one()
    reviewer = console_as("county_admin", "330106")
    path = f"/console/manual-hours/{entry.id}/reject"
    assert "请填写驳回原因" in html(reviewer.post(path, {}, follow_redirects=True))
    reviewer.post(path, {"reason": "无活动记录"})
    db.session.expire_all()
    assert (entry.status, entry.review_note) == ("rejected", "无活动记录")
    assert "已驳回" in html(reviewer.get("/console/manual-hours?status=rejected"))


def test_bad_records_are_messages_not_errors(console_as, make_volunteer):
    volunteer = make_volunteer("小满", "330106")
    admin = console_as("county_admin", "330106")
    cases = [
        ({"minutes": "0"}, "服务分钟数不能小于 1"),
        ({"minutes": "many"}, "服务分钟数必须是整数"),
        ({"service_date": "2026-02-30"}, "服务日期格式应为 YYYY-MM-DD"),
        ({"service_date": "2999-01-01"}, "服务日期不能晚于今天"),
        ({"reason": ""}, "请填写补录原因"),
    ]
    for form, message in cases:
        response = record(admin, volunteer.id, **form)
        assert response.status_code == 200, form
        assert message in html(response), form
    assert db.session.scalars(select(ManualHours)).first() is None


def test_manual_hours_stay_in_the_region(console_as, make_volunteer):
    ningbo = make_volunteer("宁波人", "330203")
    ningbo_admin = console_as("county_admin", "330203")
    record(ningbo_admin, ningbo.id)
    entry = db.session.scalars(select(ManualHours)).one()
    hangzhou = console_as("city_admin", "330100")
    assert record(hangzhou, ningbo.id).status_code == 404
    assert hangzhou.post(f"/console/manual-hours/{entry.id}/approve").status_code == 404
    assert (
        hangzhou.post(f"/console/manual-hours/{entry.id}/reject", {"reason": "x"}).status_code
        == 404
    )
    assert "植树活动现场未签到" not in html(hangzhou.get("/console/manual-hours?status=all"))
    assert "植树活动现场未签到" in html(
        console_as("city_admin", "330200").get("/console/manual-hours")
    )


def test_auditors_read_the_list_but_cannot_record(console_as, make_volunteer):
    volunteer = make_volunteer("小满", "330106")
    auditor = console_as("auditor", "330106")
    page = html(auditor.get("/console/manual-hours"))
    assert "时长补录" in page and "录入补录" not in page
    assert auditor.post("/console/manual-hours", {"volunteer_id": volunteer.id}).status_code == 403


def test_the_record_form_needs_its_csrf_token(console_as, make_volunteer):
    volunteer = make_volunteer("小满", "330106")
    admin = console_as("county_admin", "330106")
    form = {"volunteer_id": volunteer.id, "service_date": "2026-01-01", "minutes": "60"}
    assert (
        admin.post("/console/manual-hours", {**form, "reason": "x"}, token=False).status_code == 400
    )
    assert db.session.scalars(select(ManualHours)).first() is None
