"""The rules behind approval, at the domain level with explicit clocks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import BUSINESS_TZ
from ledger import queries as ledger_queries
from ledger.operations import adjust
from miniprogram_api.context import qr_signing_key
from miniprogram_api.extensions import db
from rewards import earning_rules
from rewards.earning import award_for
from volunteering import hours
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession
from volunteering.stations.scanning import current_scene


@pytest.fixture
def volunteer_id(login_volunteer):
    return login_volunteer("rules")["volunteer"]["id"]


def serve(station, volunteer_id, start: datetime, minutes: int, *, accuracy_m: float = 10.0):
    """Check in at *start* and out *minutes* later, both near the station."""
    key = qr_signing_key()
    fix = sessions.Fix(station.lat, station.lng, accuracy_m)
    sessions.check_in(
        db.session,
        volunteer_id=volunteer_id,
        scene=current_scene(key, station, at=start),
        fix=fix,
        qr_key=key,
        at=start,
    )
    end = start + timedelta(minutes=minutes)
    return sessions.check_out(
        db.session,
        volunteer_id=volunteer_id,
        scene=current_scene(key, station, at=end),
        fix=fix,
        qr_key=key,
        at=end,
    )


def shanghai(year, month, day, hour=9):
    return datetime(year, month, day, hour, tzinfo=BUSINESS_TZ)


def test_a_campaign_day_multiplies_the_points(station, volunteer_id):
    ordinary = serve(station, volunteer_id, shanghai(2026, 6, 4), 120)
    environment_day = serve(station, volunteer_id, shanghai(2026, 6, 5), 120)
    assert ordinary.points_awarded == 20
    assert environment_day.points_awarded == 40  # 六五环境日 ×2


def test_the_daily_cap_limits_a_days_points(station, volunteer_id):
    morning = serve(station, volunteer_id, shanghai(2026, 11, 3, 8), 240)
    afternoon = serve(station, volunteer_id, shanghai(2026, 11, 3, 13), 300)
    next_day = serve(station, volunteer_id, shanghai(2026, 11, 4, 8), 60)
    assert morning.points_awarded == 40
    assert afternoon.points_awarded == 40  # 50 earned, capped at 80 for the day
    assert next_day.points_awarded == 10
    assert ledger_queries.volunteer_balance(db.session, volunteer_id).balance == 90
    assert hours.summary(db.session, volunteer_id).minutes == 600  # hours are never capped


def test_business_days_follow_shanghai_time(station, volunteer_id):
    late = serve(station, volunteer_id, shanghai(2026, 11, 3, 23), 60)
    assert late.business_date.isoformat() == "2026-11-03"


def test_award_arithmetic():
    rules = earning_rules.DEFAULTS
    assert award_for(rules, 59, datetime(2026, 1, 2).date(), 0).points == 9
    assert award_for(rules, 600, datetime(2026, 1, 2).date(), 0).points == 80
    campaign = award_for(rules, 600, datetime(2026, 12, 5).date(), 0)
    assert (campaign.points, campaign.campaign, campaign.capped) == (160, "国际志愿者日", True)


def test_stars_follow_configured_thresholds(session):
    rules = earning_rules.Rules(star_thresholds_hours=(1, 3))
    assert hours.star_for_minutes(0, rules) == hours.Star(0, 60)
    assert hours.star_for_minutes(90, rules) == hours.Star(1, 90)
    assert hours.star_for_minutes(180, rules) == hours.Star(2, None)


def test_void_after_points_were_spent_takes_back_what_is_left(station, volunteer_id, make_staff):
    from identity.models import Staff

    make_staff("province_admin", "330000", username="voider")
    staff_id = db.session.scalars(select(Staff.id).filter_by(username="voider")).one()
    record = serve(station, volunteer_id, shanghai(2026, 11, 5), 120)  # 20 points
    adjust(db.session, volunteer_id, -15, reason="已兑换（模拟）")
    voided = sessions.void(db.session, record.id, reviewer=staff_id, reason="核查不实")
    assert voided.status == "voided"
    assert "15 积分已被使用" in voided.review_note
    balance = ledger_queries.volunteer_balance(db.session, volunteer_id)
    assert balance.balance == 0  # never below zero
    assert hours.summary(db.session, volunteer_id).minutes == 0


def test_close_stale_closes_at_the_cap_and_sends_to_review(app, station, volunteer_id):
    key = qr_signing_key()
    start = datetime.now(BUSINESS_TZ) - timedelta(hours=9)
    sessions.check_in(
        db.session,
        volunteer_id=volunteer_id,
        scene=current_scene(key, station, at=start),
        fix=sessions.Fix(station.lat, station.lng, 10),
        qr_key=key,
        at=start,
    )
    result = app.test_cli_runner().invoke(args=["sessions", "close-stale"])
    assert result.exit_code == 0, result.output
    assert "closed 1" in result.output
    record = db.session.scalars(select(ServiceSession)).one()
    assert record.status == "pending_review"
    assert record.review_reasons == ["forgot_checkout"]
    assert record.minutes == 480
    again = app.test_cli_runner().invoke(args=["sessions", "close-stale"])
    assert "closed 0" in again.output
