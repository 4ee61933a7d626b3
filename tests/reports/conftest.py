"""Volunteers with recorded service, arranged directly in the database, for report tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.clock import BUSINESS_TZ
from identity import operations as identity
from identity.models import Volunteer
from miniprogram_api.extensions import db
from volunteering import hours
from volunteering.sessions.models import ManualHours, ServiceSession
from volunteering.stations.models import Station

HANGZHOU_WEST_LAKE = "330106"  # 杭州市西湖区
NINGBO_HAISHU = "330203"  # 宁波市海曙区


@pytest.fixture
def make_volunteer(app):
    """Insert a volunteer with a real name, phone and home region."""
    counter = itertools.count(1)

    def make(
        real_name: str | None = "张三丰",
        region_code: str | None = HANGZHOU_WEST_LAKE,
        phone: str | None = "13812345678",
        nickname: str = "青山",
    ) -> Volunteer:
        volunteer = Volunteer(
            openid=f"report-openid-{next(counter)}",
            real_name=real_name,
            phone=phone,
            region_code=region_code,
            nickname=nickname,
        )
        db.session.add(volunteer)
        db.session.commit()
        return volunteer

    return make


@pytest.fixture
def make_station(app):
    def make(name: str = "西湖生态文明教育馆", region_code: str = HANGZHOU_WEST_LAKE) -> Station:
        station = Station(
            name=name,
            region_code=region_code,
            address="浙江省",
            kind="生态文明教育场馆",
            lat=30.2741,
            lng=120.1551,
        )
        db.session.add(station)
        db.session.commit()
        return station

    return make


@pytest.fixture
def serve(app):
    """Record an approved session of *minutes* at *station* on *day* (hours rollup included)."""

    def record(
        volunteer: Volunteer,
        station: Station,
        minutes: int,
        day: date = date(2026, 6, 5),
        *,
        rating: int | None = None,
        status: str = "approved",
        points: int = 0,
    ) -> ServiceSession:
        start = datetime.combine(day, time(9, 0), tzinfo=BUSINESS_TZ).astimezone(UTC)
        credited = minutes if status == "approved" else 0
        row = ServiceSession(
            volunteer_id=volunteer.id,
            station_id=station.id,
            region_code=station.region_code,
            status=status,
            checked_in_at=start,
            checked_out_at=start + timedelta(minutes=minutes),
            business_date=day,
            checkin_lat=station.lat,
            checkin_lng=station.lng,
            checkin_distance_m=5,
            minutes=minutes,
            credited_minutes=credited,
            points_awarded=points,
            organizer_rating=rating,
        )
        db.session.add(row)
        if credited:
            hours.add_minutes(db.session, volunteer.id, system=credited)
        db.session.commit()
        return row

    return record


@pytest.fixture
def recorder(app):
    """A staff member who enters and reviews manual hours."""
    staff = identity.create_staff(
        db.session,
        username="recorder",
        password="correct horse battery staple",
        roles=["province_admin"],
        region_code="330000",
    )
    db.session.commit()
    return staff


@pytest.fixture
def add_manual(app, recorder):
    """Record approved manual hours (补录) for a volunteer."""

    def record(volunteer: Volunteer, minutes: int, day: date = date(2026, 3, 5)) -> ManualHours:
        row = ManualHours(
            volunteer_id=volunteer.id,
            region_code=volunteer.region_code or "330000",
            service_date=day,
            minutes=minutes,
            reason="线下活动补录",
            status="approved",
            created_by=recorder.id,
            reviewed_by=recorder.id,
        )
        db.session.add(row)
        hours.add_minutes(db.session, volunteer.id, manual=minutes)
        db.session.commit()
        return row

    return record


@pytest.fixture
def racing_app(app_factory):
    """An app whose pool has a connection for every racing thread (see racing.race)."""
    app = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 0, "pool_timeout": 60}
    )
    with app.app_context():
        yield app
