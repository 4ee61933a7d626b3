"""Manual hours (补录): staff record service that check-in could not, and a second person reviews.

谁组织谁记录，谁记录谁证明: the creator answers for the record, so the creator cannot approve it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import DomainError
from ledger.uow import atomic
from rewards import earning, earning_rules
from stats import metrics, rollups
from volunteering import hours
from volunteering.sessions.models import ManualHours


class ManualHoursNotReviewable(DomainError):
    code = "CONFLICT"
    message = "该补录记录当前状态不能执行此操作"


class SelfReview(DomainError):
    code = "FORBIDDEN"
    message = "补录人不能审核自己录入的时长"


class FutureServiceDate(DomainError):
    code = "VALIDATION_ERROR"
    message = "服务日期不能晚于今天"


def record(
    session: Session,
    *,
    volunteer_id: int,
    region_code: str,
    service_date: date,
    minutes: int,
    reason: str,
    staff_id: int,
) -> ManualHours:
    """Enter manual hours for review; nothing is credited until a second person approves."""
    if service_date > now().date():
        raise FutureServiceDate(fields={"service_date": ["服务日期不能晚于今天"]})
    entry = ManualHours(
        volunteer_id=volunteer_id,
        region_code=region_code,
        service_date=service_date,
        minutes=minutes,
        reason=reason,
        created_by=staff_id,
    )
    session.add(entry)
    session.flush()
    return entry


def _pending(s: Session, entry_id: int) -> ManualHours:
    entry = s.scalars(
        select(ManualHours).where(ManualHours.id == entry_id).with_for_update()
    ).one_or_none()
    if entry is None or entry.status != "pending_review":
        raise ManualHoursNotReviewable()
    return entry


def approve(session: Session, entry_id: int, *, reviewer: int) -> ManualHours:
    """Credit the manual minutes; mint points only where the earning rules say manual hours earn."""

    def work(s: Session) -> ManualHours:
        entry = _pending(s, entry_id)
        if entry.created_by == reviewer:
            raise SelfReview()
        rules = earning_rules.effective(s, entry.region_code)
        hours.add_minutes(s, entry.volunteer_id, manual=entry.minutes)
        if rules.manual_hours_earn_points:
            award = earning.award_for(rules, entry.minutes, entry.service_date, 0)
            entry.points_awarded = award.points
            entry.points_transaction_id = earning.mint(
                s,
                volunteer_id=entry.volunteer_id,
                reference=f"manual_hours:{entry.id}",
                points=award.points,
                rules=rules,
                memo=f"补录志愿服务 {entry.minutes} 分钟",
                meta={"manual_hours_id": entry.id, "minutes": entry.minutes},
            )
        counted = {
            metrics.MINUTES_MANUAL: entry.minutes,
            metrics.POINTS_ISSUED: entry.points_awarded,
        }
        rollups.add(s, entry.region_code, entry.service_date, **counted)
        entry.status = "approved"
        entry.reviewed_by, entry.reviewed_at = reviewer, now()
        s.flush()
        return entry

    return atomic(session, work)


def reject(session: Session, entry_id: int, *, reviewer: int, reason: str) -> ManualHours:
    """Refuse manual hours, with the reason the recorder will read."""

    def work(s: Session) -> ManualHours:
        entry = _pending(s, entry_id)
        entry.status = "rejected"
        entry.review_note = reason
        entry.reviewed_by, entry.reviewed_at = reviewer, now()
        s.flush()
        return entry

    return atomic(session, work)
