"""The admin console's merchants and perk catalog, limited to the staff member's region."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from core import regions
from miniprogram_api.auth import staff_required
from miniprogram_api.errors import ApiError
from miniprogram_api.extensions import db
from miniprogram_api.pagination import PageArgsSchema, cursor_int, page
from miniprogram_api.schemas.admin_rewards import (
    AdminMerchantPageSchema,
    AdminMerchantSchema,
    AdminPerkListArgsSchema,
    AdminPerkPageSchema,
    AdminPerkSchema,
    MerchantCreatedSchema,
    MerchantCreateSchema,
    MerchantPatchSchema,
    PerkAuditListSchema,
    PerkCreateSchema,
    PerkPatchSchema,
    RestockSchema,
)
from miniprogram_api.scoping import visible_merchant
from miniprogram_api.views.rewards_common import (
    ADMINS,
    BEARER,
    OPTIONAL_IDEMPOTENCY,
    READERS,
    masked_nicknames,
    once,
)
from rewards import codes
from rewards.merchants import operations as merchants
from rewards.merchants import queries as merchant_queries
from rewards.merchants.models import Merchant
from rewards.perks import operations as perks
from rewards.perks import queries as perk_queries

blp = Blueprint(
    "admin_rewards",
    __name__,
    url_prefix="/api/v1/admin",
    description="Merchants and perks (admin console)",
)


@blp.route("/merchants", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(MerchantCreateSchema)
@blp.response(201, MerchantCreatedSchema)
@blp.alt_response(403, description="FORBIDDEN: region outside yours")
def create_merchant(body):
    """Register a merchant in your region; hand its bind code to the merchant's staff."""
    g.staff.require_region(body["region_code"])
    merchant = merchants.create_merchant(db.session, staff_id=g.staff.id, **body)
    return _merchant_body(merchant, with_staff=False)


@blp.route("/merchants", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, AdminMerchantPageSchema)
def list_merchants(args):
    """List the merchants in your region, newest first."""
    rows = merchant_queries.admin_list(
        db.session,
        scope_prefix=regions.scope_prefix(g.staff.region_code),
        limit=args["limit"] + 1,
        after_id=cursor_int(args["cursor"]),
    )
    items = [_merchant_body(merchant, with_staff=False) for merchant in rows]
    return page(items, args["limit"], key=lambda item: {"id": item["id"]})


