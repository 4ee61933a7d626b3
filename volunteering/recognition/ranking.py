"""The year's ranking for the 百名 selection: hours served and the organizers' average rating.

Hours count approved sessions (by service day) and approved 补录 (by service date) of the
year; the rating averages ``ServiceSession.organizer_rating`` over the rated sessions. It scans
one year of one region's sessions: fine for an occasional staff query at province scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from identity.models import Volunteer
from volunteering.recognition.models import Nomination
from volunteering.sessions.models import ManualHours, ServiceSession
from volunteering.volunteer_scope import volunteers_in


@dataclass(frozen=True)
class Ranked:
    rank: int
    volunteer: Volunteer
    system_minutes: int
    manual_minutes: int
    sessions: int
    average_rating: float | None
    rated_sessions: int
    nomination_status: str | None

    @property
    def minutes(self) -> int:
        return self.system_minutes + self.manual_minutes


def ranking(session: Session, *, year: int, scope: str, limit: int = 100) -> list[Ranked]:
    """Return the volunteers of *scope* with the most service hours in *year*, best first."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    served = select(
        ServiceSession.volunteer_id.label("volunteer_id"),
        ServiceSession.credited_minutes.label("system"),
        literal(0, Integer).label("manual"),
        literal(1, Integer).label("sessions"),
        ServiceSession.organizer_rating.label("rating"),
    ).where(
        ServiceSession.status == "approved",
        ServiceSession.business_date.between(first, last),
    )
    entered = select(
        ManualHours.volunteer_id,
        literal(0, Integer),
        ManualHours.minutes,
        literal(0, Integer),
        null().cast(Integer),
    ).where(ManualHours.status == "approved", ManualHours.service_date.between(first, last))
    rows = union_all(served, entered).subquery()
    totals = (
        select(
            rows.c.volunteer_id,
            func.sum(rows.c.system).label("system"),
            func.sum(rows.c.manual).label("manual"),
            func.sum(rows.c.sessions).label("sessions"),
            func.avg(rows.c.rating).label("rating"),
            func.count(rows.c.rating).label("rated"),
        )
        .group_by(rows.c.volunteer_id)
        .subquery()
    )
    query = (
        select(Volunteer, totals, Nomination.status)
        .join(totals, totals.c.volunteer_id == Volunteer.id)
        .outerjoin(
            Nomination, and_(Nomination.volunteer_id == Volunteer.id, Nomination.year == year)
        )
        .where(volunteers_in(scope))
        .order_by(
            (totals.c.system + totals.c.manual).desc(),
            func.coalesce(totals.c.rating, 0).desc(),
            Volunteer.id,
        )
        .limit(limit)
    )
    return [
        Ranked(
            rank=index,
            volunteer=row.Volunteer,
            system_minutes=int(row.system or 0),
            manual_minutes=int(row.manual or 0),
            sessions=int(row.sessions or 0),
            average_rating=round(float(row.rating), 2) if row.rating is not None else None,
            rated_sessions=int(row.rated or 0),
            nomination_status=row.status,
        )
        for index, row in enumerate(session.execute(query), start=1)
    ]
