"""Schemas of the recognition endpoints: ranking, nominations, cases, campaigns."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field
from volunteering.recognition.cases import DECISIONS as CASE_DECISIONS
from volunteering.recognition.models import CASE_STATUSES, NOMINATION_STATUSES
from volunteering.recognition.nominations import DECISIONS as NOMINATION_DECISIONS


def year_field(description: str = "Year (Beijing time)", **kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        validate=validate.Range(min=2020, max=2100, error="年份必须在 2020 到 2100 之间"),
        metadata={"example": 2026, "description": description},
        **kwargs,
    )


class RankingArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = year_field("Defaults to this year", load_default=None)
    region_code = region_code_field(load_default=None)  # inside yours; defaults to yours
    limit = ma.fields.Integer(
        load_default=100, validate=validate.Range(min=1, max=500, error="必须在 1 到 500 之间")
    )


class RankedSchema(ma.Schema):
    rank = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    name_masked = ma.fields.String(allow_none=True)
    region_code = ma.fields.String(allow_none=True)
    region_name = ma.fields.String(allow_none=True)
    minutes = ma.fields.Integer(required=True)
    hours = ma.fields.Float(required=True)
    system_minutes = ma.fields.Integer(required=True)
    manual_minutes = ma.fields.Integer(required=True)
    sessions = ma.fields.Integer(required=True)
    average_rating = ma.fields.Float(
        allow_none=True, metadata={"description": "Organizers' average rating (1-5), 2 decimals"}
    )
    rated_sessions = ma.fields.Integer(required=True)
    nomination_status = ma.fields.String(
        allow_none=True, metadata={"description": "This year's nomination, if any"}
    )


class RankingSchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    region_code = ma.fields.String(required=True)
    campaign = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(RankedSchema), required=True)


class NominationCreateSchema(RequestSchema):
    volunteer_id = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1))
    year = year_field(required=True)
    reason = text_field(1000, required=True)


class NominationReviewSchema(RequestSchema):
    decision = ma.fields.String(
        required=True,
        validate=validate.OneOf(tuple(NOMINATION_DECISIONS), error="必须是 approve 或 reject"),
    )
    note = text_field(500, load_default=None)


class NominationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    volunteer_name_masked = ma.fields.String(allow_none=True)
    year = ma.fields.Integer(required=True)
    region_code = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    campaign = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(NOMINATION_STATUSES)})
    nominated_by = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    reviewed_by = ma.fields.Integer(allow_none=True)
    reviewed_at = ma.fields.AwareDateTime(allow_none=True)
    review_note = ma.fields.String(allow_none=True)


NominationPageSchema = page_schema(NominationSchema, "NominationPage")


class NominationQuerySchema(PageArgsSchema):
    year = year_field(load_default=None)
    status = ma.fields.String(
        load_default=None, validate=validate.OneOf(NOMINATION_STATUSES, error="未知状态")
    )


class CaseCreateSchema(RequestSchema):
    title = text_field(100, required=True)
    description = text_field(5000, required=True)
    project_id = ma.fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**63 - 1)
    )
    region_code = region_code_field(required=True)


class CaseReviewSchema(RequestSchema):
    decision = ma.fields.String(
        required=True,
        validate=validate.OneOf(
            tuple(CASE_DECISIONS), error="必须是 shortlist、reject 或 select 之一"
        ),
    )
    note = text_field(500, load_default=None)


class CaseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    project_id = ma.fields.Integer(allow_none=True)
    region_code = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True, metadata={"description": "The collection's year"})
    campaign = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(CASE_STATUSES)})
    created_at = ma.fields.AwareDateTime(required=True)
    reviewed_at = ma.fields.AwareDateTime(allow_none=True)
    review_note = ma.fields.String(allow_none=True)


CasePageSchema = page_schema(CaseSchema, "CasePage")


class CaseQuerySchema(PageArgsSchema):
    year = year_field(load_default=None)
    status = ma.fields.String(
        load_default=None, validate=validate.OneOf(CASE_STATUSES, error="未知状态")
    )


class CampaignArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = year_field("Defaults to this year", load_default=None)


class CampaignSchema(ma.Schema):
    program = ma.fields.String(required=True, metadata={"example": "volunteers100"})
    name = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    campaign = ma.fields.String(required=True)
    announcing_day = ma.fields.Date(required=True)
    campaign_day_name = ma.fields.String(required=True)
    cap = ma.fields.Integer(required=True)
    used = ma.fields.Integer(required=True, metadata={"description": "Places taken"})


class CampaignListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CampaignSchema), required=True)
