"""Schema building blocks shared by every endpoint."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from core import regions


class RequestSchema(ma.Schema):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


def validate_region_code(value: str) -> None:
    if not regions.is_valid(value):
        raise ma.ValidationError("不是浙江省内有效的行政区划代码")


def region_code_field(**kwargs) -> ma.fields.String:
    return ma.fields.String(
        validate=validate_region_code,
        metadata={"description": "GB/T 2260 six-digit code inside Zhejiang", "example": "330106"},
        **kwargs,
    )


def text_field(max_length: int, min_length: int = 1, **kwargs) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.Length(
            min=min_length, max=max_length, error=f"长度必须在 {min_length} 到 {max_length} 之间"
        ),
        **kwargs,
    )
