"""What staff do on each console page, through the same use cases as the API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from miniprogram_api.extensions import db
from rewards import earning_rules
from rewards.merchants.models import Merchant
from rewards.perks.models import Perk, PerkAudit
from volunteering.activities.models import Project
from volunteering.sessions.models import ServiceSession
from volunteering.stations.models import Station
from volunteering.trainings.models import Training


def flashes(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(console_as):
    return console_as("county_admin", "330106")


def test_create_edit_restock_and_withdraw_a_perk(admin, make_merchant):
    merchant = make_merchant()
    created = admin.post(
        "/console/perks",
        {
            "merchant_id": merchant.id,
            "title": "借书免押金",
            "cost_points": "50",
            "stock": "10",
            "min_star_level": "0",
            "limit_period": "lifetime",
            "valid_until": "2030-01-01",
        },
    )
    assert created.status_code == 302
    perk = db.session.scalars(select(Perk).where(Perk.title == "借书免押金")).one()
    assert (perk.cost_points, perk.stock_left, perk.region_code) == (50, 10, "330106")
    assert perk.valid_until.isoformat().startswith("2029-12-31T16:00")  # Beijing midnight

    page = f"/console/perks/{perk.id}"
    admin.post(
        page,
        {
            "title": "借书免押金",
            "cost_points": "40",
            "min_star_level": "1",
            "limit_period": "month",
            "per_user_limit": "2",
        },
    )
    admin.post(f"{page}/restock", {"quantity": "5"})
    done = admin.post(f"{page}/active", {}, follow_redirects=True)
    assert "已下架" in flashes(done)
    db.session.expire_all()
    perk = db.session.get(Perk, perk.id)
    assert (perk.cost_points, perk.per_user_limit, perk.stock_total, perk.active) == (
        40,
        2,
        15,
        False,
    )
    actions = db.session.scalars(select(PerkAudit.action).where(PerkAudit.perk_id == perk.id))
    assert sorted(actions) == ["create", "restock", "update", "update"]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"cost_points": "abc"}, "所需积分必须是整数"),
        ({"cost_points": "0"}, "所需积分不能小于 1"),
        ({"title": ""}, "请填写名称"),
        ({"valid_from": "2030-13-01"}, "开始日期格式应为 YYYY-MM-DD"),
        ({"valid_from": "2030-02-01", "valid_until": "2030-01-01"}, "结束时间必须晚于开始时间"),
        ({"region_code": "999999"}, "适用区域无效"),
    ],
)
def test_bad_perk_input_is_a_message_not_an_error(admin, make_merchant, form, message):
    merchant = make_merchant()
    base = {
        "merchant_id": merchant.id,
        "title": "好东西",
        "cost_points": "5",
        "stock": "1",
        "min_star_level": "0",
    }
    response = admin.post(
        "/console/perks",
        {**base, **form},
        headers={"Referer": "http://localhost/console/perks/new"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert message in flashes(response)
    assert db.session.scalars(select(Perk)).first() is None


def test_merchants_are_registered_renamed_reissued_and_deactivated(admin):
    admin.post(
        "/console/merchants", {"name": "湖畔茶室", "region_code": "330106", "address": "曙光路"}
    )
    merchant = db.session.scalars(select(Merchant)).one()
    old_code = merchant.bind_code
    page = f"/console/merchants/{merchant.id}"
    admin.post(page, {"name": "湖畔茶室（北山店）", "address": "北山街"})
    admin.post(f"{page}/bind-code", {})
    admin.post(f"{page}/active", {})
    db.session.expire_all()
    merchant = db.session.get(Merchant, merchant.id)
    assert merchant.name == "湖畔茶室（北山店）"
    assert merchant.bind_code != old_code
    assert merchant.active is False


def test_approve_with_minutes_reject_and_void_from_the_detail_page(
    admin, make_station, make_volunteer, make_pending_session
):
    station = make_station()
    first = make_pending_session(make_volunteer("甲"), station)
    second = make_pending_session(make_volunteer("乙"), station)
    admin.post(f"/console/review/{first}", {"action": "approve", f"minutes_{first}": "60"})
    refused = admin.post(f"/console/review/{second}", {"action": "reject"}, follow_redirects=True)
    assert "请填写原因" in flashes(refused)
    admin.post(f"/console/review/{second}", {"action": "reject", "reason": "未在岗"})
    admin.post(f"/console/review/{first}", {"action": "void", "reason": "重复记录"})
    db.session.expire_all()
    assert db.session.get(ServiceSession, first).status == "voided"
    assert db.session.get(ServiceSession, second).review_note == "未在岗"


def test_bulk_actions_report_each_failure_and_keep_the_rest(
    admin, make_station, make_volunteer, make_pending_session
):
    station = make_station()
    ids = [make_pending_session(make_volunteer(f"志愿者{i}"), station) for i in range(3)]
    admin.post(f"/console/review/{ids[0]}", {"action": "reject", "reason": "先驳回"})
    response = admin.post(
        "/console/review/bulk",
        {"action": "approve", "session_ids": [str(i) for i in ids]},
        follow_redirects=True,
    )
    html = flashes(response)
    assert "已通过 2 条服务记录" in html
    assert f"未能处理：{ids[0]}" in html
    db.session.expire_all()
    statuses = [db.session.get(ServiceSession, i).status for i in ids]
    assert statuses == ["rejected", "approved", "approved"]


def test_a_station_manager_reviews_but_cannot_void(
    console_as, make_station, make_volunteer, make_pending_session, session
):
    from volunteering.stations.models import StationManager

    station = make_station()
    pending = make_pending_session(make_volunteer(), station)
    manager = console_as("station_manager", "330106")
    session.add(StationManager(station_id=station.id, staff_id=manager.staff_id))
    session.commit()
    assert (
        manager.post(f"/console/review/{pending}", {"action": "void", "reason": "x"}).status_code
        == 403
    )
    manager.post(f"/console/review/{pending}", {"action": "approve"})
    db.session.expire_all()
    assert db.session.get(ServiceSession, pending).status == "approved"


def test_register_a_station_check_its_standards_rotate_and_download_its_code(admin):
    form = {
        "name": "龙井村站",
        "region_code": "330106",
        "kind": "公共场所",
        "lat": "30.2241",
        "lng": "120.1180",
        "radius_m": "200",
        "is_active": "on",
        "has_venue": "on",
        "has_team": "on",
    }
    admin.post("/console/stations", form)
    station = db.session.scalars(select(Station)).one()
    assert station.standards == {
        "venue": True,
        "team": True,
        "project": False,
        "facilities": False,
        "rules": False,
        "signage": False,
    }
    all_six = {f"has_{name}": "on" for name in station.standards}
    admin.post(f"/console/stations/{station.id}", {**form, **all_six})
    admin.post(f"/console/stations/{station.id}/rotate", {})
    db.session.expire_all()
    station = db.session.get(Station, station.id)
    assert station.meets_all_standards and station.qr_version == 2
    png = admin.get(f"/console/stations/{station.id}/qrcode.png?download=1")
    assert png.data.startswith(b"\x89PNG")
    assert (
        png.headers["Content-Disposition"] == f'attachment; filename="station-{station.id}-v2.png"'
    )
    bad = admin.post("/console/stations", {**form, "lat": "north"}, follow_redirects=True)
    assert "纬度必须是数字" in flashes(bad)


def test_volunteers_are_found_by_masked_phone_and_shown_masked(admin, make_volunteer):
    found = make_volunteer("王小明", phone="13812345678")
    make_volunteer("李四", phone="13900001111")
    html = flashes(admin.get("/console/volunteers?q=138****5678"))
    assert "138****5678" in html and "13812345678" not in html
    assert "139****1111" not in html
    detail = flashes(admin.get(f"/console/volunteers/{found.id}"))
    assert "王**" in detail and "王小明" not in detail


def test_projects_join_the_library_and_become_brand_projects(admin):
    admin.post("/console/teams", {"name": "西湖护水队", "kind": "社区", "region_code": "330106"})
    admin.post("/console/projects", {"title": "西湖护水", "region_code": "330106"})
    project = db.session.scalars(select(Project)).one()
    assert project.is_brand is False
    admin.post(f"/console/projects/{project.id}/brand", {"is_brand": "on"})
    db.session.expire_all()
    assert db.session.get(Project, project.id).is_brand is True
    assert "★ 品牌项目" in flashes(admin.get("/console/projects?brand=1"))


def test_earning_rules_are_saved_for_the_region_and_bad_ones_refused(admin):
    form = {
        "points_per_hour": "12",
        "daily_cap_points": "90",
        "min_session_minutes": "20",
        "max_session_minutes": "300",
        "points_expire_after_days": "365",
        "max_accuracy_m": "80",
        "star_thresholds_hours": "50, 150, 300",
        "campaign_days": "06-05 3 六五环境日",
    }
    admin.post("/console/rules", form)
    rules = earning_rules.effective(db.session, "330106")
    assert (rules.region_code, rules.points_per_hour, rules.star_thresholds_hours) == (
        "330106",
        12,
        (50, 150, 300),
    )
    assert rules.campaign_days[0].multiplier == 3
    bad = admin.post(
        "/console/rules", {**form, "star_thresholds_hours": "300, 100"}, follow_redirects=True
    )
    assert bad.status_code == 200
    assert "严格递增" in flashes(bad)


def test_trainings_are_recorded_and_counted_on_the_dashboard(console_as):
    city = console_as("city_admin", "330100")
    city.post(
        "/console/training",
        {
            "title": "组织负责人培训",
            "level": "city",
            "audience": "leaders",
            "category": "骨干管理培训",
            "region_code": "330100",
            "held_on": date.today().isoformat(),
            "attendees": "40",
        },
    )
    assert db.session.scalars(select(Training)).one().attendees == 40
    html = flashes(city.get("/console/dashboard"))
    assert "数据看板 · 杭州市" in html
    assert "组织负责人培训" in flashes(city.get("/console/training"))
    future = city.post(
        "/console/training",
        {
            "title": "明日培训",
            "level": "city",
            "audience": "leaders",
            "category": "骨干管理培训",
            "region_code": "330100",
            "held_on": "2999-01-01",
            "attendees": "1",
        },
        follow_redirects=True,
    )
    assert "培训日期不能晚于今天" in flashes(future)


def test_the_dashboard_shows_the_2027_targets_to_the_province(console_as):
    html = flashes(console_as().get("/console/dashboard"))
    assert "目标 100 支" in html and "目标 50000 人" in html
    assert html.count("<svg") >= 5


def test_ledger_summary_and_a_bad_cursor_are_pages_not_errors(admin):
    assert "未使用余额" in flashes(admin.get("/console/ledger"))
    response = admin.get("/console/stations?cursor=not-a-cursor")
    assert response.status_code == 422
    assert "分页游标无效" in flashes(response)
