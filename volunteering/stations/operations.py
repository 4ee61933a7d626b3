"""Station use cases for staff (create, change, list, managers, QR rotation) and nearby search.

Every staff-facing use case takes a ``Viewer``: the region subtree the caller may act on and,
for a station manager, the only stations they see. A station outside it is "not found", so
ids cannot be probed across regions. Use cases flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, delete, exists, not_, select, update
from sqlalchemy.orm import Session

from core import regions
from core.errors import DomainError, NotFound
from identity.models import Staff
from volunteering.geo import bounding_box, distance_m
from volunteering.stations.models import STANDARDS, STATION_KINDS, Station, StationManager

MAX_ID = 2**63 - 1  # BIGINT: a larger id in a URL is simply not found, never a database error
_PLAIN_FIELDS = ("name", "region_code", "address", "kind", "lat", "lng", "radius_m")
_FLAGS = ("is_active", "qr_dynamic")


class OutsideRegion(DomainError):
    code = "FORBIDDEN"
    message = "超出您的管辖区域"


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule; answered like a schema error."""

    code = "VALIDATION_ERROR"
    message = "请求参数校验失败"

    def __init__(self, field: str, message: str, **details: Any) -> None:
        super().__init__(f"{field}：{message}", fields={field: [message]}, **details)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a region subtree and, for a station manager, only their own stations."""

    region_code: str
    manager_id: int | None = None

    def sees_region(self, region_code: str) -> bool:
        return regions.contains(self.region_code, region_code)

    def require_region(self, region_code: str) -> None:
        if not self.sees_region(region_code):
            raise OutsideRegion(region_code=region_code)


def _check_values(values: dict[str, Any]) -> None:
    """Check what a schema also checks, so the use case is safe for any caller."""
    if "kind" in values and values["kind"] not in STATION_KINDS:
        raise InvalidInput("kind", "站点类型无效")
    if "radius_m" in values and not 10 <= values["radius_m"] <= 5000:
        raise InvalidInput("radius_m", "签到半径必须在 10 到 5000 米之间")
    if "lat" in values and not -90 <= values["lat"] <= 90:
        raise InvalidInput("lat", "纬度必须在 -90 到 90 之间")
    if "lng" in values and not -180 <= values["lng"] <= 180:
        raise InvalidInput("lng", "经度必须在 -180 到 180 之间")
    if "region_code" in values:
        regions.get(values["region_code"])  # raises InvalidRegion


def _apply(station: Station, values: dict[str, Any]) -> None:
    for field in (*_PLAIN_FIELDS, *_FLAGS):
        if field in values:
            setattr(station, field, values[field])
    if values.get("standards"):
        station.standards = {k: v for k, v in values["standards"].items() if k in STANDARDS}


def create_station(session: Session, viewer: Viewer, **values: Any) -> Station:
    """Register a station inside the viewer's region."""
    _check_values(values)
    viewer.require_region(values["region_code"])
    station = Station(is_active=True, qr_dynamic=False, qr_version=1)
    station.standards = dict.fromkeys(STANDARDS, False)
    _apply(station, values)
    session.add(station)
    session.flush()
    return station


def update_station(session: Session, viewer: Viewer, station_id: int, **values: Any) -> Station:
    """Change a station; it may move only within the viewer's region."""
    station = get_station(session, viewer, station_id)
    _check_values(values)
    if "region_code" in values:
        viewer.require_region(values["region_code"])
    _apply(station, values)
    session.flush()
    return station


def visible_stations(viewer: Viewer) -> Select:
    """Return a query of the stations the viewer may see."""
    query = select(Station).where(
        Station.region_code.startswith(regions.scope_prefix(viewer.region_code))
    )
    if viewer.manager_id is not None:
        query = query.where(
            exists().where(
                StationManager.station_id == Station.id,
                StationManager.staff_id == viewer.manager_id,
            )
        )
    return query


