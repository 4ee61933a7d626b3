"""Recognition: the 百名 ranking and nominations, the 十佳 cases, and their province review."""

from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    READERS,
    InvalidForm,
    after_id,
    bp,
    has_role,
    integer,
    page_of,
    text,
)
from core import regions
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from miniprogram_api.views.cases import case_payload
from miniprogram_api.views.recognition import nomination_payload, ranked_payload, this_year
from volunteering.recognition import campaigns, cases, nominations, places
from volunteering.recognition.models import CAPS, VOLUNTEERS_PROGRAM
from volunteering.recognition.ranking import ranking

NOMINATION_STATUS_NAMES = {"pending": "待审核", "approved": "已入选", "rejected": "未通过"}
CASE_STATUS_NAMES = {
    "submitted": "已提交",
    "shortlisted": "已入围",
    "rejected": "未入选",
    "selected": "入选十佳",
}
CASE_DECISION_NAMES = {"shortlist": "入围", "reject": "不予入选", "select": "评为十佳"}
MIN_YEAR, MAX_YEAR = 2020, 2100
MAX_ID = 2**63 - 1


@bp.get("/recognition")
@staff_required(*READERS)
def recognition_ranking():
    """The year's 百名 ranking of a region by service hours and organizer rating."""
    year = _year_arg()
    scope = request.args.get("region_code") or g.staff.region_code
    if not regions.is_valid(scope):
        raise InvalidForm("区域无效", field="region_code")
    g.staff.require_region(scope)
    ranked = ranking(db.session, year=year, scope=scope, limit=100)
    return render_template(
        "console/recognition.html",
        year=year,
        scope=scope,
        campaign=campaigns.label(db.session, VOLUNTEERS_PROGRAM, year),
        programs=[
            campaigns.summary(db.session, program, year, places.used(db.session, program, year))
            for program in CAPS
        ],
        items=[ranked_payload(item) for item in ranked],
        statuses=NOMINATION_STATUS_NAMES,
    )


@bp.get("/recognition/nominations")
@staff_required(*READERS)
def nomination_list():
    """The region's nominations, newest first, with the nominate and review forms."""
    status = request.args.get("status") or None
    if status not in (None, *NOMINATION_STATUS_NAMES):
        status = None
    query = nominations.listing(
        g.staff.region_code, year=_year_arg(default=None), status=status, before_id=after_id()
    )
    items, next_cursor = page_of(list(db.session.scalars(query.limit(PAGE_SIZE + 1))))
    return render_template(
        "console/nominations.html",
        items=[nomination_payload(row) for row in items],
        next_cursor=next_cursor,
        statuses=NOMINATION_STATUS_NAMES,
        status=status or "",
        year=request.args.get("year", ""),
        this_year=this_year(),
    )


@bp.post("/recognition/nominations")
@staff_required(*ADMINS)
def nomination_create():
    """Nominate a volunteer of the region for a year's 百名生态环境志愿者."""
    nomination = nominations.nominate(
        db.session,
        volunteer_id=integer("volunteer_id", "志愿者 ID", minimum=1, maximum=MAX_ID),
        year=integer("year", "年度", minimum=MIN_YEAR, maximum=MAX_YEAR),
        reason=text("reason", "推荐理由", max_length=1000),
        staff_id=g.staff.id,
        scope=g.staff.region_code,
    )
    flash(f"已推荐志愿者 {nomination.volunteer_id}：{nomination.campaign}", "success")
    return redirect(url_for("console.nomination_list"))


@bp.post("/recognition/nominations/<int:nomination_id>/review")
@staff_required("province_admin")
def nomination_review(nomination_id):
    """Approve (one of the year's 100 places) or reject a pending nomination."""
    nominations.get(db.session, nomination_id, g.staff.region_code)
    decision = request.form.get("decision")
    if decision not in nominations.DECISIONS:
        raise InvalidForm("请选择审核结果")
    nomination = nominations.review(
        db.session,
        nomination_id,
        decision=decision,
        note=text("note", "审核意见", required=False, max_length=500) or None,
        staff_id=g.staff.id,
    )
    flash(f"推荐 {nomination.id}：{NOMINATION_STATUS_NAMES[nomination.status]}", "success")
    return redirect(url_for("console.nomination_list"))


@bp.get("/recognition/cases")
@staff_required(*READERS)
def case_list():
    """The region's 十佳公众参与案例 submissions, newest first."""
    status = request.args.get("status") or None
    if status not in (None, *CASE_STATUS_NAMES):
        status = None
    query = cases.listing(
        g.staff.region_code, year=_year_arg(default=None), status=status, before_id=after_id()
    )
    items, next_cursor = page_of(list(db.session.scalars(query.limit(PAGE_SIZE + 1))))
    return render_template(
        "console/cases.html",
        items=[case_payload(row) for row in items],
        next_cursor=next_cursor,
        statuses=CASE_STATUS_NAMES,
        status=status or "",
        year=request.args.get("year", ""),
    )


@bp.get("/recognition/cases/<int:case_id>")
@staff_required(*READERS)
def case_detail(case_id):
    """One case in full, with the review form."""
    case = cases.get(db.session, case_id, g.staff.region_code)
    return render_template(
        "console/case_detail.html",
        case=case_payload(case),
        statuses=CASE_STATUS_NAMES,
        decisions=CASE_DECISION_NAMES,
    )


@bp.post("/recognition/cases/<int:case_id>/review")
@staff_required(*ADMINS)
def case_review(case_id):
    """Shortlist or reject a case; selecting one of the year's ten is for province admins."""
    cases.get(db.session, case_id, g.staff.region_code)  # outside the region: a 404 first
    decision = request.form.get("decision")
    if decision not in cases.DECISIONS:
        raise InvalidForm("请选择审核结果")
    if decision == "select" and not has_role("province_admin"):
        raise ApiError(403, "FORBIDDEN", "十佳案例由省级管理员评选")
    case = cases.review(
        db.session,
        case_id,
        decision=decision,
        note=text("note", "审核意见", required=False, max_length=500) or None,
        staff_id=g.staff.id,
        scope=g.staff.region_code,
    )
    flash(f"案例「{case.title}」：{CASE_STATUS_NAMES[case.status]}", "success")
    return redirect(url_for("console.case_detail", case_id=case.id))


def _year_arg(default: int | None | str = "this") -> int | None:
    """Return ``?year=`` within bounds; empty gives *default* ("this": the current year)."""
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return this_year() if default == "this" else default
    if not re.fullmatch(r"\d{4}", raw) or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise InvalidForm(f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间", field="year")
    return int(raw)
