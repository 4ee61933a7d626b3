"""Schemas of check-in, check-out, the session record and its review."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, text_field
from volunteering.sessions.models import SESSION_STATUSES


class ScanSchema(RequestSchema):
    """What the mini-program sends after scanning a station's code."""

    scene = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=32, error="二维码内容长度必须在 1 到 32 之间"),
        metadata={"description": "The scene from the QR code, unchanged"},
    )
    lat = ma.fields.Float(
        required=True,
        validate=validate.Range(min=-90, max=90, error="纬度必须在 -90 到 90 之间"),
        metadata={"description": "GCJ-02 latitude"},
    )
    lng = ma.fields.Float(
        required=True,
        validate=validate.Range(min=-180, max=180, error="经度必须在 -180 到 180 之间"),
        metadata={"description": "GCJ-02 longitude"},
    )
    accuracy_m = ma.fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=100_000, error="定位精度必须在 0 到 100000 米之间"),
    )


class StationRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class CheckinResultSchema(ma.Schema):
    session_id = ma.fields.Integer(required=True)
    station = ma.fields.Nested(StationRefSchema, required=True)
    activity_id = ma.fields.Integer(required=True, allow_none=True)
    checked_in_at = ma.fields.AwareDateTime(required=True)
    status = ma.fields.String(required=True, metadata={"example": "open"})


class SessionSchema(ma.Schema):
    session_id = ma.fields.Integer(required=True)
    station = ma.fields.Nested(StationRefSchema, required=True)
    activity_id = ma.fields.Integer(allow_none=True)
    checked_in_at = ma.fields.AwareDateTime(required=True)
    checked_out_at = ma.fields.AwareDateTime(allow_none=True)
    minutes = ma.fields.Integer(
        allow_none=True, metadata={"description": "Credited minutes once approved, else measured"}
    )
    hours = ma.fields.Float(allow_none=True, metadata={"description": "Hours, 2 decimals"})
    status = ma.fields.String(required=True, metadata={"enum": list(SESSION_STATUSES)})
    points_awarded = ma.fields.Integer(required=True)
    review_reasons = ma.fields.List(ma.fields.String(), required=True)
    review_reasons_text = ma.fields.List(ma.fields.String(), metadata={"description": "中文说明"})
    review_note = ma.fields.String(allow_none=True)
    volunteer_rating = ma.fields.Integer(allow_none=True)
    organizer_rating = ma.fields.Integer(allow_none=True)


class AdminSessionSchema(SessionSchema):
    volunteer = ma.fields.Dict(metadata={"description": "id and masked name"})
    region_code = ma.fields.String()
    measured_minutes = ma.fields.Integer(allow_none=True)
    checkin_distance_m = ma.fields.Integer()
    checkout_distance_m = ma.fields.Integer(allow_none=True)
    checkout_accuracy_m = ma.fields.Float(allow_none=True)


SessionPageSchema = page_schema(SessionSchema, "SessionPage")
AdminSessionPageSchema = page_schema(AdminSessionSchema, "AdminSessionPage")


class AdminSessionQuerySchema(PageArgsSchema):
    status = ma.fields.String(
        load_default=None, validate=validate.OneOf(SESSION_STATUSES, error="未知状态")
    )
    station_id = ma.fields.Integer(load_default=None)


class ApproveSchema(RequestSchema):
    minutes = ma.fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=1440, error="分钟数必须在 0 到 1440 之间"),
        metadata={"description": "Corrected minutes; omit to credit the measured ones"},
    )
    note = text_field(500, load_default=None)


class ReasonSchema(RequestSchema):
    reason = text_field(500, required=True)


class EvaluationSchema(RequestSchema):
    rating = ma.fields.Integer(
        required=True, validate=validate.Range(min=1, max=5, error="评分必须在 1 到 5 之间")
    )
    comment = text_field(500, load_default=None)
