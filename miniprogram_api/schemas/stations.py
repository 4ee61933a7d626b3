"""Stations as staff edit them and as volunteers find them nearby; QR code answers."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from core import regions
from miniprogram_api.pagination import PageArgsSchema, page_schema
from miniprogram_api.schemas.common import RequestSchema, region_code_field, text_field
from volunteering.stations.models import STATION_KINDS

MAX_ID = 2**63 - 1
NEARBY_DEFAULT_RADIUS_M = 5000
NEARBY_MAX_RADIUS_M = 50000


def id_field(*, strict: bool = True, **kwargs) -> ma.fields.Integer:
    """An id: a positive BIGINT, never a database overflow. Query strings need strict=False."""
    return ma.fields.Integer(
        strict=strict,
        validate=validate.Range(min=1, max=MAX_ID, error="不是有效的编号"),
        **kwargs,
    )


def lat_field(**kwargs) -> ma.fields.Float:
    return ma.fields.Float(
        validate=validate.Range(min=-90, max=90, error="纬度必须在 -90 到 90 之间"),
        metadata={"description": "GCJ-02 latitude", "example": 30.2592},
        **kwargs,
    )


def lng_field(**kwargs) -> ma.fields.Float:
    return ma.fields.Float(
        validate=validate.Range(min=-180, max=180, error="经度必须在 -180 到 180 之间"),
        metadata={"description": "GCJ-02 longitude", "example": 120.1303},
        **kwargs,
    )


def _cursor_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise ma.ValidationError("分页游标无效", "cursor")
    return value


class IdPageArgsSchema(PageArgsSchema):
    """Paging newest first by id: the cursor loads as ``after_id``."""

    @ma.post_load
    def _after_id(self, data, **kwargs):
        cursor = data.pop("cursor", None)
        data["after_id"] = None if cursor is None else _cursor_id(cursor.get("id"))
        return data


class StandardsSchema(RequestSchema):
    """The six standards of 站点标准化建设; a missing one counts as not met."""

    venue = ma.fields.Boolean(metadata={"description": "有场所"})
    team = ma.fields.Boolean(metadata={"description": "有队伍"})
    project = ma.fields.Boolean(metadata={"description": "有项目"})
    facilities = ma.fields.Boolean(metadata={"description": "有设施"})
    rules = ma.fields.Boolean(metadata={"description": "有制度"})
    signage = ma.fields.Boolean(metadata={"description": "有标识"})


class StationCreateSchema(RequestSchema):
    name = text_field(100, required=True)
    region_code = region_code_field(required=True)
    address = text_field(255, min_length=0, load_default="")
    lat = lat_field(required=True)
    lng = lng_field(required=True)
    radius_m = ma.fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=10, max=5000, error="签到半径必须在 10 到 5000 米之间"),
        metadata={"description": "Geofence radius in metres"},
    )
    kind = ma.fields.String(
        required=True,
        validate=validate.OneOf(STATION_KINDS, error="站点类型必须是：" + "、".join(STATION_KINDS)),
    )
    standards = ma.fields.Nested(StandardsSchema, load_default=dict)
    is_active = ma.fields.Boolean(load_default=True)
    qr_dynamic = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Show a code that changes every minute on a screen"},
    )


class StationPatchSchema(StationCreateSchema):
    """Every field optional; ``standards`` may name only the ones that change."""

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = False
        field_obj.load_default = ma.missing


class StationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    region_code = ma.fields.String(required=True)
    region_name = ma.fields.Function(lambda s: regions.get(s.region_code).full_name)
    address = ma.fields.String()
    kind = ma.fields.String()
    lat = ma.fields.Float()
    lng = ma.fields.Float()
    radius_m = ma.fields.Integer()
    standards = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean())
    meets_all_standards = ma.fields.Boolean()
    is_active = ma.fields.Boolean()
    qr_dynamic = ma.fields.Boolean()
    qr_version = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


StationPageSchema = page_schema(StationSchema, "StationPage")


class StationListArgsSchema(IdPageArgsSchema):
    region_code = region_code_field()
    active = ma.fields.Boolean()
    meets_all_standards = ma.fields.Boolean()


class ManagersSchema(RequestSchema):
    staff_ids = ma.fields.List(
        id_field(),
        required=True,
        validate=validate.Length(max=50, error="一个站点最多 50 名管理员"),
        metadata={"description": "Staff ids with the station_manager role"},
    )


class QrCodeSchema(ma.Schema):
    scene = ma.fields.String(required=True, metadata={"description": "At most 32 characters"})
    page = ma.fields.String(required=True, metadata={"example": "pages/checkin/checkin"})
    version = ma.fields.Integer(required=True, metadata={"description": "The QR key version"})
    dynamic = ma.fields.Boolean(required=True)
    expires_at = ma.fields.DateTime(
        metadata={"description": "Dynamic stations only: the scene is refused from then on"}
    )
    refresh_at = ma.fields.DateTime(
        metadata={"description": "Dynamic stations only: when the screen should fetch anew"}
    )


class NearbyArgsSchema(PageArgsSchema):
    lat = lat_field(required=True)
    lng = lng_field(required=True)
    radius_m = ma.fields.Integer(
        load_default=NEARBY_DEFAULT_RADIUS_M,
        validate=validate.Range(
            min=1,
            max=NEARBY_MAX_RADIUS_M,
            error=f"搜索半径必须在 1 到 {NEARBY_MAX_RADIUS_M} 米之间",
        ),
    )

    @ma.post_load
    def _after(self, data, **kwargs):
        """The cursor names the last station shown by its distance and id."""
        cursor = data.pop("cursor", None)
        data["after"] = None
        if cursor is not None:
            distance = cursor.get("d")
            if isinstance(distance, bool) or not isinstance(distance, int | float):
                raise ma.ValidationError("分页游标无效", "cursor")
            data["after"] = (float(distance), _cursor_id(cursor.get("id")))
        return data


class NearbyStationSchema(ma.Schema):
    """What a volunteer sees of a station: no QR or management fields."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    region_code = ma.fields.String()
    region_name = ma.fields.String()
    address = ma.fields.String()
    kind = ma.fields.String()
    lat = ma.fields.Float()
    lng = ma.fields.Float()
    radius_m = ma.fields.Integer(metadata={"description": "Check-in is allowed within it"})
    standards = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean())
    meets_all_standards = ma.fields.Boolean()
    distance_m = ma.fields.Integer(
        required=True, metadata={"description": "Great-circle distance from the given point"}
    )


NearbyPageSchema = page_schema(NearbyStationSchema, "NearbyStationPage")
