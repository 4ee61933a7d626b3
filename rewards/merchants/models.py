"""Merchants and their staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId

BIND_CODE_LENGTH = 12


class Merchant(Base):
    """A café, museum or bike-share that redeems volunteers' points for perks."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    # Handed to the merchant by an admin; reissuing it makes the old one useless at once.
    bind_code: Mapped[str] = mapped_column(String(BIND_CODE_LENGTH), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    def __repr__(self) -> str:
        return f"<Merchant {self.id} {self.name}>"


class MerchantStaff(Base):
    """A volunteer's WeChat account acting for a merchant (one merchant per account)."""

    __tablename__ = "merchant_staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(BigId, ForeignKey("merchants.id"), index=True)
    # Unique: confirming a code and the merchant views need to know which merchant is acting.
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"), unique=True)
    bound_at: Mapped[datetime] = mapped_column(default=now)

    def __repr__(self) -> str:
        return f"<MerchantStaff merchant={self.merchant_id} volunteer={self.volunteer_id}>"
