"""The perk catalog a volunteer browses."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from core.clock import now
from ledger import queries as ledger_queries
from miniprogram_api.auth import volunteer_required
from miniprogram_api.extensions import db
from miniprogram_api.pagination import cursor_int, page
from miniprogram_api.schemas.rewards import PerkListArgsSchema, PerkPageSchema
from miniprogram_api.views.rewards_common import BEARER
from rewards.perks import queries as perk_queries

blp = Blueprint("perks", __name__, url_prefix="/api/v1", description="Perks for points")


@blp.route("/perks", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(PerkListArgsSchema, location="query")
@blp.response(200, PerkPageSchema)
def list_perks(args):
    """List the perks open for redemption now, newest first.

    ``region_code`` keeps the perks offered in that region, in the regions above it and in
    the regions below it; ``affordable=true`` keeps those within your available points.
    """
    max_cost = None
    if args["affordable"]:
        max_cost = ledger_queries.volunteer_balance(db.session, g.volunteer_id).available
    rows = perk_queries.catalog(
        db.session,
        at=now(),
        limit=args["limit"] + 1,
        after_id=cursor_int(args["cursor"]),
        region_code=args["region_code"],
        max_cost=max_cost,
    )
    items = [perk_item(perk, merchant) for perk, merchant in rows]
    return page(items, args["limit"], key=lambda item: {"id": item["id"]})


def perk_item(perk, merchant) -> dict:
    return {
        "id": perk.id,
        "title": perk.title,
        "description": perk.description,
        "merchant": {"id": merchant.id, "name": merchant.name, "address": merchant.address},
        "cost_points": perk.cost_points,
        "stock_left": perk.stock_left,
        "per_user_limit": perk.per_user_limit,
        "limit_period": perk.limit_period,
        "valid_from": perk.valid_from,
        "valid_until": perk.valid_until,
        "min_star_level": perk.min_star_level,
        "region_code": perk.region_code,
    }
