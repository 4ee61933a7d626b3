"""A volunteer's recorded hours and the star level they reach.

Every change to a volunteer's hours goes through ``lock_hours`` first: the row lock makes
approvals, voids and daily caps for one volunteer happen one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.upsert import insert_ignoring
from rewards.earning_rules import Rules
from volunteering.sessions.models import VolunteerHours


@dataclass(frozen=True)
class HoursSummary:
    system_minutes: int
    manual_minutes: int

    @property
    def minutes(self) -> int:
        return self.system_minutes + self.manual_minutes


@dataclass(frozen=True)
class Star:
    level: int  # 0 until the first threshold
    next_level_minutes: int | None  # minutes still needed for the next level; None at the top


def lock_hours(session: Session, volunteer_id: int) -> VolunteerHours:
    """Return the volunteer's hours row, created if missing, locked for this transaction."""
    insert_ignoring(
        session,
        VolunteerHours.__table__,
        # Raw SQL runs no Python-side defaults: every NOT NULL column is given here.
        {
            "volunteer_id": volunteer_id,
            "system_minutes": 0,
            "manual_minutes": 0,
            "updated_at": now(),
        },
        conflict=("volunteer_id",),
    )
    return session.scalars(
        select(VolunteerHours)
        .where(VolunteerHours.volunteer_id == volunteer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def add_minutes(session: Session, volunteer_id: int, *, system: int = 0, manual: int = 0) -> None:
    """Add (or with negative numbers take back) recorded minutes."""
    row = lock_hours(session, volunteer_id)
    row.system_minutes += system
    row.manual_minutes += manual
    session.flush()


def summary(session: Session, volunteer_id: int) -> HoursSummary:
    row = session.get(VolunteerHours, volunteer_id)
    if row is None:
        return HoursSummary(0, 0)
    return HoursSummary(row.system_minutes, row.manual_minutes)


def star_for_minutes(minutes: int, rules: Rules) -> Star:
    """Return the star level reached with *minutes* under the thresholds of *rules*."""
    thresholds = [hours * 60 for hours in rules.star_thresholds_hours]
    level = sum(1 for threshold in thresholds if minutes >= threshold)
    if level == len(thresholds):
        return Star(level, None)
    return Star(level, thresholds[level] - minutes)
