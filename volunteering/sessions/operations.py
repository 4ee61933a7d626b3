"""Check-in, check-out and review: the use cases that record service hours.

Each use case owns its transaction through ``ledger.uow.atomic``, so a session's status, the
volunteer's hours and the points minted for them commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import business_time, now
from ledger.uow import atomic
from rewards import earning, earning_rules
from stats import metrics, rollups
from volunteering import geo, hours
from volunteering.activities import operations as activities
from volunteering.activities.models import Activity
from volunteering.errors import (
    AlreadyCheckedIn,
    LocationInaccurate,
    NotCheckedIn,
    OutOfRange,
    SessionNotReviewable,
    SignupRequired,
    StationInactive,
    WrongStation,
)
from volunteering.sessions import reasons
from volunteering.sessions.models import ServiceSession
from volunteering.stations.models import Station
from volunteering.stations.scanning import station_for_scene

# A check-out this long after the activity's end is judged by a person, not by the clock.
ACTIVITY_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class Fix:
    """Where the phone says it is (GCJ-02) and how sure it is."""

    lat: float
    lng: float
    accuracy_m: float | None = None


def _measure(station: Station, fix: Fix) -> int:
    return round(geo.distance_m(station.lat, station.lng, fix.lat, fix.lng))


def _require_in_range(station: Station, fix: Fix) -> int:
    distance = _measure(station, fix)
    if distance > station.radius_m:
        raise OutOfRange(
            f"不在签到范围内：距站点 {distance} 米，允许 {station.radius_m} 米",
            distance_m=distance,
            radius_m=station.radius_m,
        )
    return distance


def _open_session(session: Session, volunteer_id: int) -> ServiceSession | None:
    return session.scalars(
        select(ServiceSession)
        .where(ServiceSession.volunteer_id == volunteer_id, ServiceSession.status == "open")
        .with_for_update()
    ).one_or_none()


def check_in(
    session: Session,
    *,
    volunteer_id: int,
    scene: str,
    fix: Fix,
    qr_key: bytes,
    at: datetime | None = None,
) -> ServiceSession:
    """Open a session at the station whose QR code was scanned, if every check passes."""
    at = at or now()

    def work(s: Session) -> ServiceSession:
        station = station_for_scene(s, qr_key, scene, at=at)
        if not station.is_active:
            raise StationInactive()
        rules = earning_rules.effective(s, station.region_code)
        if fix.accuracy_m is not None and fix.accuracy_m > rules.max_accuracy_m:
            raise LocationInaccurate(
                f"定位精度不足：误差约 {round(fix.accuracy_m)} 米，"
                f"需优于 {rules.max_accuracy_m} 米",
                accuracy_m=round(fix.accuracy_m),
                max_accuracy_m=rules.max_accuracy_m,
            )
        distance = _require_in_range(station, fix)
        existing = _open_session(s, volunteer_id)
        if existing is not None:
            raise AlreadyCheckedIn(session_id=existing.id, station_id=existing.station_id)
        activity = activities.running_activity(s, station.id, at)
        needs_signup = activity is not None and activity.signup_required
        if needs_signup and not activities.is_signed_up(s, activity.id, volunteer_id):
            raise SignupRequired(activity_id=activity.id)
        opened = ServiceSession(
            volunteer_id=volunteer_id,
            station_id=station.id,
            activity_id=activity.id if activity else None,
            region_code=station.region_code,
            status="open",
            checked_in_at=at,
            business_date=business_time(at).date(),
            checkin_lat=fix.lat,
            checkin_lng=fix.lng,
            checkin_accuracy_m=fix.accuracy_m,
            checkin_distance_m=distance,
        )
        s.add(opened)
        s.flush()
        return opened

    try:
        return atomic(session, work)
    except IntegrityError:
        # Two check-ins raced; the one-open-session index let only the other one in.
        session.rollback()
        existing = session.scalars(
            select(ServiceSession).where(
                ServiceSession.volunteer_id == volunteer_id, ServiceSession.status == "open"
            )
        ).first()
        raise AlreadyCheckedIn(session_id=existing.id if existing else None) from None


def check_out(
    session: Session,
    *,
    volunteer_id: int,
    scene: str,
    fix: Fix,
    qr_key: bytes,
    at: datetime | None = None,
) -> ServiceSession:
    """Close the volunteer's open session: approve it at once, or send it to review."""
    at = at or now()

    def work(s: Session) -> ServiceSession:
        station = station_for_scene(s, qr_key, scene, at=at)
        opened = _open_session(s, volunteer_id)
        if opened is None:
            raise NotCheckedIn()
        if opened.station_id != station.id:
            raise WrongStation(session_id=opened.id, station_id=opened.station_id)
        distance = _require_in_range(station, fix)
        rules = earning_rules.effective(s, station.region_code)
        opened.checked_out_at = at
        opened.checkout_lat, opened.checkout_lng = fix.lat, fix.lng
        opened.checkout_accuracy_m = fix.accuracy_m
        opened.checkout_distance_m = distance
        opened.minutes = max(0, int((at - opened.checked_in_at).total_seconds() // 60))
        doubts = _doubts(s, opened, station, fix, rules)
        if doubts:
            opened.status = "pending_review"
            opened.review_reasons = doubts
            s.flush()
        else:
            _approve(s, opened, opened.minutes, rules, reviewer=None)
        return opened

    return atomic(session, work)


def _doubts(s: Session, opened: ServiceSession, station: Station, fix: Fix, rules) -> list[str]:
    found = []
    if opened.minutes < rules.min_session_minutes:
        found.append(reasons.TOO_SHORT)
    if opened.minutes > rules.max_session_minutes:
        found.append(reasons.TOO_LONG)
    if fix.accuracy_m is not None and fix.accuracy_m > rules.max_accuracy_m:
        found.append(reasons.POOR_ACCURACY)
    if not station.is_active:
        found.append(reasons.STATION_INACTIVE)
    if opened.activity_id is not None:
        activity = s.get(Activity, opened.activity_id)
        if activity is not None and opened.checked_out_at > activity.ends_at + ACTIVITY_GRACE:
            found.append(reasons.OUTSIDE_ACTIVITY)
    return found


def _earned_on(s: Session, volunteer_id: int, day) -> int:
    return s.scalar(
        select(func.coalesce(func.sum(ServiceSession.points_awarded), 0)).where(
            ServiceSession.volunteer_id == volunteer_id,
            ServiceSession.business_date == day,
            ServiceSession.status == "approved",
        )
    )


def _approve(s: Session, record: ServiceSession, minutes: int, rules, reviewer: int | None):
    """Credit the hours and mint the points of *record* (the caller holds the transaction)."""
    # The hours row lock serializes this volunteer's approvals, so the daily cap read below
    # cannot be raced by a second approval of the same day.
    recorded = hours.lock_hours(s, record.volunteer_id)
    award = earning.award_for(
        rules,
        minutes,
        record.business_date,
        _earned_on(s, record.volunteer_id, record.business_date),
    )
    record.status = "approved"
    record.credited_minutes = minutes
    record.points_awarded = award.points
    if reviewer is not None:
        record.reviewed_by, record.reviewed_at = reviewer, now()
    recorded.system_minutes += minutes
    record.points_transaction_id = earning.mint(
        s,
        volunteer_id=record.volunteer_id,
        reference=f"session:{record.id}",
        points=award.points,
        rules=rules,
        memo=f"志愿服务 {minutes} 分钟"
        + (f"（{award.campaign} ×{award.multiplier:g}）" if award.campaign else ""),
        meta={
            "session_id": record.id,
            "minutes": minutes,
            "multiplier": award.multiplier,
            "capped": award.capped,
        },
    )
    # Last, after the ledger's locks, as in every use case that counts: one lock order.
    rollups.add(s, record.region_code, record.business_date, **_approved(minutes, award.points))
    s.flush()


def _approved(minutes: int, points: int, sessions: int = 1) -> dict[str, int]:
    """Return what an approval adds to the region's rollups (a void: the opposite)."""
    return {
        metrics.MINUTES_SYSTEM: minutes,
        metrics.SESSIONS_APPROVED: sessions,
        metrics.POINTS_ISSUED: points,
    }


def _reviewable(s: Session, session_id: int, statuses: tuple[str, ...]) -> ServiceSession:
    record = s.scalars(
        select(ServiceSession).where(ServiceSession.id == session_id).with_for_update()
    ).one_or_none()
    if record is None or record.status not in statuses:
        raise SessionNotReviewable(status=record.status if record else None)
    return record


def approve(
    session: Session,
    session_id: int,
    *,
    reviewer: int,
    minutes: int | None = None,
    note: str | None = None,
) -> ServiceSession:
    """Approve a session in review, optionally with corrected minutes."""

    def work(s: Session) -> ServiceSession:
        record = _reviewable(s, session_id, ("pending_review",))
        rules = earning_rules.effective(s, record.region_code)
        credited = record.minutes if minutes is None else minutes
        record.review_note = note
        _approve(s, record, credited, rules, reviewer)
        return record

    return atomic(session, work)


def reject(session: Session, session_id: int, *, reviewer: int, reason: str) -> ServiceSession:
    """Reject a session in review: it records no hours and earns nothing."""

    def work(s: Session) -> ServiceSession:
        record = _reviewable(s, session_id, ("pending_review",))
        record.status = "rejected"
        record.review_note = reason
        record.reviewed_by, record.reviewed_at = reviewer, now()
        s.flush()
        return record

    return atomic(session, work)


def void(session: Session, session_id: int, *, reviewer: int, reason: str) -> ServiceSession:
    """Void a session; an approved one gives back its hours and its points."""

    def work(s: Session) -> ServiceSession:
        record = _reviewable(s, session_id, ("approved", "pending_review", "rejected"))
        note = reason
        if record.status == "approved":
            hours.add_minutes(s, record.volunteer_id, system=-record.credited_minutes)
            recovered = 0
            if record.points_transaction_id is not None:
                clawback = earning.take_back(
                    s,
                    volunteer_id=record.volunteer_id,
                    transaction_id=record.points_transaction_id,
                    points=record.points_awarded,
                    memo=f"服务记录作废：{reason}",
                )
                recovered = clawback.recovered
                if clawback.unrecovered:
                    note = f"{reason}（{clawback.unrecovered} 积分已被使用，未能收回）"
            # The mint stays issued; what came back is counted as reversed.
            undone = _approved(-record.credited_minutes, 0, sessions=-1)
            undone[metrics.POINTS_REVERSED] = recovered
            rollups.add(s, record.region_code, record.business_date, **undone)
        record.status = "voided"
        record.review_note = note[:500]
        record.reviewed_by, record.reviewed_at = reviewer, now()
        s.flush()
        return record

    return atomic(session, work)


def close_stale(session: Session, *, at: datetime | None = None, batch: int = 200) -> int:
    """Close sessions left open past the maximum duration, at the cap, and send them to review.

    One short transaction per session, so a long backlog never holds locks for long.
    """
    at = at or now()
    closed = 0
    while True:
        candidates = session.execute(
            select(ServiceSession.id, ServiceSession.region_code, ServiceSession.checked_in_at)
            .where(ServiceSession.status == "open")
            .order_by(ServiceSession.checked_in_at)
            .limit(batch)
        ).all()
        session.rollback()
        stale = [
            row.id
            for row in candidates
            if at - row.checked_in_at
            > timedelta(
                minutes=earning_rules.effective(session, row.region_code).max_session_minutes
            )
        ]
        session.rollback()
        for session_id in stale:
            closed += atomic(session, lambda s, sid=session_id: _close_one(s, sid, at))
        if len(candidates) < batch or not stale:
            return closed


def _close_one(s: Session, session_id: int, at: datetime) -> int:
    record = s.scalars(
        select(ServiceSession).where(ServiceSession.id == session_id).with_for_update()
    ).one_or_none()
    if record is None or record.status != "open":
        return 0  # checked out meanwhile
    cap = earning_rules.effective(s, record.region_code).max_session_minutes
    record.checked_out_at = record.checked_in_at + timedelta(minutes=cap)
    record.minutes = cap
    record.status = "pending_review"
    record.review_reasons = [reasons.FORGOT_CHECKOUT]
    s.flush()
    return 1


class NotRateable(SessionNotReviewable):
    message = "只能评价已通过审核的服务记录"


def rate_as_volunteer(
    session: Session, record: ServiceSession, rating: int, comment: str | None
) -> None:
    """Record the volunteer's rating of the activity (评价); a later rating replaces it."""
    if record.status != "approved":
        raise NotRateable()
    record.volunteer_rating, record.volunteer_comment = rating, comment
    session.flush()


def rate_as_organizer(
    session: Session, record: ServiceSession, rating: int, comment: str | None, *, staff_id: int
) -> None:
    """Record the organizer's rating of the volunteer's service."""
    if record.status != "approved":
        raise NotRateable()
    record.organizer_rating, record.organizer_comment = rating, comment
    record.organizer_rated_by = staff_id
    session.flush()
