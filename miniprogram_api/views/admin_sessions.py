"""Reviewing service sessions: the queue, approve, reject, void, rate; and earning rules."""

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from miniprogram_api import presenters
from miniprogram_api.auth import staff_required
from miniprogram_api.extensions import db
from miniprogram_api.pagination import cursor_int, newest_first, page
from miniprogram_api.schemas.earning_rules import EarningRulesSchema, EarningRulesUpdateSchema
from miniprogram_api.schemas.sessions import (
    AdminSessionPageSchema,
    AdminSessionQuerySchema,
    AdminSessionSchema,
    ApproveSchema,
    EvaluationSchema,
    ReasonSchema,
)
from miniprogram_api.scoping import sessions_in_scope, visible_session
from rewards import earning_rules
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession

blp = Blueprint(
    "admin_sessions", __name__, url_prefix="/api/v1/admin", description="Review of service hours"
)
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")
REVIEWERS = (*ADMINS, "station_manager")
READERS = (*REVIEWERS, "auditor")


@blp.route("/sessions", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(AdminSessionQuerySchema, location="query")
@blp.response(200, AdminSessionPageSchema)
def list_sessions(args):
    """List sessions in your region (station managers: your stations), newest first."""
    query = sessions_in_scope(select(ServiceSession))
    if args["status"]:
        query = query.where(ServiceSession.status == args["status"])
    if args["station_id"]:
        query = query.where(ServiceSession.station_id == args["station_id"])
    rows = newest_first(
        db.session,
        query,
        ServiceSession.id,
        before_id=cursor_int(args["cursor"]),
        limit=args["limit"],
    )
    result = page(rows, args["limit"], key=lambda row: {"id": row.id})
    result["items"] = [presenters.admin_session(db.session, row) for row in result["items"]]
    return result


@blp.route("/sessions/<int:session_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, AdminSessionSchema)
def get_session(session_id):
    """Show one session with its measurements."""
    return presenters.admin_session(db.session, visible_session(session_id))


@blp.route("/sessions/<int:session_id>/approve", methods=["POST"])
@staff_required(*REVIEWERS)
@blp.doc(security=BEARER)
@blp.arguments(ApproveSchema)
@blp.response(200, AdminSessionSchema)
def approve_session(body, session_id):
    """Approve a session in review, optionally with corrected minutes; its points are minted."""
    visible_session(session_id)
    record = sessions.approve(
        db.session, session_id, reviewer=g.staff.id, minutes=body["minutes"], note=body["note"]
    )
    return presenters.admin_session(db.session, record)


@blp.route("/sessions/<int:session_id>/reject", methods=["POST"])
@staff_required(*REVIEWERS)
@blp.doc(security=BEARER)
@blp.arguments(ReasonSchema)
@blp.response(200, AdminSessionSchema)
def reject_session(body, session_id):
    """Reject a session in review, with the reason the volunteer will read."""
    visible_session(session_id)
    record = sessions.reject(db.session, session_id, reviewer=g.staff.id, reason=body["reason"])
    return presenters.admin_session(db.session, record)


@blp.route("/sessions/<int:session_id>/void", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ReasonSchema)
@blp.response(200, AdminSessionSchema)
def void_session(body, session_id):
    """Void a session; an approved one gives back its hours and points."""
    visible_session(session_id)
    record = sessions.void(db.session, session_id, reviewer=g.staff.id, reason=body["reason"])
    return presenters.admin_session(db.session, record)


@blp.route("/sessions/<int:session_id>/evaluation", methods=["PUT"])
@staff_required(*REVIEWERS)
@blp.doc(security=BEARER)
@blp.arguments(EvaluationSchema)
@blp.response(200, AdminSessionSchema)
def rate_session(body, session_id):
    """Rate the volunteer's service in an approved session (评价, 1-5)."""
    record = visible_session(session_id)
    sessions.rate_as_organizer(
        db.session, record, body["rating"], body.get("comment"), staff_id=g.staff.id
    )
    db.session.commit()
    return presenters.admin_session(db.session, record)


@blp.route("/earning-rules", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, EarningRulesSchema)
def get_earning_rules():
    """Show the earning rules in force in your region (own or inherited)."""
    return _rules_payload(earning_rules.effective(db.session, g.staff.region_code))


@blp.route("/earning-rules", methods=["PUT"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(EarningRulesUpdateSchema)
@blp.response(200, EarningRulesSchema)
def put_earning_rules(body):
    """Set your region's earning rules; regions below inherit them unless they set their own."""
    rules = earning_rules.put(db.session, g.staff.region_code, body, staff_id=g.staff.id)
    db.session.commit()
    return _rules_payload(rules)


def _rules_payload(rules: earning_rules.Rules) -> dict:
    payload = rules.as_dict()
    payload["inherited_from"] = payload.pop("region_code") or "defaults"
    payload["region_code"] = g.staff.region_code
    return payload
