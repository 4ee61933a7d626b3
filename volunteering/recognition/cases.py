"""十佳公众参与案例: volunteers send cases; staff shortlist or reject; the province selects ten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from core import regions
from core.clock import business_time, now
from core.errors import NotFound
from ledger.uow import atomic
from volunteering.activities.models import Project
from volunteering.recognition import campaigns, places
from volunteering.recognition.errors import AlreadyReviewed
from volunteering.recognition.models import CASES_PROGRAM, CaseSubmission

# decision → (new status, the statuses it may come from)
DECISIONS = {
    "shortlist": ("shortlisted", ("submitted",)),
    "reject": ("rejected", ("submitted", "shortlisted")),
    "select": ("selected", ("submitted", "shortlisted")),
}


def submit(
    session: Session,
    *,
    volunteer_id: int,
    title: str,
    description: str,
    region_code: str,
    project_id: int | None = None,
    at: datetime | None = None,
) -> CaseSubmission:
    """Send a case to the collection of the coming 六五环境日; commits."""
    regions.get(region_code)
    if project_id is not None and session.get(Project, project_id) is None:
        raise NotFound("项目不存在", project_id=project_id)
    year = campaigns.case_year(business_time(at or now()).date())
    case = CaseSubmission(
        volunteer_id=volunteer_id,
        title=title.strip(),
        description=description.strip(),
        project_id=project_id,
        region_code=region_code,
        year=year,
        campaign=campaigns.label(session, CASES_PROGRAM, year),
        status="submitted",
        created_at=at or now(),
    )

    def work(s: Session) -> CaseSubmission:
        s.add(case)
        s.flush()
        return case

    return atomic(session, work)


def review(
    session: Session,
    case_id: int,
    *,
    decision: str,
    note: str | None,
    staff_id: int,
    scope: str,
) -> CaseSubmission:
    """Shortlist, reject or select a case of region *scope*; selecting takes one of ten places."""
    status, allowed_from = DECISIONS[decision]

    def work(s: Session) -> CaseSubmission:
        case = get(s, case_id, scope)
        # The status moves only from where the decision allows, once, even when raced.
        moved = s.execute(
            update(CaseSubmission)
            .where(CaseSubmission.id == case_id, CaseSubmission.status.in_(allowed_from))
            .values(status=status, reviewed_by=staff_id, reviewed_at=now(), review_note=note)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise AlreadyReviewed(status=case.status)
        if status == "selected":
            places.take(s, CASES_PROGRAM, case.year)
        s.refresh(case)
        return case

    return atomic(session, work)


def get(session: Session, case_id: int, scope: str) -> CaseSubmission:
    """Return a case of region *scope*, or raise NotFound."""
    case = session.get(CaseSubmission, case_id)
    if case is None or not regions.contains(scope, case.region_code):
        raise NotFound("案例不存在")
    return case


def listing(
    scope: str, *, year: int | None = None, status: str | None = None, before_id: int | None = None
) -> Select:
    """Return the query of cases in *scope*, newest first (the caller pages it)."""
    query = select(CaseSubmission).where(
        CaseSubmission.region_code.startswith(regions.scope_prefix(scope))
    )
    return _filtered(query, year, status, before_id)


def of_volunteer(volunteer_id: int, *, before_id: int | None = None) -> Select:
    """Return the query of a volunteer's own cases, newest first."""
    query = select(CaseSubmission).where(CaseSubmission.volunteer_id == volunteer_id)
    return _filtered(query, None, None, before_id)


def _filtered(query: Select, year, status, before_id) -> Select:
    if year is not None:
        query = query.where(CaseSubmission.year == year)
    if status is not None:
        query = query.where(CaseSubmission.status == status)
    if before_id is not None:
        query = query.where(CaseSubmission.id < before_id)
    return query.order_by(CaseSubmission.id.desc())
