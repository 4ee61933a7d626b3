"""Demo volunteers with a few weeks of finished service, recorded through the real use cases."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.wechat_standin import openid_for
from core.clock import BUSINESS_TZ, now
from identity import operations as identity
from identity.models import Volunteer
from miniprogram_api.context import qr_signing_key
from volunteering.sessions import operations as sessions
from volunteering.stations.models import Station
from volunteering.stations.scanning import current_scene

# (stand-in login name, nickname, real name, region, [(days ago, start hour, minutes), ...])
DEMO_VOLUNTEERS = [
    (
        "demo-alice",
        "小绿",
        "王丽",
        "330106",
        [(21, 9, 150), (14, 9, 120), (7, 14, 180), (2, 9, 90)],
    ),
    ("demo-bob", "清水", "陈波", "330523", [(10, 8, 240), (3, 13, 20)]),
    ("demo-carol", "观鸟人", "李晓", "330203", [(5, 9, 120)]),
]


def seed_sessions(session: Session) -> bool:
    """Give the demo volunteers finished sessions (approved, or in review); False if present."""
    first_openid = openid_for(current_app.config["WECHAT_APPID"], DEMO_VOLUNTEERS[0][0])
    if session.scalar(select(Volunteer.id).filter_by(openid=first_openid)) is not None:
        return False
    stations = list(session.scalars(select(Station).where(Station.is_active).order_by(Station.id)))
    if not stations:
        return False
    key = qr_signing_key()
    for index, (user, nickname, real_name, region, visits) in enumerate(DEMO_VOLUNTEERS):
        volunteer, _ = identity.sign_in_volunteer(
            session,
            openid=openid_for(current_app.config["WECHAT_APPID"], user),
            unionid=None,
            session_key="demo-session-key-not-from-wechat",
        )
        identity.update_profile(
            session, volunteer, nickname=nickname, real_name=real_name, region_code=region
        )
        session.commit()
        station = stations[index % len(stations)]
        for days_ago, hour, minutes in visits:
            _serve(session, volunteer.id, station, key, days_ago, hour, minutes)
    return True


def _serve(session, volunteer_id, station, key, days_ago, hour, minutes) -> None:
    day = (now().astimezone(BUSINESS_TZ) - timedelta(days=days_ago)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    fix = sessions.Fix(station.lat, station.lng, 12.0)
    for at, use_case in (
        (day, sessions.check_in),
        (day + timedelta(minutes=minutes), sessions.check_out),
    ):
        use_case(
            session,
            volunteer_id=volunteer_id,
            scene=current_scene(key, station, at=at),
            fix=fix,
            qr_key=key,
            at=at,
        )
