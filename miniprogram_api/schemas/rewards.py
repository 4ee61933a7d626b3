"""Schemas of the volunteer's perk catalog, redemptions and the merchant mode (API.md)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field

REDEMPTION_STATUSES = ["reserved", "fulfilled", "cancelled", "expired"]


class MerchantRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    address = ma.fields.String()


class PerkRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class PerkSchema(ma.Schema):
    """A perk as a volunteer sees it in the catalog."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String()
    merchant = ma.fields.Nested(MerchantRefSchema, required=True)
    cost_points = ma.fields.Integer(required=True)
    stock_left = ma.fields.Integer(required=True, metadata={"description": "0: sold out"})
    per_user_limit = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: no limit"}
    )
    limit_period = ma.fields.String(
        metadata={"enum": ["lifetime", "month"], "description": "month: per calendar month"}
    )
    valid_from = ma.fields.AwareDateTime(required=True, allow_none=True)
    valid_until = ma.fields.AwareDateTime(required=True, allow_none=True)
    min_star_level = ma.fields.Integer(required=True)
    region_code = ma.fields.String()


PerkPageSchema = page_schema(PerkSchema, "PerkPage")


class PerkListArgsSchema(PageArgsSchema):
    # Perks offered in this region, in the regions above it and in the regions below it.
    region_code = region_code_field(load_default=None)
    affordable = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "true: only perks costing at most your available points"},
    )


class ReserveSchema(RequestSchema):
    perk_id = ma.fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**63 - 1)
    )


class ReservationSchema(ma.Schema):
    redemption_id = ma.fields.Integer(required=True)
    code = ma.fields.String(
        required=True,
        metadata={
            "description": "One-time code to show (also as a QR) at the merchant",
            "example": "7KX3M-QP9RT",
        },
    )
    expires_at = ma.fields.AwareDateTime(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["reserved"]})
    points_held = ma.fields.Integer(required=True)
    perk = ma.fields.Nested(PerkRefSchema)


class RedemptionSchema(ma.Schema):
    """A volunteer's redemption with its current status."""

    id = ma.fields.Integer(required=True)
    redemption_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": REDEMPTION_STATUSES})
    code = ma.fields.String(required=True)
    points = ma.fields.Integer(required=True)
    points_held = ma.fields.Integer(
        required=True, metadata={"description": "Points still held (0 once resolved)"}
    )
    perk = ma.fields.Nested(PerkRefSchema, required=True)
    merchant_id = ma.fields.Integer(required=True)
    expires_at = ma.fields.AwareDateTime(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    fulfilled_at = ma.fields.AwareDateTime(allow_none=True)


RedemptionPageSchema = page_schema(RedemptionSchema, "RedemptionPage")


class BindSchema(RequestSchema):
    bind_code = text_field(
        32, required=True, metadata={"description": "The code the admin gave the merchant"}
    )


class BoundMerchantSchema(ma.Schema):
    merchant = ma.fields.Nested(MerchantRefSchema, required=True)


class ConfirmSchema(RequestSchema):
    code = text_field(
        64, required=True, metadata={"description": "The volunteer's code, with or without '-'"}
    )


class MaskedVolunteerSchema(ma.Schema):
    nickname_masked = ma.fields.String(required=True, allow_none=True)


class ConfirmationSchema(ma.Schema):
    redemption_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["fulfilled"]})
    perk = ma.fields.Nested(PerkRefSchema, required=True)
    volunteer = ma.fields.Nested(MaskedVolunteerSchema, required=True)
    points = ma.fields.Integer(required=True)


class FulfilledSchema(ma.Schema):
    """One of the merchant's fulfilled redemptions (for settlement)."""

    id = ma.fields.Integer(required=True)
    redemption_id = ma.fields.Integer(required=True)
    perk = ma.fields.Nested(PerkRefSchema, required=True)
    points = ma.fields.Integer(required=True)
    fulfilled_at = ma.fields.AwareDateTime(required=True)
    volunteer = ma.fields.Nested(MaskedVolunteerSchema, required=True)


FulfilledPageSchema = page_schema(FulfilledSchema, "MerchantRedemptionPage")


class SummaryArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    month = ma.fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="月份格式应为 YYYY-MM"),
        metadata={"description": "YYYY-MM (Asia/Shanghai); default: this month"},
    )


class SummarySchema(ma.Schema):
    month = ma.fields.String(required=True)
    fulfilled = ma.fields.Integer(required=True)
    points = ma.fields.Integer(required=True)
