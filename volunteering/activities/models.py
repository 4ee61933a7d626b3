"""Teams and their members, projects, activities and sign-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base, BigId
from volunteering.stations.models import Station

# The policy's kinds of team (队伍建设): 机关、企事业单位、人民团体、社会组织、高校社团, and the
# community teams built around party members and residents.
TEAM_KINDS = ("机关", "企事业单位", "人民团体", "社会组织", "高校社团", "社区")
MEMBER_ROLES = ("member", "leader")
ACTIVITY_STATUSES = ("published", "cancelled")
SIGNUP_STATUSES = ("active", "cancelled")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Team(Base):
    """A volunteer team (志愿服务队伍) registered in a region."""

    __tablename__ = "teams"
    __table_args__ = (CheckConstraint(_one_of("kind", TEAM_KINDS), name="known_kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    description: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name}>"


class TeamMember(Base):
    """A volunteer's membership of a team; a volunteer may join several teams."""

    __tablename__ = "team_members"
    __table_args__ = (CheckConstraint(_one_of("role", MEMBER_ROLES), name="known_role"),)

    team_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="member")
    joined_at: Mapped[datetime] = mapped_column(default=now)


class Project(Base):
    """An entry of the project library (项目库); brand projects (品牌项目) count toward targets."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    team_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(String(2000), default="")
    is_brand: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title}>"


class Activity(Base):
    """A time window of service at a station, with a capacity and optional sign-up."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("signup_deadline <= ends_at", name="deadline_before_end"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        # The last line of defence behind the conditional UPDATE that takes a place.
        CheckConstraint("signup_count >= 0 AND signup_count <= capacity", name="within_capacity"),
        CheckConstraint(_one_of("status", ACTIVITY_STATUSES), name="known_status"),
        # running_activity() and the volunteers' list both seek by station, then time.
        Index("ix_activities_station_id_starts_at", "station_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    station_id: Mapped[int] = mapped_column(BigId, ForeignKey("stations.id"))
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    # Copied from the station so region-scoped lists need no join.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    signup_required: Mapped[bool] = mapped_column(default=False)
    signup_deadline: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="published")
    signup_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    station: Mapped[Station] = relationship()

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signup_count, 0)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title}>"


class Signup(Base):
    """A volunteer's place in an activity; cancelling keeps the row so a re-sign reuses it."""

    __tablename__ = "signups"
    __table_args__ = (
        UniqueConstraint("activity_id", "volunteer_id"),
        CheckConstraint(_one_of("status", SIGNUP_STATUSES), name="known_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_id: Mapped[int] = mapped_column(BigId, ForeignKey("activities.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(BigId, ForeignKey("volunteers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
