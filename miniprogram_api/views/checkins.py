"""Check-in and check-out at a station, and the volunteer's own service record."""

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from miniprogram_api import presenters
from miniprogram_api.auth import volunteer_required
from miniprogram_api.context import qr_signing_key
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from miniprogram_api.pagination import PageArgsSchema, cursor_int, newest_first, page
from miniprogram_api.schemas.sessions import (
    CheckinResultSchema,
    EvaluationSchema,
    ScanSchema,
    SessionPageSchema,
    SessionSchema,
)
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession

blp = Blueprint("checkins", __name__, url_prefix="/api/v1", description="Check-in and hours")
BEARER = [{"bearerAuth": []}]


def _fix(body) -> sessions.Fix:
    return sessions.Fix(lat=body["lat"], lng=body["lng"], accuracy_m=body.get("accuracy_m"))


@blp.route("/checkins", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(ScanSchema)
@blp.response(201, CheckinResultSchema)
@blp.alt_response(400, description="QR_INVALID")
@blp.alt_response(422, description="OUT_OF_RANGE, LOCATION_INACCURATE, VALIDATION_ERROR")
@blp.alt_response(409, description="ALREADY_CHECKED_IN, STATION_INACTIVE, SIGNUP_REQUIRED")
def check_in(body):
    """Start serving: check in at the station whose QR code was scanned."""
    opened = sessions.check_in(
        db.session,
        volunteer_id=g.volunteer_id,
        scene=body["scene"],
        fix=_fix(body),
        qr_key=qr_signing_key(),
    )
    return {
        "session_id": opened.id,
        "station": presenters.station_ref(db.session, opened.station_id),
        "activity_id": opened.activity_id,
        "checked_in_at": opened.checked_in_at,
        "status": opened.status,
    }


@blp.route("/checkouts", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(ScanSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(409, description="NOT_CHECKED_IN, WRONG_STATION")
def check_out(body):
    """Stop serving: check out at the same station; approved at once or sent to review."""
    closed = sessions.check_out(
        db.session,
        volunteer_id=g.volunteer_id,
        scene=body["scene"],
        fix=_fix(body),
        qr_key=qr_signing_key(),
    )
    return presenters.session(db.session, closed)


@blp.route("/me/sessions", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, SessionPageSchema)
def my_sessions(args):
    """List the volunteer's sessions, newest first."""
    query = select(ServiceSession).where(ServiceSession.volunteer_id == g.volunteer_id)
    rows = newest_first(
        db.session,
        query,
        ServiceSession.id,
        before_id=cursor_int(args["cursor"]),
        limit=args["limit"],
    )
    result = page(rows, args["limit"], key=lambda row: {"id": row.id})
    result["items"] = [presenters.session(db.session, row) for row in result["items"]]
    return result


@blp.route("/me/sessions/<int:session_id>/evaluation", methods=["PUT"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(EvaluationSchema)
@blp.response(200, SessionSchema)
def rate_my_session(body, session_id):
    """Rate the activity of one of your finished sessions (1-5, optional comment)."""
    record = db.session.get(ServiceSession, session_id)
    if record is None or record.volunteer_id != g.volunteer_id:
        raise ApiError(404, "NOT_FOUND", "服务记录不存在")
    sessions.rate_as_volunteer(db.session, record, body["rating"], body.get("comment"))
    db.session.commit()
    return presenters.session(db.session, record)
