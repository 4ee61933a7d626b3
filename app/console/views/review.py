"""The review queue: sessions sent to review, approved with minutes, rejected or voided."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    REVIEWERS,
    STATION_READERS,
    InvalidForm,
    after_id,
    bp,
    has_role,
    integer,
    page_of,
    text,
)
from core.errors import DomainError
from miniprogram_api import presenters
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from miniprogram_api.pagination import newest_first
from miniprogram_api.scoping import sessions_in_scope, visible_session
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import SESSION_STATUSES, ServiceSession
from volunteering.stations.models import Station

MAX_MINUTES = 24 * 60
ACTIONS = {"approve": "通过", "reject": "驳回", "void": "作废"}


@bp.get("/review")
@staff_required(*STATION_READERS)
def review_queue():
    """List sessions in the staff member's scope, pending ones first by default."""
    status = request.args.get("status", "pending_review")
    if status not in (*SESSION_STATUSES, "all"):
        status = "pending_review"
    query = sessions_in_scope(select(ServiceSession))
    if status != "all":
        query = query.where(ServiceSession.status == status)
    rows = newest_first(db.session, query, ServiceSession.id, before_id=after_id(), limit=PAGE_SIZE)
    items, next_cursor = page_of(rows)
    return render_template(
        "console/review.html",
        items=[presenters.admin_session(db.session, row) for row in items],
        status=status,
        statuses=SESSION_STATUSES,
        next_cursor=next_cursor,
    )


@bp.get("/review/<int:session_id>")
@staff_required(*STATION_READERS)
def review_detail(session_id):
    """Show one session with its measurements."""
    record = visible_session(session_id)
    station = db.session.get(Station, record.station_id)
    return render_template(
        "console/review_detail.html",
        item=presenters.admin_session(db.session, record),
        station=station,
    )


@bp.post("/review/<int:session_id>")
@staff_required(*REVIEWERS)
def review_one(session_id):
    """Approve, reject or void one session."""
    visible_session(session_id)
    action = request.form.get("action")
    _act(action, session_id, _minutes(f"minutes_{session_id}"), _reason(action))
    flash(f"服务记录 {session_id} 已{ACTIONS[action]}", "success")
    return redirect(url_for("console.review_detail", session_id=session_id))


@bp.post("/review/bulk")
@staff_required(*REVIEWERS)
def review_bulk():
    """Apply one action to every ticked session; each succeeds or fails on its own."""
    action = request.form.get("action")
    if action not in ACTIONS:
        raise InvalidForm("请选择操作")
    ids = _ticked_ids()
    reason = _reason(action)
    done, failed = [], []
    for session_id in ids:
        try:
            visible_session(session_id)
            minutes = _minutes(f"minutes_{session_id}") if action == "approve" else None
            _act(action, session_id, minutes, reason)
            done.append(session_id)
        except (DomainError, ApiError) as error:
            db.session.rollback()
            failed.append(f"{session_id}（{error.message}）")
    if done:
        flash(f"已{ACTIONS[action]} {len(done)} 条服务记录", "success")
    if failed:
        flash("未能处理：" + "；".join(failed), "error")
    return redirect(url_for("console.review_queue", status=request.args.get("status")))


def _act(action: str | None, session_id: int, minutes: int | None, reason: str | None) -> None:
    staff_id = g.staff.id
    if action == "approve":
        sessions.approve(db.session, session_id, reviewer=staff_id, minutes=minutes, note=reason)
    elif action == "reject":
        sessions.reject(db.session, session_id, reviewer=staff_id, reason=reason)
    elif action == "void":
        if not has_role(*ADMINS):
            raise ApiError(403, "FORBIDDEN", "只有管理员可以作废服务记录")
        sessions.void(db.session, session_id, reviewer=staff_id, reason=reason)
    else:
        raise InvalidForm("请选择操作")


def _minutes(name: str) -> int | None:
    return integer(name, "核定分钟数", required=False, minimum=0, maximum=MAX_MINUTES)


def _reason(action: str | None) -> str | None:
    if action == "approve":
        return text("reason", "备注", required=False, max_length=500) or None
    return text("reason", "原因（志愿者可见）", max_length=500)


def _ticked_ids() -> list[int]:
    raw = request.form.getlist("session_ids")
    if not raw:
        raise InvalidForm("请至少勾选一条服务记录")
    if len(raw) > PAGE_SIZE * 5 or not all(v.isdigit() and len(v) <= 18 for v in raw):
        raise InvalidForm("勾选的服务记录无效")
    return sorted({int(v) for v in raw})
