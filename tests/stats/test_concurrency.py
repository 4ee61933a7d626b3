"""Racing approvals in one county on PostgreSQL: the rollups stay exact."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from miniprogram_api.extensions import db
from stats import metrics, rollups
from volunteering.progress import rebuild as rollup_rebuild
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession

COUNT = 20


@pytest.fixture
def session_factory(app):
    engine = create_engine(db.engine.url, pool_size=COUNT + 2, max_overflow=0, pool_timeout=60)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.mark.postgres
def test_twenty_approvals_at_once_in_one_county_leave_the_minute_total_exact(
    world, session_factory
):
    station = world.station("330106")
    pending = []
    for index in range(COUNT):
        pending.append(_pending(world, station, minutes=31 + index))
    start = threading.Barrier(COUNT)

    def approve(session_id: int):
        with session_factory() as session:
            start.wait()
            return sessions.approve(session, session_id, reviewer=world.reviewer).status

    with ThreadPoolExecutor(max_workers=COUNT) as pool:
        outcomes = list(pool.map(approve, pending))

    assert outcomes == ["approved"] * COUNT
    world.session.expire_all()
    totals: dict[str, int] = {}
    for (_, _, metric), value in rollups.snapshot(world.session).items():
        totals[metric] = totals.get(metric, 0) + value
    assert totals[metrics.MINUTES_SYSTEM] == COUNT * 30 + sum(31 + i for i in range(COUNT))
    assert totals[metrics.SESSIONS_APPROVED] == 2 * COUNT
    assert rollup_rebuild.check(world.session) == []


def _pending(world, station, *, minutes: int) -> int:
    """A fresh volunteer's second session, waiting in review (the first one made the accounts)."""
    volunteer = world.volunteer("330106")
    first = world.approved_session(volunteer, station, 30)
    record = world.session.get(ServiceSession, first)
    twin = ServiceSession(
        volunteer_id=volunteer,
        station_id=station.id,
        region_code=station.region_code,
        status="pending_review",
        checked_in_at=record.checked_in_at,
        business_date=record.business_date,
        checkin_lat=station.lat,
        checkin_lng=station.lng,
        checkin_distance_m=0,
        minutes=minutes,
    )
    world.session.add(twin)
    world.session.commit()
    return twin.id
