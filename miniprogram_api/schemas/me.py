import marshmallow as ma

from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field
from miniprogram_api.schemas.ledger import PointsSchema


class ExpiringSoonSchema(ma.Schema):
    points = ma.fields.Integer(required=True, metadata={"description": "Points that expire"})
    before = ma.fields.AwareDateTime(required=True, metadata={"description": "now + 30 days"})


class MePointsSchema(PointsSchema):
    expiring_soon = ma.fields.Nested(
        ExpiringSoonSchema, metadata={"description": "Points expiring in the next 30 days"}
    )


class HoursSchema(ma.Schema):
    """Recorded service time; redeeming points never changes it."""

    minutes = ma.fields.Integer(required=True, metadata={"description": "system + manual"})
    hours = ma.fields.Float(required=True, metadata={"description": "Hours, 2 decimals"})
    system_minutes = ma.fields.Integer(
        required=True, metadata={"description": "From check-in and check-out"}
    )
    manual_minutes = ma.fields.Integer(
        required=True, metadata={"description": "Entered by staff (补录), reviewed"}
    )


class StarSchema(ma.Schema):
    level = ma.fields.Integer(required=True, metadata={"description": "0 until 100 hours"})
    next_level_minutes = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Minutes still needed for the next level; null at the top"},
    )


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    nickname = ma.fields.String(allow_none=True)
    real_name = ma.fields.String(allow_none=True)
    phone_masked = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "Phone with the middle four digits hidden",
            "example": "138****5678",
        },
    )
    region_code = ma.fields.String(allow_none=True)
    region_name = ma.fields.String(allow_none=True)
    hours = ma.fields.Nested(HoursSchema, required=True)
    points = ma.fields.Nested(
        MePointsSchema, metadata={"description": "available = balance - held"}
    )
    star = ma.fields.Nested(StarSchema, required=True)


class MePatchSchema(RequestSchema):
    nickname = text_field(32, allow_none=True)
    real_name = text_field(32, allow_none=True)
    region_code = region_code_field(allow_none=True)


class PhoneCodeSchema(RequestSchema):
    code = text_field(128, required=True, metadata={"description": "The code from getPhoneNumber"})


class PhoneResultSchema(ma.Schema):
    phone_masked = ma.fields.String(required=True)
