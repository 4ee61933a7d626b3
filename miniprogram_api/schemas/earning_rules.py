import marshmallow as ma
from marshmallow import validate

from miniprogram_api.schemas.common import RequestSchema


class CampaignDaySchema(RequestSchema):
    date = ma.fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{2}-\d{2}$", error="日期格式必须是 MM-DD"),
        metadata={"example": "06-05"},
    )
    multiplier = ma.fields.Float(
        required=True, validate=validate.Range(min=1, max=10, error="倍数必须在 1 到 10 之间")
    )
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=32))


class EarningRulesUpdateSchema(RequestSchema):
    """Any subset of the rules; the rest keep the values in force (own or inherited)."""

    points_per_hour = ma.fields.Integer()
    daily_cap_points = ma.fields.Integer()
    max_session_minutes = ma.fields.Integer()
    min_session_minutes = ma.fields.Integer()
    campaign_days = ma.fields.List(
        ma.fields.Nested(CampaignDaySchema), validate=validate.Length(max=366)
    )
    star_thresholds_hours = ma.fields.List(
        ma.fields.Integer(), validate=validate.Length(min=1, max=20)
    )
    points_expire_after_days = ma.fields.Integer()
    manual_hours_earn_points = ma.fields.Boolean()
    max_accuracy_m = ma.fields.Integer()


class EarningRulesSchema(ma.Schema):
    region_code = ma.fields.String(required=True)
    inherited_from = ma.fields.String(
        required=True, metadata={"description": "Region whose rules apply, or 'defaults'"}
    )
    points_per_hour = ma.fields.Integer(required=True)
    daily_cap_points = ma.fields.Integer(required=True)
    max_session_minutes = ma.fields.Integer(required=True)
    min_session_minutes = ma.fields.Integer(required=True)
    campaign_days = ma.fields.List(ma.fields.Nested(CampaignDaySchema), required=True)
    star_thresholds_hours = ma.fields.List(ma.fields.Integer(), required=True)
    points_expire_after_days = ma.fields.Integer(required=True)
    manual_hours_earn_points = ma.fields.Boolean(required=True)
    max_accuracy_m = ma.fields.Integer(required=True)
