"""What the signed-in staff member (``g.staff``) may see: one rule per kind of object.

Objects outside the staff member's region answer 404, exactly like objects that do not exist,
so scoping never tells anyone what lies beyond their region. The API views and the console
both call these.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import Select, select

from core import regions
from identity.models import Volunteer
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from rewards.merchants.models import Merchant
from volunteering.sessions.models import ManualHours, ServiceSession
from volunteering.stations.models import StationManager

REGION_WIDE_ROLES = {"province_admin", "city_admin", "county_admin", "auditor"}


def sessions_in_scope(query: Select) -> Select:
    """Limit a session query to the region (admins, auditors) or the managed stations."""
    staff = g.staff
    if set(staff.roles) & REGION_WIDE_ROLES:
        prefix = regions.scope_prefix(staff.region_code)
        return query.where(ServiceSession.region_code.startswith(prefix))
    managed = select(StationManager.station_id).where(StationManager.staff_id == staff.id)
    return query.where(ServiceSession.station_id.in_(managed))


def visible_session(session_id: int) -> ServiceSession:
    """Return the session if the staff member may see it; 404 otherwise."""
    record = db.session.scalars(
        sessions_in_scope(select(ServiceSession).where(ServiceSession.id == session_id))
    ).one_or_none()
    if record is None:
        raise ApiError(404, "NOT_FOUND", "服务记录不存在")
    return record


def visible_volunteer(volunteer_id: int) -> Volunteer:
    """Return the volunteer if the staff member's region covers them; 404 otherwise.

    A volunteer who has not chosen a region yet belongs to the province as a whole.
    """
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is not None:
        if g.staff.can_see(volunteer.region_code):
            return volunteer
        if volunteer.region_code is None and g.staff.region_code == regions.PROVINCE_CODE:
            return volunteer
    raise ApiError(404, "NOT_FOUND", "未找到该志愿者", volunteer_id=volunteer_id)


def visible_merchant(merchant_id: int) -> Merchant:
    """Return the merchant if it lies inside the staff member's region; 404 otherwise."""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or not g.staff.can_see(merchant.region_code):
        raise ApiError(404, "NOT_FOUND", "未找到该商家", merchant_id=merchant_id)
    return merchant


def manual_hours_in_scope(query: Select) -> Select:
    """Limit a manual-hours query to the staff member's region."""
    prefix = regions.scope_prefix(g.staff.region_code)
    return query.where(ManualHours.region_code.startswith(prefix))


def visible_manual_hours(entry_id: int) -> ManualHours:
    """Return the manual-hours entry if it lies inside the staff member's region; else 404."""
    entry = db.session.scalars(
        manual_hours_in_scope(select(ManualHours).where(ManualHours.id == entry_id))
    ).one_or_none()
    if entry is None:
        raise ApiError(404, "NOT_FOUND", "补录记录不存在")
    return entry
