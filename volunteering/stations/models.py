"""The station and who manages it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base, BigId

# The policy's kinds of venue (阵地); "other" keeps a new kind from blocking registration.
STATION_KINDS = (
    "党群服务中心",
    "新时代文明实践中心",
    "新时代文明实践所",
    "新时代文明实践站",
    "社工站",
    "社区居委会",
    "生态文明教育场馆",
    "环保设施开放单位",
    "研学实践基地",
    "生态文明宣传教育基地",
    "自然保护地",
    "公共场所",
    "其他",
)

# The six standards of 站点标准化建设: 有场所、有队伍、有项目、有设施、有制度、有标识.
STANDARDS = ("venue", "team", "project", "facilities", "rules", "signage")


class Station(Base):
    __tablename__ = "stations"
    __table_args__ = (
        CheckConstraint("radius_m BETWEEN 10 AND 5000", name="radius_in_range"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180", name="coordinates"),
        CheckConstraint("qr_version >= 1", name="qr_version_positive"),
        # Nearby search scans a bounding box: a range on lat, then lng within it.
        Index("ix_stations_lat_lng", "lat", "lng"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(32))
    # GCJ-02, as wx.getLocation({type: 'gcj02'}) reports it.
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[int] = mapped_column(Integer, default=300)
    has_venue: Mapped[bool] = mapped_column(default=False)
    has_team: Mapped[bool] = mapped_column(default=False)
    has_project: Mapped[bool] = mapped_column(default=False)
    has_facilities: Mapped[bool] = mapped_column(default=False)
    has_rules: Mapped[bool] = mapped_column(default=False)
    has_signage: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped by rotation: every scene signed with an older version stops working.
    qr_version: Mapped[int] = mapped_column(Integer, default=1)
    # Dynamic mode: the station shows a code that changes every minute on a screen.
    qr_dynamic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    @property
    def standards(self) -> dict[str, bool]:
        return {name: getattr(self, f"has_{name}") for name in STANDARDS}

    @standards.setter
    def standards(self, values: dict[str, bool]) -> None:
        for name, value in values.items():
            if name in STANDARDS:
                setattr(self, f"has_{name}", bool(value))

    @property
    def meets_all_standards(self) -> bool:
        return all(self.standards.values())

    def __repr__(self) -> str:
        return f"<Station {self.id} {self.name}>"


class StationManager(Base):
    """A staff member with the station_manager role who reviews this station's sessions."""

    __tablename__ = "station_managers"

    station_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True, index=True
    )
