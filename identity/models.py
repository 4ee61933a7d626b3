"""Volunteer and staff accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base, BigId

ROLES = ("province_admin", "city_admin", "county_admin", "station_manager", "auditor")


class Volunteer(Base):
    """A person using the mini-program, known by their WeChat openid."""

    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64))
    nickname: Mapped[str | None] = mapped_column(String(64))
    real_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    def __repr__(self) -> str:  # never print personal data
        return f"<Volunteer {self.id}>"


class WechatSession(Base):
    """The WeChat ``session_key`` of a volunteer: kept server side, never serialized.

    A table of its own so no schema that dumps a Volunteer can ever reach it.
    """

    __tablename__ = "wechat_sessions"

    volunteer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True
    )
    session_key: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    def __repr__(self) -> str:
        return f"<WechatSession volunteer={self.volunteer_id}>"


class Staff(Base):
    """A province, city or county staff member who signs in to the console."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    role_rows: Mapped[list[StaffRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StaffRole.role"
    )

    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.username}>"


class StaffRole(Base):
    __tablename__ = "staff_roles"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="known_role"),
    )

    staff_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
