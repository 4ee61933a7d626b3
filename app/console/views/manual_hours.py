"""Manual hours (补录): recorded by one staff member, approved or rejected by another."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    READERS,
    InvalidForm,
    after_id,
    bp,
    integer,
    page_of,
    text,
)
from core.masking import mask_name
from identity.models import Volunteer
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from miniprogram_api.pagination import newest_first
from miniprogram_api.scoping import manual_hours_in_scope, visible_manual_hours
from volunteering import manual_hours
from volunteering.sessions.models import MANUAL_HOURS_STATUSES, ManualHours

MAX_ID = 2**63 - 1
STATUS_NAMES = {"pending_review": "待审核", "approved": "已通过", "rejected": "已驳回"}


@bp.get("/manual-hours")
@staff_required(*READERS)
def manual_hours_list():
    """List the region's manual hours, pending ones first by default, with the record form."""
    status = request.args.get("status", "pending_review")
    if status not in (*MANUAL_HOURS_STATUSES, "all"):
        status = "pending_review"
    query = manual_hours_in_scope(select(ManualHours))
    if status != "all":
        query = query.where(ManualHours.status == status)
    rows = newest_first(db.session, query, ManualHours.id, before_id=after_id(), limit=PAGE_SIZE)
    items, next_cursor = page_of(rows)
    return render_template(
        "console/manual_hours.html",
        items=items,
        names=_volunteer_names({row.volunteer_id for row in items}),
        status=status,
        statuses=STATUS_NAMES,
        next_cursor=next_cursor,
        self_review=manual_hours.SelfReview.message,
        today=date.today().isoformat(),
    )


@bp.post("/manual-hours")
@staff_required(*ADMINS)
def manual_hours_create():
    """Record hours a volunteer served without checking in; they wait for a second reviewer."""
    volunteer_id = integer("volunteer_id", "志愿者 ID", minimum=1, maximum=MAX_ID)
    volunteer = db.session.get(Volunteer, volunteer_id)
    # As in the API: the record belongs to the volunteer's region when it lies inside yours.
    region = volunteer.region_code if volunteer else None
    if volunteer is None or (region and not g.staff.can_see(region)):
        raise ApiError(404, "NOT_FOUND", "志愿者不存在")
    entry = manual_hours.record(
        db.session,
        volunteer_id=volunteer.id,
        region_code=region or g.staff.region_code,
        service_date=_service_date(),
        minutes=integer("minutes", "服务分钟数", minimum=1, maximum=1440),
        reason=text("reason", "补录原因", max_length=500),
        staff_id=g.staff.id,
    )
    db.session.commit()
    flash(f"已录入补录 {entry.id}（{entry.minutes} 分钟），等待其他管理员审核", "success")
    return redirect(url_for("console.manual_hours_list"))


@bp.post("/manual-hours/<int:entry_id>/approve")
@staff_required(*ADMINS)
def manual_hours_approve(entry_id):
    """Approve manual hours someone else recorded; the minutes count as manual hours."""
    visible_manual_hours(entry_id)
    try:
        entry = manual_hours.approve(db.session, entry_id, reviewer=g.staff.id)
    except manual_hours.SelfReview as error:
        # Not a 403 page: the recorder is allowed here, just not to approve their own entry.
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("console.manual_hours_list"))
    flash(f"补录 {entry.id} 已通过，计入 {entry.minutes} 分钟", "success")
    return redirect(url_for("console.manual_hours_list"))


@bp.post("/manual-hours/<int:entry_id>/reject")
@staff_required(*ADMINS)
def manual_hours_reject(entry_id):
    """Refuse manual hours, with the reason the recorder will read."""
    visible_manual_hours(entry_id)
    reason = text("reason", "驳回原因", max_length=500)
    manual_hours.reject(db.session, entry_id, reviewer=g.staff.id, reason=reason)
    flash(f"补录 {entry_id} 已驳回", "success")
    return redirect(url_for("console.manual_hours_list"))


def _service_date() -> date:
    try:
        return date.fromisoformat((request.form.get("service_date") or "").strip()[:32])
    except ValueError:
        raise InvalidForm("服务日期格式应为 YYYY-MM-DD", field="service_date") from None


def _volunteer_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Volunteer.id, Volunteer.real_name, Volunteer.nickname).where(Volunteer.id.in_(ids))
    )
    return {row.id: mask_name(row.real_name or row.nickname) or "—" for row in rows}
