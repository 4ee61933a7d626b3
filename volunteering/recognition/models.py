"""Nominations, case submissions and the per-year places each selection has."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId

NOMINATION_STATUSES = ("pending", "approved", "rejected")
CASE_STATUSES = ("submitted", "shortlisted", "rejected", "selected")
VOLUNTEERS_PROGRAM = "volunteers100"
CASES_PROGRAM = "cases10"
# The policy's numbers: 百名 (100) volunteers and 十佳 (10) cases a year.
CAPS = {VOLUNTEERS_PROGRAM: 100, CASES_PROGRAM: 10}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Nomination(Base):
    """A staff member's nomination of a volunteer for the year's 百名生态环境志愿者."""

    __tablename__ = "recognition_nominations"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "year"),
        CheckConstraint(_one_of("status", NOMINATION_STATUSES), name="known_status"),
        Index("ix_recognition_nominations_year_status", "year", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"))
    year: Mapped[int] = mapped_column(Integer)
    # The volunteer's region when nominated (the province when they gave none): for scoping.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    campaign: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    nominated_by: Mapped[int] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    reviewed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.year} {self.status}>"


class CaseSubmission(Base):
    """A volunteer's public-participation case (公众参与案例) sent to the year's collection."""

    __tablename__ = "recognition_cases"
    __table_args__ = (
        CheckConstraint(_one_of("status", CASE_STATUSES), name="known_status"),
        Index("ix_recognition_cases_year_status", "year", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(5000))
    project_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("projects.id"))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    campaign: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    created_at: Mapped[datetime] = mapped_column(default=now)
    reviewed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<CaseSubmission {self.id} {self.year} {self.status}>"


class SelectionPlaces(Base):
    """How many places of a program's year are taken: taken by a conditional UPDATE.

    ``used < cap`` is checked in the same UPDATE that takes the place, so racing approvals
    cannot overrun the cap; the CHECK is the last line of defence behind it.
    """

    __tablename__ = "recognition_places"
    __table_args__ = (
        CheckConstraint(
            "used >= 0 AND ("
            + " OR ".join(f"(program = '{p}' AND used <= {cap})" for p, cap in CAPS.items())
            + ")",
            name="used_within_cap",
        ),
    )

    program: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<SelectionPlaces {self.program} {self.year} {self.used}>"
