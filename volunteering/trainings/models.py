"""A training held by a city or county eco-environment department."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId

LEVELS = ("city", "county")
# 组织负责人 (organization leaders) or 志愿者 (volunteers): the policy asks each city for one
# training of leaders a year, each county for one of volunteers.
AUDIENCES = ("leaders", "volunteers")
# The policy's series of courses: 岗前基础培训、项目知识技能专项培训、骨干管理培训.
CATEGORIES = ("岗前基础培训", "项目技能专项培训", "骨干管理培训")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Training(Base):
    """One training session; its region is the city (city level) or county (county level)."""

    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint(_one_of("level", LEVELS), name="known_level"),
        CheckConstraint(_one_of("audience", AUDIENCES), name="known_audience"),
        CheckConstraint(_one_of("category", CATEGORIES), name="known_category"),
        CheckConstraint("attendees >= 0", name="attendees_not_negative"),
        # Compliance and lists read a region subtree within a year.
        Index("ix_trainings_region_code_held_on", "region_code", "held_on"),
        Index("ix_trainings_held_on", "held_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(6))
    attendees: Mapped[int] = mapped_column(Integer, default=0)
    organizer: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    def __repr__(self) -> str:
        return f"<Training {self.id} {self.level} {self.audience} {self.held_on}>"
