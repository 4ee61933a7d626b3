import marshmallow as ma


class StaffProfileSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    display_name = ma.fields.String(allow_none=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    region_code = ma.fields.String(required=True)
    region_name = ma.fields.String(required=True)


class RegionSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    level = ma.fields.String(required=True, metadata={"enum": ["province", "city", "county"]})
    parent_code = ma.fields.String(allow_none=True)


class RegionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RegionSchema), required=True)
