"""Perks and the audit trail of every change staff make to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId

LIMIT_PERIODS = ("lifetime", "month")


class Perk(Base):
    """A preferential service (优待服务) a merchant offers for points."""

    __tablename__ = "perks"
    __table_args__ = (
        CheckConstraint("cost_points > 0", name="cost_positive"),
        # stock_left moves only by conditional UPDATEs; these are the last line of defence.
        CheckConstraint("stock_left >= 0 AND stock_left <= stock_total", name="stock_in_range"),
        CheckConstraint("per_user_limit IS NULL OR per_user_limit >= 1", name="limit_positive"),
        CheckConstraint("limit_period IN ('lifetime', 'month')", name="known_limit_period"),
        CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until",
            name="window_ordered",
        ),
        CheckConstraint("min_star_level >= 0", name="star_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(BigId, ForeignKey("merchants.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000), default="")
    cost_points: Mapped[int] = mapped_column(Integer)
    stock_total: Mapped[int] = mapped_column(Integer)
    stock_left: Mapped[int] = mapped_column(Integer)
    per_user_limit: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    limit_period: Mapped[str] = mapped_column(String(16), default="lifetime")
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    min_star_level: Mapped[int] = mapped_column(Integer, default=0)
    # Where the perk is offered (the catalog filter); the merchant's region unless set.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    def is_open_at(self, moment: datetime) -> bool:
        """Return True when *moment* lies inside the validity window."""
        return (self.valid_from is None or self.valid_from <= moment) and (
            self.valid_until is None or moment < self.valid_until
        )

    def __repr__(self) -> str:
        return f"<Perk {self.id} {self.title} {self.stock_left}/{self.stock_total}>"


class PerkAudit(Base):
    """Who changed what on a perk: ``changes`` maps field → [old, new]."""

    __tablename__ = "perk_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    perk_id: Mapped[int] = mapped_column(BigId, ForeignKey("perks.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(16))  # create, update, restock
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=now)

    def __repr__(self) -> str:
        return f"<PerkAudit {self.id} perk={self.perk_id} {self.action}>"
