"""Demo cases for the 十佳公众参与案例 collection, sent by the demo volunteers."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.wechat_standin import openid_for
from identity.models import Volunteer
from volunteering.activities.models import Project
from volunteering.recognition import cases
from volunteering.recognition.models import CaseSubmission

# (stand-in login name, title, description, region)
DEMO_CASES = [
    (
        "demo-alice",
        "西溪湿地“护鸟小队”",
        "周末带领居民在湿地开展鸟类调查与护鸟宣传，一年记录鸟类 60 余种。",
        "330106",
    ),
    (
        "demo-carol",
        "月湖边的垃圾分类督导",
        "联合社区每周开展垃圾分类督导，居民分类准确率明显提升。",
        "330203",
    ),
]


def seed_cases(session: Session) -> bool:
    """Send the demo volunteers' cases once; False if present or the volunteers are missing."""
    if session.scalar(select(CaseSubmission.id).limit(1)) is not None:
        return False
    appid = current_app.config["WECHAT_APPID"]
    project_id = session.scalar(select(Project.id).where(Project.is_brand).order_by(Project.id))
    sent = False
    for user, title, description, region in DEMO_CASES:
        volunteer_id = session.scalar(
            select(Volunteer.id).filter_by(openid=openid_for(appid, user))
        )
        if volunteer_id is None:
            continue
        session.commit()  # end the read: submit owns its transaction
        cases.submit(
            session,
            volunteer_id=volunteer_id,
            title=title,
            description=description,
            region_code=region,
            project_id=project_id,
        )
        sent = True
    return sent
