"""A small world built through the real use cases: stations, sessions, redemptions, trainings."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from core.clock import business_time, now
from identity import operations as identity
from identity.models import Volunteer
from miniprogram_api.extensions import db
from rewards.merchants import operations as merchants
from rewards.perks import operations as perks
from rewards.redemptions import operations as redemptions
from volunteering import manual_hours
from volunteering.activities.models import Project, Team
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession
from volunteering.stations.models import STANDARDS, Station
from volunteering.trainings.models import Training

THIS_YEAR = business_time(now()).year


@dataclass(frozen=True)
class Shop:
    id: int
    clerk: int


@dataclass
class World:
    """Builds facts the way the app does; every method commits."""

    session: Session
    reviewer: int = 0
    second_reviewer: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self):
        self.reviewer = self._staff("330000")
        self.second_reviewer = self._staff("330000")

    def _staff(self, region: str) -> int:
        staff = identity.create_staff(
            self.session,
            username=f"world-{uuid.uuid4().hex[:10]}",
            password="correct horse battery staple",
            roles=["province_admin" if region == "330000" else "city_admin"],
            region_code=region,
        )
        self.session.commit()
        return staff.id

    def volunteer(self, region: str | None) -> int:
        person = Volunteer(openid=f"world-{uuid.uuid4().hex}", region_code=region)
        self.session.add(person)
        self.session.commit()
        return person.id

    def station(self, region: str, *, all_six: bool = True, active: bool = True) -> Station:
        place = Station(
            name=f"站点{next(self._ids)}",
            region_code=region,
            kind="公共场所",
            lat=30.27,
            lng=120.15,
            is_active=active,
        )
        place.standards = dict.fromkeys(STANDARDS, True) if all_six else {"venue": True}
        self.session.add(place)
        self.session.commit()
        return place

    def team(self, region: str) -> Team:
        team = Team(name=f"队伍{next(self._ids)}", kind="社区", region_code=region)
        self.session.add(team)
        self.session.commit()
        return team

    def project(self, region: str, *, brand: bool) -> Project:
        project = Project(title=f"项目{next(self._ids)}", region_code=region, is_brand=brand)
        self.session.add(project)
        self.session.commit()
        return project

    def training(self, region: str, level: str, audience: str, held_on: date, attendees=30):
        training = Training(
            level=level,
            audience=audience,
            category="岗前基础培训",
            title="培训",
            held_on=held_on,
            region_code=region,
            attendees=attendees,
        )
        self.session.add(training)
        self.session.commit()
        return training

    def approved_session(
        self, volunteer_id: int, station: Station, minutes: int, day: date | None = None
    ) -> int:
        """A session checked out into review, then approved with *minutes* by a reviewer."""
        day = day or date(THIS_YEAR, 1, 10)
        start = datetime(day.year, day.month, day.day, 2, tzinfo=now().tzinfo)
        record = ServiceSession(
            volunteer_id=volunteer_id,
            station_id=station.id,
            region_code=station.region_code,
            status="pending_review",
            checked_in_at=start,
            business_date=day,
            checkin_lat=station.lat,
            checkin_lng=station.lng,
            checkin_distance_m=0,
            minutes=minutes,
        )
        self.session.add(record)
        self.session.commit()
        sessions.approve(self.session, record.id, reviewer=self.reviewer, minutes=minutes)
        return record.id

    def void(self, session_id: int) -> None:
        sessions.void(self.session, session_id, reviewer=self.reviewer, reason="重复记录")

    def manual_hours(self, volunteer_id: int, region: str, minutes: int) -> None:
        entry = manual_hours.record(
            self.session,
            volunteer_id=volunteer_id,
            region_code=region,
            service_date=date(THIS_YEAR, 1, 11),
            minutes=minutes,
            reason="线下活动补录",
            staff_id=self.reviewer,
        )
        self.session.commit()
        manual_hours.approve(self.session, entry.id, reviewer=self.second_reviewer)

    def merchant(self, region: str) -> Shop:
        """A merchant in *region* with a clerk bound to it (who confirms redemptions)."""
        merchant = merchants.create_merchant(
            self.session, name="绿色小店", region_code=region, address="某路 1 号", staff_id=None
        )
        clerk = self.volunteer(None)
        merchants.bind(self.session, volunteer_id=clerk, bind_code=merchant.bind_code)
        return Shop(merchant.id, clerk)

    def redeem(self, volunteer_id: int, shop: Shop, cost: int) -> None:
        perk = perks.create_perk(
            self.session,
            merchant_id=shop.id,
            stock=5,
            staff_id=None,
            title="兑换品",
            description="凭码兑换",
            cost_points=cost,
        )
        held = redemptions.reserve(
            self.session, volunteer_id=volunteer_id, perk_id=perk.id, star_level=5
        )
        redemptions.confirm(self.session, staff_volunteer_id=shop.clerk, code=held.code)


@pytest.fixture
def world(app) -> World:
    return World(db.session)
