"""Issue a certificate (a numbered PDF, recorded) and look one up by its number.

Numbering: a volunteer who asks again on the same day while their record is unchanged gets
the same number back; a change of hours, name, phone or issuer, or a new day, gets a new one.
So repeated taps on "download" do not pile up numbers, and every number attests exactly one
content (its sha256 is stored with it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import business_time, now
from rewards.codes import ALPHABET, new_code
from volunteering.certificates import content as certificate_content
from volunteering.certificates import pdf
from volunteering.certificates.errors import NoServiceRecorded, RealNameRequired
from volunteering.certificates.models import Certificate
from volunteering.volunteer_scope import visible_volunteer

PREFIX = "ZJEV"
# 10 symbols of 30: 49 bits, so numbers cannot be enumerated through the verification page.
RANDOM_SYMBOLS = 10
NUMBER_PATTERN = re.compile(rf"^{PREFIX}-\d{{4}}-[{ALPHABET}]{{{RANDOM_SYMBOLS}}}$")
_ATTEMPTS = 5


@dataclass(frozen=True)
class IssuedCertificate:
    number: str
    issued_on: date
    total_minutes: int
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"certificate-{self.number}.pdf"


@dataclass(frozen=True)
class Verification:
    """What the public may learn from a certificate number: no more."""

    number: str
    holder_name_masked: str
    total_minutes: int
    issued_on: date
    issuer: str

    @property
    def total_hours(self) -> str:
        return pdf.hours_text(self.total_minutes)


def issue(
    session: Session,
    volunteer_id: int,
    *,
    issuer: str,
    scope: str | None = None,
    issued_by: int | None = None,
    verify_url: Callable[[str], str] | None = None,
    at: datetime | None = None,
) -> IssuedCertificate:
    """Issue (or reissue today's) certificate of *volunteer_id* and return it as a PDF; commits.

    *scope* limits the volunteers a staff member may issue for (outside it: NotFound);
    *verify_url* turns a number into the public verification address printed on the PDF.
    """
    volunteer = visible_volunteer(session, volunteer_id, scope)
    if not volunteer.real_name:
        raise RealNameRequired()
    content = certificate_content.gather(session, volunteer, issuer=issuer)
    if content.total_minutes == 0:
        raise NoServiceRecorded()
    moment = at or now()
    record = _record(session, content, business_time(moment).date(), moment, issued_by)
    document = pdf.render(
        content,
        number=record.number,
        issued_on=record.issued_on,
        verify_url=verify_url(record.number) if verify_url else None,
    )
    return IssuedCertificate(record.number, record.issued_on, record.total_minutes, document)


def verify(session: Session, number: str) -> Verification | None:
    """Return what may be shown about certificate *number*, or None if there is none."""
    number = (number or "").strip().upper()
    if not NUMBER_PATTERN.match(number):
        return None
    record = session.scalars(select(Certificate).where(Certificate.number == number)).one_or_none()
    if record is None:
        return None
    return Verification(
        number=record.number,
        holder_name_masked=record.holder_name_masked,
        total_minutes=record.total_minutes,
        issued_on=record.issued_on,
        issuer=record.issuer,
    )


def new_number(year: int) -> str:
    """Return a fresh random certificate number for *year*: ZJEV-2026-XXXXXXXXXX."""
    return f"{PREFIX}-{year}-{new_code(RANDOM_SYMBOLS)}"


def _record(
    session: Session,
    content: certificate_content.CertificateContent,
    issued_on: date,
    moment: datetime,
    issued_by: int | None,
) -> Certificate:
    """Return today's certificate with this content, inserting it if there is none yet."""
    fingerprint = content.fingerprint()
    for _ in range(_ATTEMPTS):
        existing = _same_content(session, content.volunteer_id, issued_on, fingerprint)
        if existing is not None:
            session.commit()
            return existing
        record = Certificate(
            number=new_number(issued_on.year),
            volunteer_id=content.volunteer_id,
            issued_at=moment,
            issued_on=issued_on,
            system_minutes=content.system_minutes,
            manual_minutes=content.manual_minutes,
            holder_name_masked=content.name_masked,
            issuer=content.issuer,
            content_hash=fingerprint,
            issued_by=issued_by,
        )
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:
            # A racing request inserted the same content (found on the next pass), or,
            # once in a trillion, the random number was taken (a new one is drawn).
            continue
        session.commit()
        return record
    raise RuntimeError("could not allocate a certificate number")


def _same_content(
    session: Session, volunteer_id: int, issued_on: date, fingerprint: str
) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(
            Certificate.volunteer_id == volunteer_id,
            Certificate.issued_on == issued_on,
            Certificate.content_hash == fingerprint,
        )
    ).one_or_none()
