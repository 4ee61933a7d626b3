"""Redemptions and the per-volunteer allowance counters they consume."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BigId

CODE_LENGTH = 10
STATUSES = ("reserved", "fulfilled", "cancelled", "expired")
LIFETIME = "lifetime"


class Redemption(Base):
    """One volunteer's claim on one unit of a perk, paid by a ledger hold until it resolves."""

    __tablename__ = "redemptions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('reserved', 'fulfilled', 'cancelled', 'expired')", name="known_status"
        ),
        CheckConstraint("points > 0", name="points_positive"),
        Index("ix_redemptions_status_expires_at", "status", "expires_at"),
        Index(
            "ix_redemptions_merchant_id_status_fulfilled_at",
            "merchant_id",
            "status",
            "fulfilled_at",
        ),
        Index("ix_redemptions_volunteer_id_created_at", "volunteer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"))
    perk_id: Mapped[int] = mapped_column(BigId, ForeignKey("perks.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(BigId, ForeignKey("merchants.id"))
    # Canonical form (no separator); shown to people as ABCDE-FGHJK.
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="reserved")
    points: Mapped[int] = mapped_column(Integer)
    hold_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_holds.id"), unique=True)
    transaction_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ledger_transactions.id"), unique=True
    )
    # The allowance counter this redemption used ("lifetime" or "2027-03"); None: no limit.
    allowance_period: Mapped[str | None] = mapped_column(String(16))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    fulfilled_at: Mapped[datetime | None]
    fulfilled_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("volunteers.id"))
    resolved_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Redemption {self.id} {self.status}>"


class RedemptionAllowance(Base):
    """How many units of a perk a volunteer holds or has used in one limit period.

    Taken by a conditional UPDATE (``used < limit``) in the reserving transaction and given
    back when the redemption is cancelled or expires, so racing reservations cannot overrun it.
    """

    __tablename__ = "redemption_allowances"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"), primary_key=True)
    perk_id: Mapped[int] = mapped_column(BigId, ForeignKey("perks.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<RedemptionAllowance v={self.volunteer_id} perk={self.perk_id} {self.used}>"
