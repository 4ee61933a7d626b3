"""An issued certificate: what it attested, kept so its number can be verified later."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId


class Certificate(Base):
    """One issued 志愿服务记录证明 and a snapshot of what it said.

    The same content asked for again on the same day gets the same number back (the unique
    constraint below makes two racing downloads meet at one row); new hours mean a new number.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "issued_on", "content_hash"),
        CheckConstraint("system_minutes >= 0 AND manual_minutes >= 0", name="minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=now)
    # The Asia/Shanghai date printed on the certificate.
    issued_on: Mapped[date] = mapped_column(Date)
    system_minutes: Mapped[int] = mapped_column(Integer)
    manual_minutes: Mapped[int] = mapped_column(Integer)
    # What the public verification page shows, frozen at issue (a later rename changes nothing).
    holder_name_masked: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(100))
    # sha256 of the certificate's printed content (content.py), number and date aside.
    content_hash: Mapped[str] = mapped_column(String(64))
    # The staff member who issued it from the console or admin API; None: the volunteer did.
    issued_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))

    @property
    def total_minutes(self) -> int:
        return self.system_minutes + self.manual_minutes

    def __repr__(self) -> str:
        return f"<Certificate {self.number}>"
