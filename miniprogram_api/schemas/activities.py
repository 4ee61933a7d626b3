"""Teams, projects, activities and sign-ups, for staff and for volunteers."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import validate

from core import regions
from core.clock import BUSINESS_TZ
from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field
from miniprogram_api.schemas.stations import IdPageArgsSchema, id_field
from volunteering.activities.models import ACTIVITY_STATUSES, MEMBER_ROLES, TEAM_KINDS

_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def time_field(**kwargs) -> ma.fields.AwareDateTime:
    """An RFC 3339 time; one written without an offset is read as Zhejiang time."""
    metadata = {"example": "2026-06-05T09:00:00+08:00", **kwargs.pop("metadata", {})}
    return ma.fields.AwareDateTime(
        default_timezone=BUSINESS_TZ,
        validate=validate.Range(min=_EARLIEST, max=_LATEST, error="时间超出有效范围"),
        metadata=metadata,
        **kwargs,
    )


def _region_name(obj) -> str:
    return regions.get(obj.region_code).full_name


# Teams


class TeamCreateSchema(RequestSchema):
    name = text_field(100, required=True)
    kind = ma.fields.String(
        required=True,
        validate=validate.OneOf(TEAM_KINDS, error="队伍类型必须是：" + "、".join(TEAM_KINDS)),
    )
    region_code = region_code_field(required=True)
    description = text_field(1000, min_length=0, load_default="")


class TeamSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    region_code = ma.fields.String(required=True)
    region_name = ma.fields.Function(_region_name)
    description = ma.fields.String()
    created_at = ma.fields.DateTime()


TeamPageSchema = page_schema(TeamSchema, "TeamPage")


class TeamListArgsSchema(IdPageArgsSchema):
    region_code = region_code_field()
    kind = ma.fields.String(validate=validate.OneOf(TEAM_KINDS))


class TeamMemberCreateSchema(RequestSchema):
    volunteer_id = id_field(required=True)
    role = ma.fields.String(
        load_default="member",
        validate=validate.OneOf(MEMBER_ROLES, error="角色必须是 member 或 leader"),
    )


class TeamMemberSchema(ma.Schema):
    team_id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    role = ma.fields.String(required=True)
    joined_at = ma.fields.DateTime()


class TeamMemberListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TeamMemberSchema), required=True)


# Projects (项目库)


class ProjectCreateSchema(RequestSchema):
    title = text_field(100, required=True)
    region_code = region_code_field(required=True)
    team_id = id_field(allow_none=True, load_default=None)
    description = text_field(2000, min_length=0, load_default="")
    is_brand = ma.fields.Boolean(
        load_default=False, metadata={"description": "A brand project (品牌项目)"}
    )


class ProjectPatchSchema(RequestSchema):
    title = text_field(100)
    team_id = id_field(allow_none=True)
    description = text_field(2000, min_length=0, allow_none=True)
    is_brand = ma.fields.Boolean()


class ProjectSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    region_code = ma.fields.String(required=True)
    region_name = ma.fields.Function(_region_name)
    team_id = ma.fields.Integer(allow_none=True)
    description = ma.fields.String()
    is_brand = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


ProjectPageSchema = page_schema(ProjectSchema, "ProjectPage")


class ProjectListArgsSchema(IdPageArgsSchema):
    region_code = region_code_field()
    is_brand = ma.fields.Boolean()


# Activities


class ActivityCreateSchema(RequestSchema):
    title = text_field(100, required=True)
    station_id = id_field(required=True)
    starts_at = time_field(required=True)
    ends_at = time_field(required=True)
    capacity = ma.fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=100_000, error="名额必须在 1 到 100000 之间"),
    )
    signup_required = ma.fields.Boolean(
        required=True, metadata={"description": "Check-in needs a sign-up while it runs"}
    )
    project_id = id_field(allow_none=True, load_default=None)
    signup_deadline = time_field(
        allow_none=True,
        load_default=None,
        metadata={"description": "Defaults to starts_at; at latest ends_at"},
    )
    description = text_field(2000, min_length=0, load_default="")


class ActivityStationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class ActivitySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    station_id = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(allow_none=True)
    region_code = ma.fields.String(required=True)
    region_name = ma.fields.Function(_region_name)
    description = ma.fields.String()
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    signup_deadline = ma.fields.DateTime(required=True)
    capacity = ma.fields.Integer(required=True)
    signup_count = ma.fields.Integer(required=True)
    places_left = ma.fields.Integer()
    signup_required = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(ACTIVITY_STATUSES)})
    created_at = ma.fields.DateTime()


ActivityPageSchema = page_schema(ActivitySchema, "ActivityPage")


class VolunteerActivitySchema(ActivitySchema):
    """An activity as a volunteer sees it: the station's name and their own sign-up."""

    station = ma.fields.Nested(ActivityStationSchema)
    signed_up = ma.fields.Boolean(required=True)


VolunteerActivityPageSchema = page_schema(VolunteerActivitySchema, "VolunteerActivityPage")


class TimePageArgsSchema(PageArgsSchema):
    """Paging by start time then id; ``from``/``to`` keep activities that overlap them."""

    station_id = id_field(strict=False)
    start_from = time_field(data_key="from", metadata={"description": "Ends at or after this"})
    until = time_field(data_key="to", metadata={"description": "Starts at or before this"})

    @ma.post_load
    def _after(self, data, **kwargs):
        cursor = data.pop("cursor", None)
        data["after"] = None
        if cursor is not None:
            try:
                starts = datetime.fromisoformat(cursor["s"])
                last_id = cursor["id"]
            except (KeyError, TypeError, ValueError):
                raise ma.ValidationError("分页游标无效", "cursor") from None
            valid_id = isinstance(last_id, int) and not isinstance(last_id, bool)
            if starts.tzinfo is None or not valid_id or not 0 < last_id < 2**63:
                raise ma.ValidationError("分页游标无效", "cursor")
            data["after"] = (starts, last_id)
        return data


class AdminActivityListArgsSchema(TimePageArgsSchema):
    status = ma.fields.String(validate=validate.OneOf(ACTIVITY_STATUSES))


def time_cursor(activity) -> dict:
    return {"s": activity.starts_at.isoformat(), "id": activity.id}


# Sign-ups


class SignupSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    activity_id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"enum": ["active", "cancelled"]})
    created_at = ma.fields.DateTime()
    signup_count = ma.fields.Integer(metadata={"description": "The activity's sign-ups now"})
    capacity = ma.fields.Integer()
