"""Demo trainings this year, and the rollups backfilled for data seeded before they existed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import business_time, now
from stats.models import RegionStat
from volunteering.progress import rebuild
from volunteering.stations.operations import Viewer
from volunteering.trainings import operations as trainings
from volunteering.trainings.models import Training

# (level, audience, category, title, (month, day), region, attendees, organizer)
_DEMO_TRAININGS = [
    (
        "city",
        "leaders",
        "骨干管理培训",
        "杭州市生态环境志愿服务组织负责人培训班",
        (3, 5),
        "330100",
        46,
        "杭州市生态环境局",
    ),
    (
        "county",
        "volunteers",
        "岗前基础培训",
        "西湖区生态环境志愿者岗前培训",
        (4, 22),
        "330106",
        85,
        "杭州市生态环境局西湖分局",
    ),
    (
        "county",
        "volunteers",
        "项目技能专项培训",
        "安吉县“两山”理念宣讲员技能培训",
        (6, 5),
        "330523",
        60,
        "湖州市生态环境局安吉分局",
    ),
    (
        "city",
        "leaders",
        "骨干管理培训",
        "宁波市生态环境志愿服务骨干培训",
        (5, 18),
        "330200",
        38,
        "宁波市生态环境局",
    ),
    (
        "county",
        "volunteers",
        "岗前基础培训",
        "江北区老外滩净滩志愿者岗前培训",
        (7, 9),
        "330205",
        52,
        "宁波市生态环境局江北分局",
    ),
]


def seed_trainings(session: Session) -> bool:
    """Record the demo trainings (dated this year, never after today) once; commit.

    Also backfill the dashboard's rollups when they are empty: a database seeded before they
    existed has sessions the live hooks never saw. Returns False when trainings were present.
    """
    if session.scalar(select(RegionStat.region_code).limit(1)) is None:
        rebuild.rebuild(session)
        session.commit()
    if session.scalar(select(Training.id).limit(1)) is not None:
        return False
    today = business_time(now()).date()
    province = Viewer("330000")
    for level, audience, category, title, (
        month,
        day,
    ), region, attendees, organizer in _DEMO_TRAININGS:
        trainings.record(
            session,
            province,
            created_by=None,
            level=level,
            audience=audience,
            category=category,
            title=title,
            held_on=min(date(today.year, month, day), today),
            region_code=region,
            attendees=attendees,
            organizer=organizer,
        )
    session.commit()
    return True
