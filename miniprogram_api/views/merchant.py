"""Merchant mode inside the mini-program: bind, confirm codes, settlement views."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g
from flask_smorest import Blueprint

from core.clock import business_time, now
from miniprogram_api.auth import volunteer_required
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db, limiter
from miniprogram_api.pagination import PageArgsSchema, page
from miniprogram_api.schemas.rewards import (
    BindSchema,
    BoundMerchantSchema,
    ConfirmationSchema,
    ConfirmSchema,
    FulfilledPageSchema,
    SummaryArgsSchema,
    SummarySchema,
)
from miniprogram_api.views.rewards_common import (
    BEARER,
    OPTIONAL_IDEMPOTENCY,
    masked_nickname,
    masked_nicknames,
    once,
)
from rewards.errors import NotMerchantStaff
from rewards.merchants import operations as merchants
from rewards.redemptions import operations as redemptions
from rewards.redemptions import queries as redemption_queries

blp = Blueprint(
    "merchant", __name__, url_prefix="/api/v1/merchant", description="Merchant staff mode"
)

# Instances, not classes: webargs and marshmallow would build a schema (deep-copying its
# fields) on every confirm otherwise.
CONFIRM_ARGS = ConfirmSchema()
CONFIRMATION = ConfirmationSchema()


@blp.route("/bind", methods=["POST"])
@volunteer_required
@limiter.limit(lambda: current_app.config["MERCHANT_BIND_RATE_LIMIT"])
@blp.doc(security=BEARER)
@blp.arguments(BindSchema)
@blp.response(200, BoundMerchantSchema)
@blp.alt_response(404, description="NOT_FOUND: unknown bind code")
def bind(body):
    """Make your WeChat account staff of the merchant with this bind code."""
    merchant = merchants.bind(db.session, volunteer_id=g.volunteer_id, bind_code=body["bind_code"])
    return {"merchant": merchant}


@blp.route("", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(200, BoundMerchantSchema)
@blp.alt_response(403, description="FORBIDDEN: not staff of any merchant")
def my_merchant():
    """Show the merchant your account serves."""
    return {"merchant": _my_merchant()}


@blp.route("/redemptions/confirm", methods=["POST"])
@volunteer_required
@blp.doc(security=BEARER, parameters=[OPTIONAL_IDEMPOTENCY])
@blp.arguments(CONFIRM_ARGS)
@blp.response(200, ConfirmationSchema)
@blp.alt_response(403, description="WRONG_MERCHANT, or FORBIDDEN: not staff of any merchant")
@blp.alt_response(404, description="REDEMPTION_CODE_INVALID")
@blp.alt_response(409, description="ALREADY_FULFILLED or REDEMPTION_CANCELLED")
@blp.alt_response(410, description="REDEMPTION_EXPIRED")
def confirm(body):
    """Confirm a volunteer's code: the held points are paid to your merchant."""
    staff_id = g.volunteer_id

    def work(session):
        done = redemptions.confirm(session, staff_volunteer_id=staff_id, code=body["code"])
        nickname = masked_nickname(session, done.volunteer_id)
        return 200, CONFIRMATION.dump(
            {
                "redemption_id": done.redemption_id,
                "status": done.status,
                "perk": {"id": done.perk_id, "title": done.perk_title},
                "volunteer": {"nickname_masked": nickname},
                "points": done.points,
            }
        )

    return once(f"volunteer:{staff_id}", work)


@blp.route("/redemptions", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, FulfilledPageSchema)
@blp.alt_response(403, description="FORBIDDEN: not staff of any merchant")
def fulfilled(args):
    """List your merchant's fulfilled redemptions, most recent first."""
    merchant = _my_merchant()
    rows = redemption_queries.fulfilled_for_merchant(
        db.session, merchant.id, limit=args["limit"] + 1, after=_after(args["cursor"])
    )
    names = masked_nicknames(redemption.volunteer_id for redemption, _ in rows)
    items = [
        {
            "id": redemption.id,
            "redemption_id": redemption.id,
            "perk": {"id": perk.id, "title": perk.title},
            "points": redemption.points,
            "fulfilled_at": redemption.fulfilled_at,
            "volunteer": {"nickname_masked": names.get(redemption.volunteer_id)},
        }
        for redemption, perk in rows
    ]
    return page(
        items,
        args["limit"],
        key=lambda item: {"at": item["fulfilled_at"].isoformat(), "id": item["id"]},
    )


@blp.route("/summary", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(SummaryArgsSchema, location="query")
@blp.response(200, SummarySchema)
@blp.alt_response(403, description="FORBIDDEN: not staff of any merchant")
def summary(args):
    """Count your merchant's fulfilled redemptions and points in a month (for settlement)."""
    merchant = _my_merchant()
    month = args["month"] or business_time(now()).strftime("%Y-%m")
    year, number = (int(part) for part in month.split("-"))
    if not 2000 <= year <= 9998:
        raise ApiError(422, "VALIDATION_ERROR", "月份超出范围", fields={"month": ["月份超出范围"]})
    return redemption_queries.month_summary(db.session, merchant.id, year, number)


def _my_merchant():
    merchant = merchants.merchant_of(db.session, g.volunteer_id)
    if merchant is None:
        raise NotMerchantStaff()
    return merchant


def _after(cursor: dict | None) -> tuple[datetime, int] | None:
    if cursor is None:
        return None
    try:
        at = datetime.fromisoformat(cursor["at"])
        redemption_id = cursor["id"]
        if at.tzinfo is None or not isinstance(redemption_id, int):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise ApiError(
            422, "VALIDATION_ERROR", "分页游标无效", fields={"cursor": ["分页游标无效"]}
        ) from None
    return at, redemption_id
