"""The 2027 dashboard and training records (交流培训) as staff see them."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field
from volunteering.trainings.models import AUDIENCES, CATEGORIES, LEVELS
from volunteering.trainings.operations import Cursor

_INVALID_CURSOR = "分页游标无效"

# Trainings


def _training_fields(required: bool) -> dict[str, ma.fields.Field]:
    return {
        "level": ma.fields.String(
            required=required,
            validate=validate.OneOf(LEVELS, error="培训层级只能是 city 或 county"),
            metadata={"description": "city (市级) or county (县级)", "example": "county"},
        ),
        "audience": ma.fields.String(
            required=required,
            validate=validate.OneOf(AUDIENCES, error="培训对象只能是 leaders 或 volunteers"),
            metadata={
                "description": "leaders (志愿服务组织负责人) or volunteers (志愿者)",
                "example": "volunteers",
            },
        ),
        "category": ma.fields.String(
            required=required,
            validate=validate.OneOf(CATEGORIES, error="培训类别无效"),
            metadata={"description": " / ".join(CATEGORIES), "example": CATEGORIES[0]},
        ),
        "title": text_field(100, required=required, metadata={"example": "生态环境志愿者岗前培训"}),
        "held_on": ma.fields.Date(required=required, metadata={"example": "2027-03-05"}),
        # A city code for a city-level training, a county code for a county-level one.
        "region_code": region_code_field(required=required),
        "attendees": ma.fields.Integer(
            strict=True,
            validate=validate.Range(min=0, max=1_000_000, error="参训人数必须在 0 到 1000000 之间"),
            load_default=0 if required else ma.missing,
        ),
        "organizer": text_field(100, min_length=0, load_default="" if required else ma.missing),
    }


TrainingCreateSchema = RequestSchema.from_dict(_training_fields(True), name="TrainingCreate")
TrainingPatchSchema = RequestSchema.from_dict(_training_fields(False), name="TrainingPatch")


class TrainingSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    level = ma.fields.String(required=True)
    audience = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    held_on = ma.fields.Date(required=True)
    region_code = ma.fields.String(required=True)
    attendees = ma.fields.Integer(required=True)
    organizer = ma.fields.String(required=True)
    created_by = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


TrainingPageSchema = page_schema(TrainingSchema, "TrainingPage")


class TrainingListArgsSchema(PageArgsSchema):
    """``?year=`` (held that year), ``?region_code=`` (that subtree of yours), paged by date."""

    year = ma.fields.Integer(validate=validate.Range(min=2000, max=2100, error="年份无效"))
    region_code = region_code_field()

    @ma.post_load
    def _after(self, data, **kwargs):
        cursor = data.pop("cursor", None)
        data["after"] = None
        if cursor is not None:
            try:
                held_on = date.fromisoformat(cursor["d"])
                last_id = cursor["id"]
            except (KeyError, TypeError, ValueError):
                raise ma.ValidationError(_INVALID_CURSOR, "cursor") from None
            if isinstance(last_id, bool) or not isinstance(last_id, int) or not 0 < last_id < 2**63:
                raise ma.ValidationError(_INVALID_CURSOR, "cursor")
            data["after"] = Cursor(held_on, last_id)
        return data


def training_cursor(training) -> dict:
    return {"d": training.held_on.isoformat(), "id": training.id}


# Dashboard


class DashboardRegionRefSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "330100"})
    name = ma.fields.String(required=True, metadata={"example": "杭州市"})


class DashboardProgressSchema(ma.Schema):
    """A value against a target; target, ratio and met are null where the policy sets none."""

    target = ma.fields.Integer(required=True, allow_none=True)
    value = ma.fields.Integer(required=True)
    ratio = ma.fields.Float(
        required=True, allow_none=True, metadata={"description": "value / target, capped at 1"}
    )
    met = ma.fields.Boolean(required=True, allow_none=True)


class DashboardHoursSchema(ma.Schema):
    minutes = ma.fields.Integer(required=True)
    hours = ma.fields.Float(required=True, metadata={"description": "minutes / 60, 2 places"})
    system_minutes = ma.fields.Integer(required=True)
    manual_minutes = ma.fields.Integer(required=True)
    sessions_approved = ma.fields.Integer(required=True)


class DashboardPointsSchema(ma.Schema):
    """All-time flows of points counted in the region.

    Service points count where the service was done, redeemed points at the merchant,
    adjustments and expiries where the volunteer lives. Province-wide, ``outstanding`` equals
    the ledger summary's; a city's may even be negative when its merchants take in more points
    than its stations give out.
    """

    issued = ma.fields.Integer(required=True)
    reversed = ma.fields.Integer(required=True, metadata={"description": "taken back by voids"})
    adjusted = ma.fields.Integer(required=True, metadata={"description": "staff adjustments"})
    redeemed = ma.fields.Integer(required=True)
    expired = ma.fields.Integer(required=True)
    outstanding = ma.fields.Integer(
        required=True, metadata={"description": "issued - reversed + adjusted - redeemed - expired"}
    )


class DashboardStationsSchema(ma.Schema):
    total = ma.fields.Integer(required=True, metadata={"description": "active stations"})
    meeting_all_standards = ma.fields.Integer(required=True)
    ratio = ma.fields.Float(required=True)


class DashboardCountyTrainingSchema(ma.Schema):
    region = ma.fields.Nested(DashboardRegionRefSchema, required=True)
    volunteer_trainings = ma.fields.Integer(required=True)
    met = ma.fields.Boolean(required=True)


class DashboardCityTrainingSchema(ma.Schema):
    """This year: the city's trainings for leaders, and each county's for volunteers."""

    leader_trainings = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null for a county's staff"}
    )
    leaders_met = ma.fields.Boolean(required=True, allow_none=True)
    counties = ma.fields.List(ma.fields.Nested(DashboardCountyTrainingSchema), required=True)
    counties_lacking = ma.fields.List(ma.fields.Nested(DashboardRegionRefSchema), required=True)
    trainings = ma.fields.Integer(required=True)
    attendees = ma.fields.Integer(required=True)
    met = ma.fields.Boolean(required=True)


class DashboardFiguresSchema(ma.Schema):
    region = ma.fields.Nested(DashboardRegionRefSchema, required=True)
    teams = ma.fields.Nested(
        DashboardProgressSchema, required=True, metadata={"description": "target 100 province-wide"}
    )
    volunteers = ma.fields.Nested(
        DashboardProgressSchema,
        required=True,
        metadata={"description": "target 50,000 province-wide"},
    )
    brand_projects = ma.fields.Nested(
        DashboardProgressSchema,
        required=True,
        metadata={
            "description": "per city: brand projects against 1 (the policy's 1-2); overall: "
            "cities with at least one against the number of cities"
        },
    )
    brand_projects_total = ma.fields.Integer(required=True)
    training = ma.fields.Nested(
        DashboardProgressSchema,
        required=True,
        metadata={"description": "cities meeting this year's training requirement"},
    )
    trainings_this_year = ma.fields.Integer(required=True)
    attendees_this_year = ma.fields.Integer(required=True)
    stations = ma.fields.Nested(DashboardStationsSchema, required=True)
    hours_this_year = ma.fields.Nested(DashboardHoursSchema, required=True)
    hours_all_time = ma.fields.Nested(DashboardHoursSchema, required=True)
    points = ma.fields.Nested(DashboardPointsSchema, required=True)


class DashboardCityFiguresSchema(DashboardFiguresSchema):
    training_detail = ma.fields.Nested(DashboardCityTrainingSchema, required=True)


class DashboardSchema(ma.Schema):
    as_of = ma.fields.DateTime(required=True)
    year = ma.fields.Integer(required=True, metadata={"description": "the business year shown"})
    target_year = ma.fields.Integer(required=True, metadata={"example": 2027})
    region = ma.fields.Nested(DashboardRegionRefSchema, required=True)
    overall = ma.fields.Nested(DashboardFiguresSchema, required=True)
    cities = ma.fields.List(ma.fields.Nested(DashboardCityFiguresSchema), required=True)
