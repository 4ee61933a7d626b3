"""Manual hours (补录): entered by one staff member, reviewed by another."""

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from miniprogram_api.auth import staff_required
from miniprogram_api.extensions import db
from miniprogram_api.pagination import cursor_int, newest_first, page
from miniprogram_api.schemas.manual_hours import (
    ManualHoursCreateSchema,
    ManualHoursPageSchema,
    ManualHoursQuerySchema,
    ManualHoursSchema,
)
from miniprogram_api.schemas.sessions import ReasonSchema
from miniprogram_api.scoping import (
    manual_hours_in_scope,
    visible_manual_hours,
    visible_volunteer,
)
from volunteering import manual_hours
from volunteering.sessions.models import ManualHours

blp = Blueprint(
    "admin_manual_hours",
    __name__,
    url_prefix="/api/v1/admin/manual-hours",
    description="Manual hours (补录)",
)
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")


@blp.route("", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ManualHoursCreateSchema)
@blp.response(201, ManualHoursSchema)
def create(body):
    """Record hours a volunteer served without checking in; they wait for a second reviewer."""
    volunteer = visible_volunteer(body["volunteer_id"])
    entry = manual_hours.record(
        db.session,
        volunteer_id=volunteer.id,
        region_code=volunteer.region_code or g.staff.region_code,
        service_date=body["service_date"],
        minutes=body["minutes"],
        reason=body["reason"],
        staff_id=g.staff.id,
    )
    db.session.commit()
    return entry


@blp.route("", methods=["GET"])
@staff_required(*ADMINS, "auditor")
@blp.doc(security=BEARER)
@blp.arguments(ManualHoursQuerySchema, location="query")
@blp.response(200, ManualHoursPageSchema)
def list_entries(args):
    """List manual hours in your region, newest first."""
    query = manual_hours_in_scope(select(ManualHours))
    if args["status"]:
        query = query.where(ManualHours.status == args["status"])
    rows = newest_first(
        db.session, query, ManualHours.id, before_id=cursor_int(args["cursor"]), limit=args["limit"]
    )
    return page(rows, args["limit"], key=lambda row: {"id": row.id})


@blp.route("/<int:entry_id>/approve", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(200, ManualHoursSchema)
def approve(entry_id):
    """Approve manual hours entered by someone else; the minutes count as manual hours."""
    visible_manual_hours(entry_id)
    return manual_hours.approve(db.session, entry_id, reviewer=g.staff.id)


@blp.route("/<int:entry_id>/reject", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ReasonSchema)
@blp.response(200, ManualHoursSchema)
def reject(body, entry_id):
    """Refuse manual hours, with a reason."""
    visible_manual_hours(entry_id)
    return manual_hours.reject(db.session, entry_id, reviewer=g.staff.id, reason=body["reason"])
