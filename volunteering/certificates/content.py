"""What a certificate attests, gathered from the records, and the hash that fingerprints it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.masking import mask_name, mask_phone
from identity.models import Volunteer
from volunteering import hours
from volunteering.sessions.models import ManualHours, ServiceSession
from volunteering.stations.models import Station

TOP_STATIONS = 5


@dataclass(frozen=True)
class StationService:
    name: str
    minutes: int
    sessions: int


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on a certificate except its number and issue date."""

    volunteer_id: int
    real_name: str
    phone_masked: str | None
    system_minutes: int
    manual_minutes: int
    sessions: int
    top_stations: tuple[StationService, ...]
    other_stations: int
    first_day: date | None
    last_day: date | None
    issuer: str

    @property
    def total_minutes(self) -> int:
        return self.system_minutes + self.manual_minutes

    @property
    def name_masked(self) -> str:
        return mask_name(self.real_name) or ""

    def fingerprint(self) -> str:
        """Return the sha256 of the content in a canonical JSON form."""
        data = asdict(self)
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()


def gather(session: Session, volunteer: Volunteer, *, issuer: str) -> CertificateContent:
    """Return what a certificate for *volunteer* would say now."""
    recorded = hours.summary(session, volunteer.id)
    approved = ServiceSession.status == "approved"
    by_station = session.execute(
        select(
            Station.name,
            func.sum(ServiceSession.credited_minutes).label("minutes"),
            func.count(ServiceSession.id).label("sessions"),
        )
        .join(Station, Station.id == ServiceSession.station_id)
        .where(ServiceSession.volunteer_id == volunteer.id, approved)
        .group_by(Station.id, Station.name)
        .order_by(func.sum(ServiceSession.credited_minutes).desc(), Station.id)
    ).all()
    days = _service_days(session, volunteer.id)
    return CertificateContent(
        volunteer_id=volunteer.id,
        real_name=volunteer.real_name or "",
        phone_masked=mask_phone(volunteer.phone),
        system_minutes=recorded.system_minutes,
        manual_minutes=recorded.manual_minutes,
        sessions=sum(row.sessions for row in by_station),
        top_stations=tuple(
            StationService(row.name, int(row.minutes or 0), row.sessions)
            for row in by_station[:TOP_STATIONS]
        ),
        other_stations=max(len(by_station) - TOP_STATIONS, 0),
        first_day=days[0],
        last_day=days[1],
        issuer=issuer,
    )


def _service_days(session: Session, volunteer_id: int) -> tuple[date | None, date | None]:
    """Return the first and last day of approved service, sessions and 补录 together."""
    sessions = session.execute(
        select(func.min(ServiceSession.business_date), func.max(ServiceSession.business_date))
        .where(ServiceSession.volunteer_id == volunteer_id)
        .where(ServiceSession.status == "approved")
    ).one()
    manual = session.execute(
        select(func.min(ManualHours.service_date), func.max(ManualHours.service_date))
        .where(ManualHours.volunteer_id == volunteer_id)
        .where(ManualHours.status == "approved")
    ).one()
    firsts = [d for d in (sessions[0], manual[0]) if d is not None]
    lasts = [d for d in (sessions[1], manual[1]) if d is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)
