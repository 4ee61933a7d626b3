"""Response payloads assembled from several domains (profile, hours, points, stars)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from core import regions
from core.clock import now
from core.masking import mask_name, mask_phone
from identity.models import Volunteer
from ledger import queries as ledger_queries
from rewards import earning_rules, expiry
from volunteering import hours as volunteer_hours
from volunteering.sessions import reasons
from volunteering.sessions.models import ServiceSession
from volunteering.stations.models import Station

# Stars follow the rules of the volunteer's region, or the province's when none is set.
_DEFAULT_REGION = regions.PROVINCE_CODE


def hours_decimal(minutes: int) -> float:
    """Return *minutes* as hours rounded half-up to two decimals (API.md), as a JSON number."""
    return float((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def star(session: Session, volunteer: Volunteer) -> volunteer_hours.Star:
    rules = earning_rules.effective(session, volunteer.region_code or _DEFAULT_REGION)
    total = volunteer_hours.summary(session, volunteer.id).minutes
    return volunteer_hours.star_for_minutes(total, rules)


def points(session: Session, volunteer_id: int) -> dict:
    """Return the ``points`` block: balance, held, available, and what expires within 30 days."""
    balance = ledger_queries.volunteer_balance(session, volunteer_id)
    return {
        "balance": balance.balance,
        "held": balance.held,
        "available": balance.available,
        "expiring_soon": expiry.expiring_soon(session, volunteer_id, at=now()),
    }


def me(session: Session, volunteer: Volunteer) -> dict:
    """Return the ``/me`` payload: profile, hours, points and star."""
    recorded = volunteer_hours.summary(session, volunteer.id)
    return {
        "id": volunteer.id,
        "nickname": volunteer.nickname,
        "real_name": volunteer.real_name,
        "phone_masked": mask_phone(volunteer.phone),
        "region_code": volunteer.region_code,
        "region_name": regions.get(volunteer.region_code).full_name
        if volunteer.region_code
        else None,
        "hours": {
            "minutes": recorded.minutes,
            "hours": hours_decimal(recorded.minutes),
            "system_minutes": recorded.system_minutes,
            "manual_minutes": recorded.manual_minutes,
        },
        "points": points(session, volunteer.id),
        "star": star(session, volunteer),
    }


def station_ref(session: Session, station_id: int) -> dict:
    station = session.get(Station, station_id)
    return {"id": station.id, "name": station.name}


def session(db_session: Session, record: ServiceSession) -> dict:
    """Return a service session as the mini-program shows it."""
    minutes = record.credited_minutes if record.status == "approved" else record.minutes
    return {
        "session_id": record.id,
        "station": station_ref(db_session, record.station_id),
        "activity_id": record.activity_id,
        "checked_in_at": record.checked_in_at,
        "checked_out_at": record.checked_out_at,
        "minutes": minutes,
        "hours": hours_decimal(minutes) if minutes is not None else None,
        "status": record.status,
        "points_awarded": record.points_awarded if record.status == "approved" else 0,
        "review_reasons": list(record.review_reasons or []),
        "review_reasons_text": [reasons.LABELS.get(r, r) for r in record.review_reasons or []],
        "review_note": record.review_note,
        "volunteer_rating": record.volunteer_rating,
        "organizer_rating": record.organizer_rating,
    }


def admin_session(db_session: Session, record: ServiceSession) -> dict:
    """Return a session for reviewers: the volunteer masked, the measurements shown."""
    volunteer = db_session.get(Volunteer, record.volunteer_id)
    return {
        **session(db_session, record),
        "volunteer": {
            "id": record.volunteer_id,
            "nickname_masked": mask_name(volunteer.nickname) if volunteer else None,
            "real_name_masked": mask_name(volunteer.real_name) if volunteer else None,
        },
        "region_code": record.region_code,
        "measured_minutes": record.minutes,
        "checkin_distance_m": record.checkin_distance_m,
        "checkout_distance_m": record.checkout_distance_m,
        "checkout_accuracy_m": record.checkout_accuracy_m,
    }
