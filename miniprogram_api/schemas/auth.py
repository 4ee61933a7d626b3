import marshmallow as ma

from miniprogram_api.schemas.common import RequestSchema, text_field


class WechatLoginSchema(RequestSchema):
    code = text_field(128, required=True, metadata={"description": "The code from wx.login()"})


class StaffLoginSchema(RequestSchema):
    username = text_field(64, required=True)
    password = text_field(256, required=True, load_only=True)


class TokenPairSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(
        required=True, metadata={"description": "Access token lifetime in seconds"}
    )


class VolunteerRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    is_new = ma.fields.Boolean(required=True)


class WechatLoginResultSchema(TokenPairSchema):
    volunteer = ma.fields.Nested(VolunteerRefSchema, required=True)


class StaffRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    username = ma.fields.String()
    roles = ma.fields.List(ma.fields.String(), required=True)
    region_code = ma.fields.String(required=True)


class StaffLoginResultSchema(TokenPairSchema):
    staff = ma.fields.Nested(StaffRefSchema, required=True)


class RefreshResultSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    expires_in = ma.fields.Integer(required=True)
