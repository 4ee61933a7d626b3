"""Activities at the region's stations: list, publish (times, capacity, sign-up), cancel."""

from __future__ import annotations

from datetime import datetime

from flask import flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    STATION_READERS,
    InvalidForm,
    bp,
    checkbox,
    integer,
    text,
)
from core.clock import BUSINESS_TZ, now
from miniprogram_api.extensions import db
from miniprogram_api.pagination import decode_cursor, encode_cursor
from miniprogram_api.views.admin_stations import viewer_of
from volunteering.activities import operations as activities
from volunteering.activities.models import ACTIVITY_STATUSES
from volunteering.stations import operations as stations

ACTIVITY_STATUS_NAMES = {"published": "已发布", "cancelled": "已取消"}
MAX_ID = 2**63 - 1


@bp.get("/activities")
@staff_required(*STATION_READERS)
def activity_list():
    """The activities at the staff member's stations, latest start first, with the publish form."""
    status = request.args.get("status") or None
    if status not in (None, *ACTIVITY_STATUSES):
        status = None
    viewer = viewer_of(g.staff)
    rows = activities.list_activities_for_staff(
        db.session, viewer, limit=PAGE_SIZE + 1, after=_cursor(), status=status
    )
    items = rows[:PAGE_SIZE]
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        next_cursor = encode_cursor({"s": items[-1].starts_at.isoformat(), "id": items[-1].id})
    return render_template(
        "console/activities.html",
        items=items,
        next_cursor=next_cursor,
        status=status or "",
        statuses=ACTIVITY_STATUS_NAMES,
        stations=stations.list_stations(db.session, viewer, limit=500, active=True),
        projects=activities.list_projects(db.session, viewer, limit=500),
    )


@bp.post("/activities")
@staff_required(*ADMINS)
def activity_create():
    """Publish an activity at a station of the region."""
    activity = activities.create_activity(
        db.session,
        viewer_of(g.staff),
        title=text("title", "活动名称", max_length=100),
        station_id=integer("station_id", "站点", minimum=1, maximum=MAX_ID),
        starts_at=_moment("starts_at", "开始时间"),
        ends_at=_moment("ends_at", "结束时间"),
        capacity=integer("capacity", "名额", minimum=1, maximum=100_000),
        signup_required=checkbox("signup_required"),
        signup_deadline=_moment("signup_deadline", "报名截止时间", required=False),
        project_id=integer("project_id", "所属项目", required=False, minimum=1, maximum=MAX_ID),
        description=text("description", "活动说明", required=False, max_length=2000),
        created_by=g.staff.id,
        at=now(),
    )
    db.session.commit()
    flash(f"已发布活动「{activity.title}」", "success")
    return redirect(url_for("console.activity_detail", activity_id=activity.id))


@bp.get("/activities/<int:activity_id>")
@staff_required(*STATION_READERS)
def activity_detail(activity_id):
    """One activity with its sign-up count and the cancel button."""
    activity = activities.get_activity(db.session, viewer_of(g.staff), activity_id)
    return render_template(
        "console/activity_detail.html", activity=activity, statuses=ACTIVITY_STATUS_NAMES
    )


@bp.post("/activities/<int:activity_id>/cancel")
@staff_required(*ADMINS)
def activity_cancel(activity_id):
    """Cancel an activity: sign-up closes; existing sign-ups stay on record."""
    activity = activities.cancel_activity(db.session, viewer_of(g.staff), activity_id)
    db.session.commit()
    flash(f"已取消活动「{activity.title}」", "success")
    return redirect(url_for("console.activity_detail", activity_id=activity.id))


def _moment(name: str, label: str, *, required: bool = True) -> datetime | None:
    """Return a ``datetime-local`` field, read as Beijing time, as an aware datetime."""
    raw = (request.form.get(name) or "").strip()[:32]
    if not raw:
        if required:
            raise InvalidForm(f"请填写{label}", field=name)
        return None
    try:
        moment = datetime.strptime(raw, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InvalidForm(f"{label}格式应为 YYYY-MM-DD HH:MM", field=name) from None
    return moment.replace(tzinfo=BUSINESS_TZ)


def _cursor() -> tuple[datetime, int] | None:
    token = request.args.get("cursor")
    if not token:
        return None
    try:
        key = decode_cursor(token[:512])
        starts, last_id = datetime.fromisoformat(key["s"]), key["id"]
    except Exception:  # noqa: BLE001  (any malformed cursor reads the same to the user)
        starts, last_id = None, None
    valid_id = isinstance(last_id, int) and not isinstance(last_id, bool) and 0 < last_id <= MAX_ID
    if starts is None or starts.tzinfo is None or not valid_id:
        raise InvalidForm("分页游标无效，请从第一页重新浏览")
    return starts, last_id
