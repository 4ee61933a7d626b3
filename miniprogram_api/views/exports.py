"""Region-scoped xlsx exports for staff admins and auditors."""

from __future__ import annotations

from flask import Response, current_app, g
from flask_smorest import Blueprint

from core.clock import business_time, now
from miniprogram_api.auth import staff_required
from miniprogram_api.errors import ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.schemas.exports import ExportArgsSchema
from volunteering.exports import operations as exports

blp = Blueprint(
    "exports", __name__, url_prefix="/api/v1/admin/exports", description="Spreadsheet exports"
)
BEARER = [{"bearerAuth": []}]
READERS = ("province_admin", "city_admin", "county_admin", "auditor")
KIND_RULE = "any(" + ", ".join(exports.KINDS) + ")"


@blp.route(f"/<{KIND_RULE}:kind>.xlsx", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(ExportArgsSchema, location="query")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type=exports.MEDIA_TYPE,
    description="One sheet with Chinese headers; personal data masked; your region only.",
)
@blp.alt_response(422, schema=ErrorSchema, description="EXPORT_TOO_LARGE, VALIDATION_ERROR")
def export(args, kind):
    """Export volunteers, sessions, ledger entries or redemptions of your region as xlsx."""
    return xlsx_response(kind, g.staff.region_code, args["first"], args["last"])


def xlsx_response(kind: str, scope: str, first, last) -> Response:
    """Answer with the export as a download (also used by the console)."""
    content = exports.export(
        db.session,
        kind,
        scope=scope,
        first=first,
        last=last,
        max_rows=current_app.config["EXPORT_MAX_ROWS"],
    )
    name = exports.filename(kind, scope, business_time(now()).date())
    return Response(
        content,
        mimetype=exports.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
