"""百名生态环境志愿者: staff nominate volunteers of their region; a province admin decides."""

from __future__ import annotations

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import regions
from core.clock import now
from core.errors import NotFound
from ledger.uow import atomic
from volunteering.recognition import campaigns, places
from volunteering.recognition.errors import AlreadyNominated, AlreadyReviewed
from volunteering.recognition.models import VOLUNTEERS_PROGRAM, Nomination
from volunteering.volunteer_scope import home_region, visible_volunteer

DECISIONS = {"approve": "approved", "reject": "rejected"}


def nominate(
    session: Session, *, volunteer_id: int, year: int, reason: str, staff_id: int, scope: str
) -> Nomination:
    """Nominate a volunteer of region *scope* for *year*; once per volunteer and year; commits."""
    volunteer = visible_volunteer(session, volunteer_id, scope)
    nomination = Nomination(
        volunteer_id=volunteer.id,
        year=year,
        region_code=home_region(volunteer),
        reason=reason.strip(),
        campaign=campaigns.label(session, VOLUNTEERS_PROGRAM, year),
        status="pending",
        nominated_by=staff_id,
    )

    def work(s: Session) -> Nomination:
        s.add(nomination)
        s.flush()
        return nomination

    try:
        return atomic(session, work)
    except IntegrityError:
        raise AlreadyNominated(volunteer_id=volunteer_id, year=year) from None


def review(
    session: Session, nomination_id: int, *, decision: str, note: str | None, staff_id: int
) -> Nomination:
    """Approve (taking one of the year's 100 places) or reject a pending nomination; commits."""
    status = DECISIONS[decision]

    def work(s: Session) -> Nomination:
        nomination = s.get(Nomination, nomination_id)
        if nomination is None:
            raise NotFound("推荐记录不存在")
        # Only a pending nomination moves, and only once, even with two reviewers at once.
        moved = s.execute(
            update(Nomination)
            .where(Nomination.id == nomination_id, Nomination.status == "pending")
            .values(status=status, reviewed_by=staff_id, reviewed_at=now(), review_note=note)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise AlreadyReviewed(status=nomination.status)
        if status == "approved":
            places.take(s, VOLUNTEERS_PROGRAM, nomination.year)
        s.refresh(nomination)
        return nomination

    return atomic(session, work)


def get(session: Session, nomination_id: int, scope: str) -> Nomination:
    """Return a nomination of region *scope*, or raise NotFound."""
    nomination = session.get(Nomination, nomination_id)
    if nomination is None or not regions.contains(scope, nomination.region_code):
        raise NotFound("推荐记录不存在")
    return nomination


def listing(
    scope: str, *, year: int | None = None, status: str | None = None, before_id: int | None = None
) -> Select:
    """Return the query of nominations in *scope*, newest first (the caller pages it)."""
    query = select(Nomination).where(Nomination.region_code.startswith(regions.scope_prefix(scope)))
    if year is not None:
        query = query.where(Nomination.year == year)
    if status is not None:
        query = query.where(Nomination.status == status)
    if before_id is not None:
        query = query.where(Nomination.id < before_id)
    return query.order_by(Nomination.id.desc())


def approved_count(session: Session, year: int) -> int:
    return places.used(session, VOLUNTEERS_PROGRAM, year)
