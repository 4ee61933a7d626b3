"""百名生态环境志愿者: the year's ranking, staff nominations and the province's review."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from core import regions
from core.clock import business_time, now
from core.masking import mask_name
from identity.models import Volunteer
from miniprogram_api import presenters
from miniprogram_api.auth import staff_required
from miniprogram_api.errors import ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.pagination import cursor_int, page
from miniprogram_api.schemas.recognition import (
    CampaignArgsSchema,
    CampaignListSchema,
    NominationCreateSchema,
    NominationPageSchema,
    NominationQuerySchema,
    NominationReviewSchema,
    NominationSchema,
    RankingArgsSchema,
    RankingSchema,
)
from volunteering.recognition import campaigns, nominations, places
from volunteering.recognition.models import CAPS, VOLUNTEERS_PROGRAM, Nomination
from volunteering.recognition.ranking import ranking

blp = Blueprint(
    "recognition",
    __name__,
    url_prefix="/api/v1/admin/recognition",
    description="百名生态环境志愿者 selection and campaign places",
)
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")
READERS = (*ADMINS, "auditor")


def this_year() -> int:
    return business_time(now()).year


@blp.route("/ranking", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(RankingArgsSchema, location="query")
@blp.response(200, RankingSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
def get_ranking(args):
    """Rank your region's volunteers by service hours in a year, with their average rating."""
    year = args["year"] or this_year()
    scope = args["region_code"] or g.staff.region_code
    g.staff.require_region(scope)
    ranked = ranking(db.session, year=year, scope=scope, limit=args["limit"])
    return {
        "year": year,
        "region_code": scope,
        "campaign": campaigns.label(db.session, VOLUNTEERS_PROGRAM, year),
        "items": [ranked_payload(item) for item in ranked],
    }


@blp.route("/nominations", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(NominationCreateSchema)
@blp.response(201, NominationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND: volunteer outside your region")
@blp.alt_response(409, schema=ErrorSchema, description="ALREADY_NOMINATED")
def create_nomination(body):
    """Nominate a volunteer of your region for the year's 百名生态环境志愿者."""
    nomination = nominations.nominate(
        db.session,
        volunteer_id=body["volunteer_id"],
        year=body["year"],
        reason=body["reason"],
        staff_id=g.staff.id,
        scope=g.staff.region_code,
    )
    return nomination_payload(nomination)


@blp.route("/nominations", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(NominationQuerySchema, location="query")
@blp.response(200, NominationPageSchema)
def list_nominations(args):
    """List the nominations of your region, newest first."""
    query = nominations.listing(
        g.staff.region_code,
        year=args["year"],
        status=args["status"],
        before_id=cursor_int(args["cursor"]),
    )
    rows = list(db.session.scalars(query.limit(args["limit"] + 1)))
    result = page(rows, args["limit"], key=lambda row: {"id": row.id})
    result["items"] = [nomination_payload(row) for row in result["items"]]
    return result


@blp.route("/nominations/<int:nomination_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, NominationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
def get_nomination(nomination_id):
    """Show one nomination."""
    return nomination_payload(nominations.get(db.session, nomination_id, g.staff.region_code))


@blp.route("/nominations/<int:nomination_id>/review", methods=["POST"])
@staff_required("province_admin")
@blp.doc(security=BEARER)
@blp.arguments(NominationReviewSchema)
@blp.response(200, NominationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND")
@blp.alt_response(409, schema=ErrorSchema, description="ALREADY_REVIEWED, SELECTION_FULL")
def review_nomination(body, nomination_id):
    """Approve (at most 100 a year) or reject a pending nomination (province admins)."""
    nominations.get(db.session, nomination_id, g.staff.region_code)
    nomination = nominations.review(
        db.session, nomination_id, decision=body["decision"], note=body["note"], staff_id=g.staff.id
    )
    return nomination_payload(nomination)


@blp.route("/campaigns", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(CampaignArgsSchema, location="query")
@blp.response(200, CampaignListSchema)
def list_campaigns(args):
    """Show each selection's campaign day, cap and places taken in a year."""
    year = args["year"] or this_year()
    return {
        "items": [
            campaigns.summary(db.session, program, year, places.used(db.session, program, year))
            for program in CAPS
        ]
    }


def ranked_payload(item) -> dict:
    volunteer = item.volunteer
    return {
        "rank": item.rank,
        "volunteer_id": volunteer.id,
        "name_masked": mask_name(volunteer.real_name or volunteer.nickname),
        "region_code": volunteer.region_code,
        "region_name": regions.get(volunteer.region_code).full_name
        if volunteer.region_code
        else None,
        "minutes": item.minutes,
        "hours": presenters.hours_decimal(item.minutes),
        "system_minutes": item.system_minutes,
        "manual_minutes": item.manual_minutes,
        "sessions": item.sessions,
        "average_rating": item.average_rating,
        "rated_sessions": item.rated_sessions,
        "nomination_status": item.nomination_status,
    }


def nomination_payload(nomination: Nomination) -> dict:
    volunteer = db.session.get(Volunteer, nomination.volunteer_id)
    return {
        "id": nomination.id,
        "volunteer_id": nomination.volunteer_id,
        "volunteer_name_masked": mask_name(volunteer.real_name or volunteer.nickname),
        "year": nomination.year,
        "region_code": nomination.region_code,
        "reason": nomination.reason,
        "campaign": nomination.campaign,
        "status": nomination.status,
        "nominated_by": nomination.nominated_by,
        "created_at": nomination.created_at,
        "reviewed_by": nomination.reviewed_by,
        "reviewed_at": nomination.reviewed_at,
        "review_note": nomination.review_note,
    }
