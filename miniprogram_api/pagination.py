"""Keyset (cursor) pagination for every list endpoint: ``?limit=`` and an opaque ``?cursor=``.

A cursor names the last item of the previous page by its sort key, so pages stay stable
while new rows arrive and the database seeks with an index instead of counting an OFFSET.
Usage in a view:

    @blp.arguments(PageArgsSchema, location="query")
    def items(args):
        after = args["cursor"]  # None, or the dict given to next_cursor() for the last page
        rows = query_with(limit=args["limit"] + 1, after=after)
        return page(rows, args["limit"], key=lambda row: {"v": row.version})
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

import marshmallow as ma
from marshmallow import validate

from miniprogram_api.errors import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_INVALID = "分页游标无效"


def encode_cursor(key: dict[str, Any]) -> str:
    """Return an opaque, URL-safe token for a sort *key* of JSON scalars."""
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> dict[str, Any]:
    """Return the sort key inside *token*, or raise a marshmallow ValidationError."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ma.ValidationError(_INVALID) from None
    if not isinstance(key, dict):
        raise ma.ValidationError(_INVALID)
    return key


class CursorField(ma.fields.String):
    """A query parameter holding an opaque cursor; loads as the decoded sort key."""

    def _deserialize(self, value, attr, data, **kwargs):
        token = super()._deserialize(value, attr, data, **kwargs)
        if len(token) > 512:
            raise ma.ValidationError(_INVALID)
        return decode_cursor(token)


class PageArgsSchema(ma.Schema):
    """``?limit=`` (1-100, default 20) and ``?cursor=`` (from the previous page)."""

    class Meta:
        unknown = ma.EXCLUDE

    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1-{MAX_LIMIT}"},
    )
    cursor = CursorField(
        load_default=None, metadata={"description": "next_cursor of the previous page"}
    )


def page(
    rows: Sequence[Any], limit: int, *, key: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """Return ``{"items", "next_cursor"}`` from up to *limit* + 1 fetched *rows*.

    The extra row only says whether another page exists; it is not returned.
    """
    items = list(rows[:limit])
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(key(items[-1])) if more else None}


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Return the response schema of a page of *item_schema*."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(
                required=True, allow_none=True, metadata={"description": "null on the last page"}
            ),
        },
        name=name,
    )


# The largest id a BIGINT column holds: a larger number in a cursor is forged, not a position.
_MAX_ID = 2**63 - 1


def cursor_int(cursor: dict[str, Any] | None, name: str = "id") -> int | None:
    """Return the positive integer *name* inside a decoded cursor (None on the first page).

    Anything else is a forged or stale cursor: answered 422, never passed to SQL.
    """
    if cursor is None:
        return None
    value = cursor.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_ID:
        raise ApiError(422, "VALIDATION_ERROR", _INVALID, fields={"cursor": [_INVALID]})
    return value


def newest_first(session, query, id_column, *, before_id: int | None, limit: int) -> list:
    """Fetch up to *limit* + 1 rows of *query*, newest first by *id_column*, below *before_id*.

    The keyset half of ``page``: the caller passes the rows to ``page`` (or the console's
    ``page_of``), which keeps *limit* of them and turns the extra one into the next cursor.
    """
    if before_id is not None:
        query = query.where(id_column < before_id)
    return list(session.scalars(query.order_by(id_column.desc()).limit(limit + 1)))