def get_station(session: Session, viewer: Viewer, station_id: int) -> Station:
    """Return a station the viewer may see, or raise NotFound (also for other regions')."""
    station = None
    if 0 < station_id <= MAX_ID:
        station = session.scalars(visible_stations(viewer).where(Station.id == station_id)).first()
    if station is None:
        raise NotFound("站点不存在", station_id=station_id)
    return station


def list_stations(
    session: Session,
    viewer: Viewer,
    *,
    limit: int,
    after_id: int | None = None,
    region_code: str | None = None,
    active: bool | None = None,
    meets_all_standards: bool | None = None,
) -> list[Station]:
    """Return up to *limit* visible stations, newest first, after the id *after_id*."""
    query = visible_stations(viewer)
    if region_code is not None:
        # A filter outside the viewer's region finds nothing rather than widening the scope.
        query = query.where(Station.region_code.startswith(regions.scope_prefix(region_code)))
    if active is not None:
        query = query.where(Station.is_active.is_(active))
    if meets_all_standards is not None:
        flags = [getattr(Station, f"has_{name}").is_(True) for name in STANDARDS]
        query = query.where(and_(*flags) if meets_all_standards else not_(and_(*flags)))
    if after_id is not None:
        query = query.where(Station.id < after_id)
    return list(session.scalars(query.order_by(Station.id.desc()).limit(limit)))


def rotate_qr(session: Session, viewer: Viewer, station_id: int) -> Station:
    """Bump the station's key version: every scene printed or shown before stops working."""
    station = get_station(session, viewer, station_id)
    # In SQL, so two rotations at once both count and neither is lost.
    session.execute(
        update(Station).where(Station.id == station.id).values(qr_version=Station.qr_version + 1)
    )
    session.refresh(station)
    return station


def manager_ids(session: Session, station_id: int) -> list[int]:
    return list(
        session.scalars(
            select(StationManager.staff_id)
            .where(StationManager.station_id == station_id)
            .order_by(StationManager.staff_id)
        )
    )


def set_managers(
    session: Session, viewer: Viewer, station_id: int, staff_ids: list[int]
) -> list[int]:
    """Make exactly *staff_ids* the station's managers.

    Each must be an active staff member with the station_manager role whose region covers the
    station (so their own scope includes it) and lies inside the viewer's region.
    """
    station = get_station(session, viewer, station_id)
    wanted = sorted(set(staff_ids))
    in_range = [i for i in wanted if 0 < i <= MAX_ID]
    found = {s.id: s for s in session.scalars(select(Staff).where(Staff.id.in_(in_range)))}
    refused = [
        staff_id
        for staff_id in wanted
        if (staff := found.get(staff_id)) is None
        or not staff.is_active
        or "station_manager" not in staff.roles
        or not viewer.sees_region(staff.region_code)
        or not regions.contains(staff.region_code, station.region_code)
    ]
    if refused:
        raise InvalidInput(
            "staff_ids",
            "以下人员不是本区域的站点管理员：" + "、".join(map(str, refused)),
            refused_staff_ids=refused,
        )
    session.execute(delete(StationManager).where(StationManager.station_id == station.id))
    session.add_all(StationManager(station_id=station.id, staff_id=i) for i in wanted)
    session.flush()
    return wanted


def nearby_stations(
    session: Session, *, lat: float, lng: float, radius_m: float
) -> list[tuple[Station, float]]:
    """Return active stations within *radius_m*, nearest first, each with its distance."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    # The box is a cheap index range; the exact great-circle distance then trims its corners.
    candidates = session.scalars(
        select(Station).where(
            Station.is_active.is_(True),
            Station.lat.between(min_lat, max_lat),
            Station.lng.between(min_lng, max_lng),
        )
    )
    found = [(s, distance_m(lat, lng, s.lat, s.lng)) for s in candidates]
    return sorted(
        ((s, d) for s, d in found if d <= radius_m), key=lambda pair: (pair[1], pair[0].id)
    )
