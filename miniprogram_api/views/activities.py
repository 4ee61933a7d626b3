"""Activities for volunteers: browse, sign up, cancel (在线报名)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from core.clock import now
from miniprogram_api.auth import volunteer_required
from miniprogram_api.errors import ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.pagination import page
from miniprogram_api.schemas.activities import (
    SignupSchema,
    TimePageArgsSchema,
    VolunteerActivityPageSchema,
    time_cursor,
)
from volunteering.activities import operations as activities
from volunteering.activities.models import Activity

blp = Blueprint(
    "activities", __name__, url_prefix="/api/v1/activities", description="Activities and sign-up"
)
BEARER = [{"bearerAuth": []}]


class _Listed:
    """An activity as one volunteer sees it: the activity plus their own ``signed_up``."""

    def __init__(self, activity: Activity, signed_up: bool) -> None:
        self._activity = activity
        self.signed_up = signed_up

    def __getattr__(self, name):
        return getattr(self._activity, name)


@blp.route("", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(TimePageArgsSchema, location="query")
@blp.response(200, VolunteerActivityPageSchema)
def list_activities(args):
    """List published activities, soonest first; by default those not yet ended."""
    if args.get("start_from") is None:
        args["start_from"] = now()
    limit = args.pop("limit")
    rows = activities.published_activities(db.session, limit=limit + 1, **args)
    result = page(rows, limit, key=time_cursor)
    ids = [activity.id for activity in result["items"]]
    signed = activities.signed_up_activity_ids(db.session, g.volunteer_id, ids)
    result["items"] = [_Listed(a, a.id in signed) for a in result["items"]]
    return result


@blp.route("/<int:activity_id>/signups", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(201, SignupSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND: no such activity")
@blp.alt_response(409, schema=ErrorSchema, description="ACTIVITY_FULL or SIGNUP_CLOSED")
def sign_up(activity_id):
    """Take a place; signing up again while signed up answers the same sign-up (201)."""
    signup = activities.sign_up(db.session, activity_id, g.volunteer_id, at=now())
    db.session.commit()
    activity = db.session.get(Activity, signup.activity_id)
    return {
        "id": signup.id,
        "activity_id": signup.activity_id,
        "volunteer_id": signup.volunteer_id,
        "status": signup.status,
        "created_at": signup.created_at,
        "signup_count": activity.signup_count,
        "capacity": activity.capacity,
    }


@blp.route("/<int:activity_id>/signups/me", methods=["DELETE"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND: not signed up")
@blp.alt_response(409, schema=ErrorSchema, description="SIGNUP_CLOSED: the activity has ended")
def cancel_signup(activity_id):
    """Give the place back; cancelling twice is harmless."""
    activities.cancel_signup(db.session, activity_id, g.volunteer_id, at=now())
    db.session.commit()
    return ""
