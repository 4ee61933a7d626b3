"""Activities in the console: published at the region's stations, cancelled, kept in region."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import BUSINESS_TZ, now
from miniprogram_api.extensions import db
from tests.console.conftest import NINGBO
from volunteering.activities.models import Activity


def html(response) -> str:
    return response.get_data(as_text=True)


def local(delta: timedelta) -> str:
    """A datetime-local value, in Beijing time, *delta* from now."""
    return (now() + delta).astimezone(BUSINESS_TZ).strftime("%Y-%m-%dT%H:%M")


def form(station_id: int, **changes) -> dict:
    return {
        "title": "西湖净滩",
        "station_id": str(station_id),
        "starts_at": local(timedelta(days=2)),
        "ends_at": local(timedelta(days=2, hours=3)),
        "capacity": "20",
        "signup_required": "on",
        **changes,
    }


@pytest.fixture
def admin(console_as):
    return console_as("county_admin", "330106")


def test_publish_an_activity_and_cancel_it(admin, make_station):
    station = make_station("330106")
    assert station.name in html(admin.get("/console/activities"))
    response = admin.post("/console/activities", form(station.id), follow_redirects=True)
    assert "已发布活动「西湖净滩」" in html(response)
    activity = db.session.scalars(select(Activity)).one()
    assert (activity.station_id, activity.capacity, activity.signup_required) == (
        station.id,
        20,
        True,
    )
    assert activity.signup_deadline == activity.starts_at
    assert "西湖净滩" in html(admin.get("/console/activities"))
    done = admin.post(f"/console/activities/{activity.id}/cancel", follow_redirects=True)
    assert "已取消活动「西湖净滩」" in html(done)
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status == "cancelled"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "请填写活动名称"),
        ({"capacity": "0"}, "名额不能小于 1"),
        ({"starts_at": "tomorrow"}, "开始时间格式应为 YYYY-MM-DD HH:MM"),
        ({"ends_at": local(timedelta(days=1))}, "结束时间必须晚于开始时间"),
    ],
)
def test_bad_activities_are_messages(admin, make_station, changes, message):
    station = make_station("330106")
    response = admin.post("/console/activities", form(station.id, **changes), follow_redirects=True)
    assert response.status_code == 200
    assert message in html(response)
    assert db.session.scalars(select(Activity)).first() is None


def test_activities_stay_in_the_region(console_as, make_station):
    ningbo_station = make_station("330203", NINGBO, name="宁波站点")
    ningbo = console_as("city_admin", "330200")
    ningbo.post("/console/activities", form(ningbo_station.id, title="月湖清淤"))
    activity = db.session.scalars(select(Activity)).one()
    hangzhou = console_as("city_admin", "330100")
    assert hangzhou.get(f"/console/activities/{activity.id}").status_code == 404
    assert hangzhou.post(f"/console/activities/{activity.id}/cancel").status_code == 404
    assert hangzhou.post("/console/activities", form(ningbo_station.id)).status_code == 404
    assert "月湖清淤" not in html(hangzhou.get("/console/activities"))
    assert ningbo.get(f"/console/activities/{activity.id}").status_code == 200


def test_readers_see_activities_but_only_admins_publish(console_as, make_station):
    station = make_station("330106")
    auditor = console_as("auditor", "330106")
    assert "发布活动" not in html(auditor.get("/console/activities"))
    assert auditor.post("/console/activities", form(station.id)).status_code == 403


def test_the_publish_form_needs_its_csrf_token_and_a_bad_cursor_is_a_page(admin, make_station):
    station = make_station("330106")
    assert admin.post("/console/activities", form(station.id), token=False).status_code == 400
    response = admin.get("/console/activities?cursor=nonsense")
    assert response.status_code == 422
    assert "分页游标无效" in html(response)


def test_the_list_pages_by_start_time(admin, make_station):
    import re

    station = make_station("330106")
    for day in range(1, 23):
        admin.post(
            "/console/activities",
            form(
                station.id,
                title=f"第{day}场",
                starts_at=local(timedelta(days=day)),
                ends_at=local(timedelta(days=day, hours=2)),
            ),
        )
    admin.get("/console/activities")  # the flashes of the 22 posts
    first = html(admin.get("/console/activities"))
    assert "第22场</a>" in first and "第2场</a>" not in first
    next_page = re.search(r'href="([^"]*cursor=[^"]+)"', first)[1].replace("&amp;", "&")
    second = html(admin.get(next_page))
    assert "第2场</a>" in second and "第1场</a>" in second and "第22场</a>" not in second
