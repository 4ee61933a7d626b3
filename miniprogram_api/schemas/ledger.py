"""Schemas of the points ledger endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import page_schema
from miniprogram_api.schemas.common import RequestSchema, text_field

# Well above any real correction; a typo of a few extra zeros should not mint a fortune.
MAX_ADJUSTMENT = 1_000_000


class PointsSchema(ma.Schema):
    """The ``points`` block of /me: ``available = balance - held``."""

    balance = ma.fields.Integer(required=True)
    available = ma.fields.Integer(required=True)
    held = ma.fields.Integer(required=True, metadata={"description": "Reserved by redemptions"})


class LedgerEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    amount = ma.fields.Integer(required=True, metadata={"description": "Signed points"})
    kind = ma.fields.String(
        required=True,
        metadata={"description": "earn, redeem, expire, reversal, adjustment, transfer"},
    )
    memo = ma.fields.String(required=True)
    balance_after = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


LedgerPageSchema = page_schema(LedgerEntrySchema, "LedgerPage")


class AdjustmentSchema(RequestSchema):
    volunteer_id = ma.fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**63 - 1)
    )
    amount = ma.fields.Integer(
        required=True,
        strict=True,
        validate=[
            validate.Range(min=-MAX_ADJUSTMENT, max=MAX_ADJUSTMENT),
            validate.NoneOf([0], error="调整数额不能为 0"),
        ],
        metadata={"description": "Signed points: positive credits, negative debits"},
    )
    reason = text_field(255, required=True, metadata={"description": "Why (kept as the memo)"})


class AdjustmentResultSchema(LedgerEntrySchema):
    transaction_id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)


class LedgerSummarySchema(ma.Schema):
    issued = ma.fields.Integer(required=True, metadata={"description": "Earned, net of reversals"})
    redeemed = ma.fields.Integer(required=True, metadata={"description": "Paid to merchants"})
    expired = ma.fields.Integer(required=True)
    held = ma.fields.Integer(required=True, metadata={"description": "Reserved, not yet paid"})
    outstanding = ma.fields.Integer(required=True, metadata={"description": "In volunteers' hands"})
    adjusted = ma.fields.Integer(required=True, metadata={"description": "Net staff corrections"})
    sum_of_all_accounts = ma.fields.Integer(
        required=True, metadata={"description": "Always 0: every transaction sums to zero"}
    )
