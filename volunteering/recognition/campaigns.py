"""Which campaign day announces each selection, and the label a nomination or case carries.

The policy ties the selections to campaign days (六五环境日、“3·5”学雷锋日、国际志愿者日).
Kept simple: the 百名生态环境志愿者 of year Y are announced on 国际志愿者日 (12-05) of Y; the
十佳公众参与案例 of year Y on 六五环境日 (06-05) of Y, so a case sent after 06-05 joins the next
year's collection. The day's name is read from the province's earning rules (campaign_days)
when they list that date, so a renamed campaign shows its new name.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from core import regions
from rewards import earning_rules
from volunteering.recognition.models import CAPS, CASES_PROGRAM, VOLUNTEERS_PROGRAM

PROGRAM_NAMES = {VOLUNTEERS_PROGRAM: "百名生态环境志愿者", CASES_PROGRAM: "十佳公众参与案例"}
ANNOUNCING_DAY = {VOLUNTEERS_PROGRAM: (12, 5, "国际志愿者日"), CASES_PROGRAM: (6, 5, "六五环境日")}


def announcing_day(program: str, year: int) -> date:
    month, day, _ = ANNOUNCING_DAY[program]
    return date(year, month, day)


def day_name(session: Session, program: str) -> str:
    """Return the campaign day's name from the province's rules, or the policy's name."""
    month, day, default = ANNOUNCING_DAY[program]
    rules = earning_rules.effective(session, regions.PROVINCE_CODE)
    key = f"{month:02d}-{day:02d}"
    return next((c.name for c in rules.campaign_days if c.date == key), default)


def label(session: Session, program: str, year: int) -> str:
    """Return e.g. "2026年国际志愿者日（12月5日）百名生态环境志愿者"."""
    day = announcing_day(program, year)
    return (
        f"{year}年{day_name(session, program)}（{day.month}月{day.day}日）{PROGRAM_NAMES[program]}"
    )


def case_year(submitted_on: date) -> int:
    """Return the collection a case sent on *submitted_on* (Beijing day) belongs to."""
    if submitted_on <= announcing_day(CASES_PROGRAM, submitted_on.year):
        return submitted_on.year
    return submitted_on.year + 1


def summary(session: Session, program: str, year: int, used: int) -> dict:
    """Return one program's campaign facts for *year*."""
    return {
        "program": program,
        "name": PROGRAM_NAMES[program],
        "year": year,
        "campaign": label(session, program, year),
        "announcing_day": announcing_day(program, year),
        "campaign_day_name": day_name(session, program),
        "cap": CAPS[program],
        "used": used,
    }
