"""Which volunteers a staff region may see: by home region, the province also those without one.

A volunteer who never chose a region belongs to Zhejiang as a whole, so province-level staff
see them and city or county staff do not.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from core import regions
from core.errors import NotFound
from identity.models import Volunteer


def home_region(volunteer: Volunteer) -> str:
    """Return the region a volunteer is counted in: their own, or the province."""
    return volunteer.region_code or regions.PROVINCE_CODE


def volunteers_in(scope: str) -> ColumnElement[bool]:
    """Return a SQL condition selecting the volunteers inside region *scope*."""
    inside = Volunteer.region_code.startswith(regions.scope_prefix(scope))
    if scope == regions.PROVINCE_CODE:
        return or_(inside, Volunteer.region_code.is_(None))
    return inside


def visible_volunteer(session: Session, volunteer_id: int, scope: str | None) -> Volunteer:
    """Return the volunteer, or raise NotFound if missing or outside *scope* (None: anywhere)."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or (
        scope is not None and not regions.contains(scope, home_region(volunteer))
    ):
        raise NotFound("志愿者不存在")
    return volunteer
