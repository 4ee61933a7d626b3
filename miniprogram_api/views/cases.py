"""十佳公众参与案例: volunteers send cases, staff review them, the province selects ten a year."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from miniprogram_api.auth import staff_required, volunteer_required
from miniprogram_api.errors import ApiError, ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.pagination import PageArgsSchema, cursor_int, page
from miniprogram_api.schemas.recognition import (
    CaseCreateSchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseReviewSchema,
    CaseSchema,
)
from volunteering.recognition import cases
from volunteering.recognition.models import CaseSubmission

blp = Blueprint(
    "cases", __name__, url_prefix="/api/v1", description="十佳公众参与案例 submissions and review"
)
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")
READERS = (*ADMINS, "auditor")


@blp.route("/cases", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND: unknown project")
def submit_case(body):
    """Send a public-participation case to the coming 六五环境日 collection."""
    case = cases.submit(db.session, volunteer_id=g.volunteer_id, **body)
    return case_payload(case)


@blp.route("/me/cases", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, CasePageSchema)
def my_cases(args):
    """List the cases you sent, newest first, with their review status."""
    query = cases.of_volunteer(g.volunteer_id, before_id=cursor_int(args["cursor"]))
    return _page(query, args["limit"])


@blp.route("/admin/cases", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CasePageSchema)
def list_cases(args):
    """List the cases of your region, newest first."""
    query = cases.listing(
        g.staff.region_code,
        year=args["year"],
        status=args["status"],
        before_id=cursor_int(args["cursor"]),
    )
    return _page(query, args["limit"])


@blp.route("/admin/cases/<int:case_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, CaseSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
def get_case(case_id):
    """Show one case."""
    return case_payload(cases.get(db.session, case_id, g.staff.region_code))


@blp.route("/admin/cases/<int:case_id>/review", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(CaseReviewSchema)
@blp.response(200, CaseSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: select is for province admins")
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
@blp.alt_response(409, schema=ErrorSchema, description="ALREADY_REVIEWED, SELECTION_FULL")
def review_case(body, case_id):
    """Shortlist or reject a case of your region; select one (province admins, 10 a year)."""
    if body["decision"] == "select" and "province_admin" not in g.staff.roles:
        cases.get(db.session, case_id, g.staff.region_code)  # outside the region: still a 404
        raise ApiError(403, "FORBIDDEN", "十佳案例由省级管理员评选")
    case = cases.review(
        db.session,
        case_id,
        decision=body["decision"],
        note=body["note"],
        staff_id=g.staff.id,
        scope=g.staff.region_code,
    )
    return case_payload(case)


def _page(query, limit: int) -> dict:
    rows = list(db.session.scalars(query.limit(limit + 1)))
    result = page(rows, limit, key=lambda row: {"id": row.id})
    result["items"] = [case_payload(row) for row in result["items"]]
    return result


def case_payload(case: CaseSubmission) -> dict:
    return {
        "id": case.id,
        "volunteer_id": case.volunteer_id,
        "title": case.title,
        "description": case.description,
        "project_id": case.project_id,
        "region_code": case.region_code,
        "year": case.year,
        "campaign": case.campaign,
        "status": case.status,
        "created_at": case.created_at,
        "reviewed_at": case.reviewed_at,
        "review_note": case.review_note,
    }
