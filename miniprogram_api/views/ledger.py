"""The points ledger over HTTP: a volunteer's history, staff adjustments and the summary."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select

from core import regions
from core.clock import business_time
from identity.models import Volunteer
from ledger import accounts, operations, queries
from miniprogram_api.auth import staff_required, volunteer_required
from miniprogram_api.extensions import db
from miniprogram_api.idempotency import IDEMPOTENCY_PARAMETER, run_idempotent
from miniprogram_api.pagination import PageArgsSchema, cursor_int, page
from miniprogram_api.schemas.ledger import (
    AdjustmentResultSchema,
    AdjustmentSchema,
    LedgerPageSchema,
    LedgerSummarySchema,
)
from miniprogram_api.scoping import visible_volunteer
from stats import metrics, rollups

blp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="The points ledger")
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")


@blp.route("/me/ledger", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, LedgerPageSchema)
def my_ledger(args):
    """List the signed-in volunteer's point entries, newest first."""
    before = cursor_int(args["cursor"], "v")
    items = queries.history(
        db.session,
        accounts.volunteer_code(g.volunteer_id),
        limit=args["limit"] + 1,
        before_version=before,
    )
    return page(items, args["limit"], key=lambda item: {"v": item.version})


@blp.route("/admin/ledger/adjustments", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_PARAMETER])
@blp.arguments(AdjustmentSchema)
@blp.response(201, AdjustmentResultSchema)
@blp.alt_response(404, description="NOT_FOUND: no such volunteer in your region")
@blp.alt_response(409, description="INSUFFICIENT_POINTS or IDEMPOTENCY_KEY_IN_USE")
@blp.alt_response(422, description="VALIDATION_ERROR or IDEMPOTENCY_KEY_REUSED")
def adjust(body):
    """Credit or debit a volunteer's points by hand, with a reason (idempotent)."""
    volunteer = visible_volunteer(body["volunteer_id"])
    volunteer_id, region = volunteer.id, volunteer.region_code or regions.PROVINCE_CODE
    staff_id = g.staff.id

    def work(session):
        posted = operations.adjust(
            session,
            volunteer_id,
            body["amount"],
            reason=body["reason"],
            meta={"staff_id": staff_id},
        )
        entry = posted.entries[accounts.volunteer_code(volunteer_id)]
        day = business_time(entry.created_at).date()
        rollups.add(session, region, day, **{metrics.POINTS_ADJUSTED: entry.amount})
        result = {
            "id": entry.id,
            "amount": entry.amount,
            "kind": posted.kind,
            "memo": posted.memo,
            "balance_after": entry.balance_after,
            "created_at": entry.created_at,
            "transaction_id": posted.transaction_id,
            "volunteer_id": volunteer_id,
        }
        return 201, AdjustmentResultSchema().dump(result)

    return run_idempotent(f"staff:{staff_id}", work)


@blp.route("/admin/ledger/summary", methods=["GET"])
@staff_required(*ADMINS, "auditor")
@blp.doc(security=BEARER)
@blp.response(200, LedgerSummarySchema)
def summary():
    """Report points issued, redeemed, expired, held and outstanding in your region."""
    if g.staff.region_code == regions.PROVINCE_CODE:
        return queries.summary(db.session)
    prefix = regions.scope_prefix(g.staff.region_code)
    in_region = select(Volunteer.id).where(Volunteer.region_code.startswith(prefix))
    return queries.summary(db.session, in_region)