@blp.route("/merchants/<int(max=9223372036854775807):merchant_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, AdminMerchantSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def get_merchant(merchant_id):
    """Show a merchant with its bound staff."""
    return _merchant_body(visible_merchant(merchant_id))


@blp.route("/merchants/<int(max=9223372036854775807):merchant_id>", methods=["PATCH"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(MerchantPatchSchema)
@blp.response(200, AdminMerchantSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def patch_merchant(changes, merchant_id):
    """Rename a merchant, move its address, or (de)activate it."""
    visible_merchant(merchant_id)
    return _merchant_body(merchants.update_merchant(db.session, merchant_id, changes))


@blp.route("/merchants/<int(max=9223372036854775807):merchant_id>/bind-code", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(200, MerchantCreatedSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def reissue_bind_code(merchant_id):
    """Issue a new bind code; the old one stops working (bound staff stay bound)."""
    visible_merchant(merchant_id)
    return _merchant_body(merchants.reissue_bind_code(db.session, merchant_id), with_staff=False)


@blp.route(
    "/merchants/<int(max=9223372036854775807):merchant_id>/staff/<int(max=9223372036854775807):volunteer_id>",
    methods=["DELETE"],
)
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(204)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def unbind_staff(merchant_id, volunteer_id):
    """Remove an account from the merchant's staff."""
    visible_merchant(merchant_id)
    merchants.unbind(db.session, merchant_id=merchant_id, volunteer_id=volunteer_id)
    return None


@blp.route("/perks", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(PerkCreateSchema)
@blp.response(201, AdminPerkSchema)
@blp.alt_response(403, description="FORBIDDEN: region outside yours")
@blp.alt_response(404, description="NOT_FOUND: no such merchant in your region")
def create_perk(body):
    """Add a perk to a merchant's catalog."""
    merchant = visible_merchant(body.pop("merchant_id"))
    if body.get("region_code") is not None:
        g.staff.require_region(body["region_code"])
    stock = body.pop("stock")
    perk = perks.create_perk(
        db.session, merchant_id=merchant.id, stock=stock, staff_id=g.staff.id, **body
    )
    return visible_perk(perk.id)


@blp.route("/perks", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(AdminPerkListArgsSchema, location="query")
@blp.response(200, AdminPerkPageSchema)
def list_perks(args):
    """List the perks of the merchants in your region, inactive ones included."""
    rows = perk_queries.admin_list(
        db.session,
        scope_prefix=regions.scope_prefix(g.staff.region_code),
        limit=args["limit"] + 1,
        after_id=cursor_int(args["cursor"]),
        merchant_id=args["merchant_id"],
    )
    items = [_perk_dict(perk, merchant) for perk, merchant in rows]
    return page(items, args["limit"], key=lambda item: {"id": item["id"]})


@blp.route("/perks/<int(max=9223372036854775807):perk_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, AdminPerkSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def get_perk(perk_id):
    """Show a perk with its stock."""
    return visible_perk(perk_id)


@blp.route("/perks/<int(max=9223372036854775807):perk_id>", methods=["PATCH"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(PerkPatchSchema)
@blp.response(200, AdminPerkSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def patch_perk(changes, perk_id):
    """Change a perk (audited); outstanding codes keep the terms they were issued with."""
    visible_perk(perk_id)
    if "region_code" in changes:
        if changes["region_code"] is None:
            raise ApiError(
                422,
                "VALIDATION_ERROR",
                "region_code 不能为空",
                fields={"region_code": ["不能为空"]},
            )
        g.staff.require_region(changes["region_code"])
    perks.update_perk(db.session, perk_id, changes, staff_id=g.staff.id)
    return visible_perk(perk_id)


@blp.route("/perks/<int(max=9223372036854775807):perk_id>/restock", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER, parameters=[OPTIONAL_IDEMPOTENCY])
@blp.arguments(RestockSchema)
@blp.response(200, AdminPerkSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def restock(body, perk_id):
    """Add units to a perk's stock (audited)."""
    visible_perk(perk_id)
    staff_id = g.staff.id

    def work(session):
        perks.restock(session, perk_id, body["quantity"], staff_id=staff_id)
        return 200, AdminPerkSchema().dump(visible_perk(perk_id))

    return once(f"staff:{staff_id}", work)


@blp.route("/perks/<int(max=9223372036854775807):perk_id>/audit", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, PerkAuditListSchema)
@blp.alt_response(404, description="NOT_FOUND (also outside your region)")
def perk_audit(perk_id):
    """Show who changed what on a perk, newest first."""
    visible_perk(perk_id)
    return {"items": perk_queries.audit_trail(db.session, perk_id)}


def _merchant_body(merchant: Merchant, *, with_staff: bool = True) -> dict:
    body = {
        "id": merchant.id,
        "name": merchant.name,
        "region_code": merchant.region_code,
        "address": merchant.address,
        "bind_code": codes.grouped(merchant.bind_code, 4),
        "active": merchant.active,
        "created_at": merchant.created_at,
    }
    if with_staff:
        rows = merchants.staff_of(db.session, merchant.id)
        names = masked_nicknames(row.volunteer_id for row in rows)
        body["staff"] = [
            {
                "volunteer_id": row.volunteer_id,
                "nickname_masked": names.get(row.volunteer_id),
                "bound_at": row.bound_at,
            }
            for row in rows
        ]
    return body


def visible_perk(perk_id: int) -> dict:
    """Return the perk as the admin sees it, or 404 when missing or outside the region."""
    found = perk_queries.with_merchant(db.session, perk_id)
    if found is None or not g.staff.can_see(found[1].region_code):
        raise ApiError(404, "NOT_FOUND", "未找到该优待服务", perk_id=perk_id)
    return _perk_dict(*found)


def _perk_dict(perk, merchant) -> dict:
    return {
        "id": perk.id,
        "merchant": {"id": merchant.id, "name": merchant.name, "address": merchant.address},
        "title": perk.title,
        "description": perk.description,
        "cost_points": perk.cost_points,
        "stock_total": perk.stock_total,
        "stock_left": perk.stock_left,
        "per_user_limit": perk.per_user_limit,
        "limit_period": perk.limit_period,
        "valid_from": perk.valid_from,
        "valid_until": perk.valid_until,
        "min_star_level": perk.min_star_level,
        "region_code": perk.region_code,
        "active": perk.active,
        "created_at": perk.created_at,
        "updated_at": perk.updated_at,
    }
