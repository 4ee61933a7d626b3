"""Volunteers: search by id, nickname or phone; masked personal data, hours, points, sessions."""

from __future__ import annotations

import re

from flask import g, render_template, request
from sqlalchemy import or_, select

from app.console.auth import staff_required
from app.console.blueprint import PAGE_SIZE, READERS, after_id, bp, page_of
from core import regions
from core.masking import mask_name, mask_phone
from identity.models import Volunteer
from miniprogram_api import presenters
from miniprogram_api.extensions import db
from miniprogram_api.pagination import newest_first
from miniprogram_api.scoping import sessions_in_scope, visible_volunteer
from volunteering import hours as volunteer_hours
from volunteering.sessions.models import ServiceSession

_MASKED_PHONE = re.compile(r"^(1\d{2})\*{4}(\d{4})$")
MAX_ID = 2**63 - 1


def _in_scope(query):
    """Limit a volunteer query to the staff member's region (the province also sees no-region)."""
    prefix = regions.scope_prefix(g.staff.region_code)
    condition = Volunteer.region_code.startswith(prefix)
    if g.staff.region_code == regions.PROVINCE_CODE:
        condition = or_(condition, Volunteer.region_code.is_(None))
    return query.where(condition)


def _matching(term: str):
    """Return the condition a search term stands for: an id, a phone (full or masked), a name."""
    if masked := _MASKED_PHONE.match(term):
        return Volunteer.phone.like(f"{masked[1]}____{masked[2]}")
    if re.fullmatch(r"1\d{10}", term):
        return Volunteer.phone == term
    if term.isdigit() and len(term) <= 18 and 0 < int(term) <= MAX_ID:
        return Volunteer.id == int(term)
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Volunteer.nickname.like(f"%{escaped}%", escape="\\")


@bp.get("/volunteers")
@staff_required(*READERS)
def volunteer_list():
    """Search the volunteers of the staff member's region."""
    term = (request.args.get("q") or "").strip()[:64]
    query = _in_scope(select(Volunteer))
    if term:
        query = query.where(_matching(term))
    rows = newest_first(db.session, query, Volunteer.id, before_id=after_id(), limit=PAGE_SIZE)
    items, next_cursor = page_of(rows)
    return render_template(
        "console/volunteers.html",
        items=[_row(volunteer) for volunteer in items],
        q=term,
        next_cursor=next_cursor,
    )


@bp.get("/volunteers/<int:volunteer_id>")
@staff_required(*READERS)
def volunteer_detail(volunteer_id):
    """Show one volunteer: masked identity, hours, points, star and recent sessions."""
    volunteer = visible_volunteer(volunteer_id)
    recorded = volunteer_hours.summary(db.session, volunteer.id)
    recent = db.session.scalars(
        sessions_in_scope(select(ServiceSession))
        .where(ServiceSession.volunteer_id == volunteer.id)
        .order_by(ServiceSession.id.desc())
        .limit(50)
    )
    return render_template(
        "console/volunteer_detail.html",
        volunteer=_row(volunteer),
        hours=recorded,
        points=presenters.points(db.session, volunteer.id),
        star=presenters.star(db.session, volunteer),
        sessions=[presenters.admin_session(db.session, row) for row in recent],
    )


def _row(volunteer: Volunteer) -> dict:
    return {
        "id": volunteer.id,
        "nickname": mask_name(volunteer.nickname),
        "real_name": mask_name(volunteer.real_name),
        "phone": mask_phone(volunteer.phone),
        "region_code": volunteer.region_code,
        "created_at": volunteer.created_at,
    }
