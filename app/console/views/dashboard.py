"""The home page, the 2027 dashboard, and training records (交流培训)."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    READERS,
    InvalidForm,
    bp,
    integer,
    text,
)
from core import regions
from miniprogram_api.extensions import db
from miniprogram_api.pagination import decode_cursor, encode_cursor
from volunteering.progress.dashboard import dashboard as dashboard_of
from volunteering.stations.operations import Viewer
from volunteering.trainings import operations as trainings
from volunteering.trainings.models import AUDIENCES, CATEGORIES, LEVELS

LEVEL_NAMES = {"city": "市级", "county": "县级"}
AUDIENCE_NAMES = {"leaders": "组织负责人", "volunteers": "志愿者"}


@bp.get("/")
@staff_required()
def home():
    return redirect(url_for("console.dashboard"))


@bp.get("/dashboard")
@staff_required()
def dashboard():
    """Progress toward the policy's 2027 targets in the staff member's region, and per city."""
    return render_template(
        "console/dashboard.html", board=dashboard_of(db.session, g.staff.region_code)
    )


@bp.get("/training")
@staff_required(*READERS)
def training():
    """This region's training records, latest first, with a form to record one."""
    viewer = Viewer(g.staff.region_code)
    year = request.args.get("year", "")
    rows = trainings.list_trainings(
        db.session,
        viewer,
        limit=PAGE_SIZE + 1,
        year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        after=_training_cursor(),
    )
    items = rows[:PAGE_SIZE]
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        last = items[-1]
        next_cursor = encode_cursor({"d": last.held_on.isoformat(), "id": last.id})
    return render_template(
        "console/training.html",
        items=items,
        next_cursor=next_cursor,
        levels=LEVEL_NAMES,
        audiences=AUDIENCE_NAMES,
        categories=CATEGORIES,
        today=date.today().isoformat(),
    )


@bp.post("/training")
@staff_required(*ADMINS)
def training_create():
    """Record a training held in the staff member's region."""
    level, audience = request.form.get("level"), request.form.get("audience")
    category = request.form.get("category")
    if level not in LEVELS or audience not in AUDIENCES or category not in CATEGORIES:
        raise InvalidForm("请选择培训层级、对象和类别")
    region_code = request.form.get("region_code") or ""
    if not regions.is_valid(region_code):
        raise InvalidForm("请选择培训所在区域")
    record = trainings.record(
        db.session,
        Viewer(g.staff.region_code),
        created_by=g.staff.id,
        level=level,
        audience=audience,
        category=category,
        title=text("title", "培训名称", max_length=100),
        held_on=_held_on(),
        region_code=region_code,
        attendees=integer("attendees", "参训人数", minimum=0, maximum=100_000),
        organizer=text("organizer", "主办单位", required=False, max_length=100),
    )
    db.session.commit()
    flash(f"已登记培训「{record.title}」", "success")
    return redirect(url_for("console.training"))


@bp.post("/training/<int:training_id>/delete")
@staff_required(*ADMINS)
def training_delete(training_id):
    """Delete a training record entered by mistake."""
    trainings.remove(db.session, Viewer(g.staff.region_code), training_id)
    db.session.commit()
    flash("已删除培训记录", "success")
    return redirect(url_for("console.training"))


def _held_on() -> date:
    try:
        return date.fromisoformat((request.form.get("held_on") or "").strip())
    except ValueError:
        raise InvalidForm("培训日期格式应为 YYYY-MM-DD", field="held_on") from None


def _training_cursor() -> trainings.Cursor | None:
    token = request.args.get("cursor")
    if not token:
        return None
    try:
        key = decode_cursor(token[:512])
        held_on, last_id = date.fromisoformat(key["d"]), key["id"]
    except Exception:  # noqa: BLE001  (any malformed cursor reads the same to the user)
        held_on, last_id = None, None
    if held_on is None or isinstance(last_id, bool) or not isinstance(last_id, int):
        raise InvalidForm("分页游标无效，请从第一页重新浏览")
    return trainings.Cursor(held_on, last_id)
