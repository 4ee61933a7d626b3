"""Query arguments of the xlsx exports."""

from __future__ import annotations

import marshmallow as ma


class ExportArgsSchema(ma.Schema):
    """``?from=&to=``: Beijing days, both included, both optional."""

    class Meta:
        unknown = ma.EXCLUDE

    first = ma.fields.Date(
        data_key="from", load_default=None, metadata={"description": "First day (YYYY-MM-DD)"}
    )
    last = ma.fields.Date(
        data_key="to", load_default=None, metadata={"description": "Last day (YYYY-MM-DD)"}
    )

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data["first"] and data["last"] and data["first"] > data["last"]:
            raise ma.ValidationError("开始日期不能晚于结束日期", field_name="from")
