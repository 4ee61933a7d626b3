"""A volunteer's redemptions: reserve a perk, look at it, cancel it."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint

from core.clock import now
from miniprogram_api.auth import volunteer_required
from miniprogram_api.extensions import db
from miniprogram_api.pagination import PageArgsSchema, cursor_int, page
from miniprogram_api.schemas.rewards import (
    RedemptionPageSchema,
    RedemptionSchema,
    ReservationSchema,
    ReserveSchema,
)
from miniprogram_api.views.rewards_common import (
    BEARER,
    OPTIONAL_IDEMPOTENCY,
    once,
    star_level_reader,
)
from rewards import codes
from rewards.redemptions import operations as redemptions
from rewards.redemptions import queries as redemption_queries

blp = Blueprint(
    "redemptions", __name__, url_prefix="/api/v1/redemptions", description="Redeeming perks"
)

# Instances, not classes: webargs and marshmallow would build a schema (deep-copying its
# fields) on every request of this hot path otherwise.
RESERVE_ARGS = ReserveSchema()
RESERVATION = ReservationSchema()


@blp.route("", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER, parameters=[OPTIONAL_IDEMPOTENCY])
@blp.arguments(RESERVE_ARGS)
@blp.response(201, ReservationSchema)
@blp.alt_response(403, description="STAR_LEVEL_TOO_LOW")
@blp.alt_response(404, description="NOT_FOUND: no such perk")
@blp.alt_response(
    409,
    description="INSUFFICIENT_POINTS, OUT_OF_STOCK, LIMIT_REACHED, PERK_NOT_AVAILABLE, "
    "IDEMPOTENCY_KEY_IN_USE",
)
@blp.alt_response(422, description="VALIDATION_ERROR or IDEMPOTENCY_KEY_REUSED")
def reserve(body):
    """Reserve a perk: hold its points, one unit of stock and your allowance; get a code."""
    volunteer_id = g.volunteer_id
    star = star_level_reader(volunteer_id)
    minutes = current_app.config["REDEMPTION_HOLD_MINUTES"]

    def work(session):
        reservation = redemptions.reserve(
            session,
            volunteer_id=volunteer_id,
            perk_id=body["perk_id"],
            star_level=star,
            hold_minutes=minutes,
        )
        return 201, RESERVATION.dump(reservation)

    return once(f"volunteer:{volunteer_id}", work)


@blp.route("", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, RedemptionPageSchema)
def list_mine(args):
    """List your redemptions, newest first."""
    rows = redemption_queries.volunteer_history(
        db.session, g.volunteer_id, limit=args["limit"] + 1, after_id=cursor_int(args["cursor"])
    )
    at = now()
    items = [redemption_item(redemption, perk, at) for redemption, perk in rows]
    return page(items, args["limit"], key=lambda item: {"id": item["id"]})


@blp.route("/<int(max=9223372036854775807):redemption_id>", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(200, RedemptionSchema)
@blp.alt_response(404, description="NOT_FOUND (also for someone else's redemption)")
def get_one(redemption_id):
    """Show one of your redemptions with its current status."""
    redemption, perk = redemption_queries.for_volunteer(db.session, g.volunteer_id, redemption_id)
    return redemption_item(redemption, perk, now())


@blp.route("/<int(max=9223372036854775807):redemption_id>", methods=["DELETE"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(200, RedemptionSchema)
@blp.alt_response(404, description="NOT_FOUND (also for someone else's redemption)")
@blp.alt_response(409, description="ALREADY_FULFILLED")
@blp.alt_response(410, description="REDEMPTION_EXPIRED")
def cancel(redemption_id):
    """Cancel a reserved redemption: the held points, the stock and your allowance come back."""
    volunteer_id = g.volunteer_id
    redemptions.cancel(db.session, volunteer_id=volunteer_id, redemption_id=redemption_id)
    redemption, perk = redemption_queries.for_volunteer(db.session, volunteer_id, redemption_id)
    return redemption_item(redemption, perk, now())


def redemption_item(redemption, perk, at) -> dict:
    return {
        "id": redemption.id,
        "redemption_id": redemption.id,
        "status": redemption_queries.effective_status(redemption, at),
        "code": codes.grouped(redemption.code),
        "points": redemption.points,
        "points_held": redemption.points if redemption.status == "reserved" else 0,
        "perk": {"id": perk.id, "title": perk.title},
        "merchant_id": redemption.merchant_id,
        "expires_at": redemption.expires_at,
        "created_at": redemption.created_at,
        "fulfilled_at": redemption.fulfilled_at,
    }
