"""A service session and the per-volunteer hours it adds up to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId

SESSION_STATUSES = ("open", "approved", "pending_review", "rejected", "voided")


class ServiceSession(Base):
    """One visit: checked in at a station, checked out (or closed) later, then judged."""

    __tablename__ = "service_sessions"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in SESSION_STATUSES) + ")", name="status"
        ),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("points_awarded >= 0", name="points_not_negative"),
        CheckConstraint(
            "(volunteer_rating IS NULL OR volunteer_rating BETWEEN 1 AND 5) AND "
            "(organizer_rating IS NULL OR organizer_rating BETWEEN 1 AND 5)",
            name="ratings_one_to_five",
        ),
        # One open session per volunteer, enforced by the database, not only by a query.
        Index(
            "uq_service_sessions_one_open_per_volunteer",
            "volunteer_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_service_sessions_volunteer_day", "volunteer_id", "business_date"),
        Index("ix_service_sessions_region_status", "region_code", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"))
    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    # The station's region, copied so region-scoped queries need no join.
    region_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16), default="open")
    checked_in_at: Mapped[datetime] = mapped_column(default=now)
    checked_out_at: Mapped[datetime | None]
    # The Asia/Shanghai day of check-in: daily caps and campaign days are counted by it.
    business_date: Mapped[date] = mapped_column(Date)
    checkin_lat: Mapped[float] = mapped_column(Float)
    checkin_lng: Mapped[float] = mapped_column(Float)
    checkin_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[int] = mapped_column(Integer)
    checkout_lat: Mapped[float | None] = mapped_column(Float)
    checkout_lng: Mapped[float | None] = mapped_column(Float)
    checkout_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkout_distance_m: Mapped[int | None] = mapped_column(Integer)
    # Minutes measured between check-in and check-out; credited_minutes after review.
    minutes: Mapped[int | None] = mapped_column(Integer)
    credited_minutes: Mapped[int] = mapped_column(Integer, default=0)
    points_awarded: Mapped[int] = mapped_column(Integer, default=0)
    # The ledger transaction that minted this session's points (None: nothing minted).
    points_transaction_id: Mapped[int | None] = mapped_column(BigId)
    review_reasons: Mapped[list] = mapped_column(JSON, default=list)
    reviewed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))
    # 评价: the volunteer rates the activity; the organizer rates the volunteer's service.
    volunteer_rating: Mapped[int | None] = mapped_column(Integer)
    volunteer_comment: Mapped[str | None] = mapped_column(String(500))
    organizer_rating: Mapped[int | None] = mapped_column(Integer)
    organizer_comment: Mapped[str | None] = mapped_column(String(500))
    organizer_rated_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    def __repr__(self) -> str:
        return f"<ServiceSession {self.id} {self.status}>"


class VolunteerHours(Base):
    """A volunteer's recorded minutes, kept up to date in the same transaction as each change.

    System minutes come from check-in/check-out; manual minutes from staff entries (补录).
    Redeeming points never touches this table.
    """

    __tablename__ = "volunteer_hours"
    __table_args__ = (
        CheckConstraint("system_minutes >= 0 AND manual_minutes >= 0", name="not_negative"),
    )

    volunteer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True
    )
    system_minutes: Mapped[int] = mapped_column(Integer, default=0)
    manual_minutes: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    @property
    def total_minutes(self) -> int:
        return self.system_minutes + self.manual_minutes


MANUAL_HOURS_STATUSES = ("pending_review", "approved", "rejected")


class ManualHours(Base):
    """Hours entered by staff (补录), always with a reason, and reviewed by a second person."""

    __tablename__ = "manual_hours"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in MANUAL_HOURS_STATUSES) + ")",
            name="status",
        ),
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    service_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending_review")
    points_awarded: Mapped[int] = mapped_column(Integer, default=0)
    points_transaction_id: Mapped[int | None] = mapped_column(BigId)
    created_by: Mapped[int] = mapped_column(BigId, ForeignKey("staff.id"))
    reviewed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
