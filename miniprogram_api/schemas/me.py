import marshmallow as ma

from core import regions
from core.masking import mask_phone
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    nickname = ma.fields.String(allow_none=True)
    real_name = ma.fields.String(allow_none=True)
    phone_masked = ma.fields.Function(
        lambda volunteer: mask_phone(volunteer.phone),
        metadata={
            "description": "Phone with the middle four digits hidden",
            "example": "138****5678",
        },
    )
    region_code = ma.fields.String(allow_none=True)
    region_name = ma.fields.Function(
        lambda volunteer: regions.get(volunteer.region_code).full_name
        if volunteer.region_code
        else None
    )


class MePatchSchema(RequestSchema):
    nickname = text_field(32, allow_none=True)
    real_name = text_field(32, allow_none=True)
    region_code = region_code_field(allow_none=True)


class PhoneCodeSchema(RequestSchema):
    code = text_field(128, required=True, metadata={"description": "The code from getPhoneNumber"})


class PhoneResultSchema(ma.Schema):
    phone_masked = ma.fields.String(required=True)
