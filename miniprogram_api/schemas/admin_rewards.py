"""Schemas of the admin console's merchants and perks."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field
from miniprogram_api.schemas.rewards import MerchantRefSchema

MAX_POINTS = 1_000_000
MAX_STOCK = 1_000_000
_ID = validate.Range(min=1, max=2**63 - 1)


def _time_field(**kwargs) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(
        error_messages={
            "invalid": "不是有效的时间（RFC 3339）",
            "invalid_awareness": "时间必须带时区偏移，例如 2027-01-01T00:00:00+08:00",
        },
        **kwargs,
    )


class MerchantCreateSchema(RequestSchema):
    name = text_field(100, required=True)
    region_code = region_code_field(required=True)
    address = text_field(255, min_length=0, load_default="")


class MerchantPatchSchema(RequestSchema):
    name = text_field(100)
    address = text_field(255, min_length=0)
    active = ma.fields.Boolean()


class MerchantStaffSchema(ma.Schema):
    volunteer_id = ma.fields.Integer(required=True)
    nickname_masked = ma.fields.String(allow_none=True)
    bound_at = ma.fields.AwareDateTime(required=True)


class AdminMerchantSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    region_code = ma.fields.String(required=True)
    address = ma.fields.String(required=True)
    bind_code = ma.fields.String(
        required=True, metadata={"description": "Give it to the merchant's staff to bind"}
    )
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    staff = ma.fields.List(ma.fields.Nested(MerchantStaffSchema))


AdminMerchantPageSchema = page_schema(AdminMerchantSchema, "AdminMerchantPage")


class MerchantCreatedSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    bind_code = ma.fields.String(required=True)
    name = ma.fields.String()
    region_code = ma.fields.String()


class AdminPerkListArgsSchema(PageArgsSchema):
    merchant_id = ma.fields.Integer(load_default=None, validate=_ID)


class _PerkFields(RequestSchema):
    title = text_field(100)
    description = text_field(2000, min_length=0)
    cost_points = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_POINTS))
    per_user_limit = ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "Units one volunteer may redeem; null: no limit"},
    )
    limit_period = ma.fields.String(
        validate=validate.OneOf(["lifetime", "month"]),
        metadata={"description": "lifetime (default) or month (per calendar month)"},
    )
    valid_from = _time_field(allow_none=True)
    valid_until = _time_field(allow_none=True)
    min_star_level = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=10))
    # Where the perk is offered; default: the merchant's region.
    region_code = region_code_field()
    active = ma.fields.Boolean()


class PerkCreateSchema(_PerkFields):
    merchant_id = ma.fields.Integer(required=True, strict=True, validate=_ID)
    title = text_field(100, required=True)
    cost_points = ma.fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_POINTS)
    )
    stock = ma.fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_STOCK)
    )
    per_user_limit = ma.fields.Integer(
        strict=True, allow_none=True, load_default=1, validate=validate.Range(min=1, max=1000)
    )


class PerkPatchSchema(_PerkFields):
    """Any editable field; stock changes only through restock."""


class RestockSchema(RequestSchema):
    quantity = ma.fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_STOCK)
    )


class AdminPerkSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    merchant = ma.fields.Nested(MerchantRefSchema, required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    cost_points = ma.fields.Integer(required=True)
    stock_total = ma.fields.Integer(required=True)
    stock_left = ma.fields.Integer(required=True)
    per_user_limit = ma.fields.Integer(required=True, allow_none=True)
    limit_period = ma.fields.String(required=True)
    valid_from = ma.fields.AwareDateTime(required=True, allow_none=True)
    valid_until = ma.fields.AwareDateTime(required=True, allow_none=True)
    min_star_level = ma.fields.Integer(required=True)
    region_code = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


AdminPerkPageSchema = page_schema(AdminPerkSchema, "AdminPerkPage")


class PerkAuditSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    staff_id = ma.fields.Integer(required=True, allow_none=True)
    action = ma.fields.String(required=True, metadata={"enum": ["create", "update", "restock"]})
    changes = ma.fields.Dict(required=True, metadata={"description": "field → [old, new]"})
    at = ma.fields.AwareDateTime(required=True)


class PerkAuditListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PerkAuditSchema), required=True)
