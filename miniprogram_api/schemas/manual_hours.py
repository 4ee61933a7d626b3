import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, text_field
from volunteering.sessions.models import MANUAL_HOURS_STATUSES


class ManualHoursCreateSchema(RequestSchema):
    volunteer_id = ma.fields.Integer(required=True, validate=validate.Range(min=1))
    service_date = ma.fields.Date(required=True, metadata={"example": "2026-11-28"})
    minutes = ma.fields.Integer(
        required=True, validate=validate.Range(min=1, max=1440, error="分钟数必须在 1 到 1440 之间")
    )
    reason = text_field(500, required=True, metadata={"description": "Why check-in missed it"})


class ManualHoursSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    region_code = ma.fields.String(required=True)
    service_date = ma.fields.Date(required=True)
    minutes = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(MANUAL_HOURS_STATUSES)})
    points_awarded = ma.fields.Integer(required=True)
    created_by = ma.fields.Integer(required=True)
    reviewed_by = ma.fields.Integer(allow_none=True)
    review_note = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


ManualHoursPageSchema = page_schema(ManualHoursSchema, "ManualHoursPage")


class ManualHoursQuerySchema(PageArgsSchema):
    status = ma.fields.String(
        load_default=None, validate=validate.OneOf(MANUAL_HOURS_STATUSES, error="未知状态")
    )
