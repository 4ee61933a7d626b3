"""Stations for staff: register, change, list, assign managers, and their QR codes.

Admins (province, city, county) write inside their region; auditors read; a station manager
reads only the stations they manage. A station outside the caller's scope is 404, never 403,
so its existence does not leak.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import segno
from flask import Response, current_app, g
from flask_smorest import Blueprint

from core.clock import now
from miniprogram_api.auth import StaffPrincipal, staff_required
from miniprogram_api.context import qr_signing_key, wechat
from miniprogram_api.errors import ApiError, ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.pagination import page
from miniprogram_api.schemas.stations import (
    ManagersSchema,
    QrCodeSchema,
    StationCreateSchema,
    StationListArgsSchema,
    StationPageSchema,
    StationPatchSchema,
    StationSchema,
)
from volunteering.stations import operations as stations
from volunteering.stations import qr
from volunteering.stations.scanning import current_scene

blp = Blueprint(
    "admin_stations", __name__, url_prefix="/api/v1/admin/stations", description="Stations (阵地)"
)
BEARER = [{"bearerAuth": []}]

ADMINS = ("province_admin", "city_admin", "county_admin")
READERS = (*ADMINS, "auditor", "station_manager")
# The QR scene is what lets a volunteer check in: those who run stations, not auditors.
QR_READERS = (*ADMINS, "station_manager")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def viewer_of(staff: StaffPrincipal) -> stations.Viewer:
    """Return the caller's scope: their region, narrowed to their stations for a manager only."""
    if set(staff.roles) & {*ADMINS, "auditor"}:
        return stations.Viewer(staff.region_code)
    return stations.Viewer(staff.region_code, manager_id=staff.id)


@blp.route("", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(StationCreateSchema)
@blp.response(201, StationSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
def create_station(body):
    """Register a station inside the caller's region."""
    station = stations.create_station(db.session, viewer_of(g.staff), **body)
    db.session.commit()
    return station


@blp.route("", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(StationListArgsSchema, location="query")
@blp.response(200, StationPageSchema)
def list_stations(args):
    """List the stations in the caller's scope, newest first."""
    limit = args.pop("limit")
    rows = stations.list_stations(db.session, viewer_of(g.staff), limit=limit + 1, **args)
    return page(rows, limit, key=lambda station: {"id": station.id})


@blp.route("/<int:station_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, StationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def get_station(station_id):
    """Show one station."""
    return stations.get_station(db.session, viewer_of(g.staff), station_id)


@blp.route("/<int:station_id>", methods=["PATCH"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(StationPatchSchema)
@blp.response(200, StationSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
def patch_station(body, station_id):
    """Change a station; it cannot move outside the caller's region."""
    station = stations.update_station(db.session, viewer_of(g.staff), station_id, **body)
    db.session.commit()
    return station


@blp.route("/<int:station_id>/managers", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, ManagersSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def get_managers(station_id):
    """List the staff who manage a station."""
    station = stations.get_station(db.session, viewer_of(g.staff), station_id)
    return {"staff_ids": stations.manager_ids(db.session, station.id)}


@blp.route("/<int:station_id>/managers", methods=["PUT"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ManagersSchema)
@blp.response(200, ManagersSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def put_managers(body, station_id):
    """Replace a station's managers (staff with the station_manager role in the region)."""
    staff_ids = stations.set_managers(db.session, viewer_of(g.staff), station_id, body["staff_ids"])
    db.session.commit()
    return {"staff_ids": staff_ids}


def _qr_answer(station) -> dict:
    at = now()
    answer = {
        "scene": current_scene(qr_signing_key(), station, at=at),
        "page": current_app.config["WECHAT_QR_PAGE"],
        "version": station.qr_version,
        "dynamic": station.qr_dynamic,
    }
    if station.qr_dynamic:
        window = int(at.timestamp()) // qr.DYNAMIC_WINDOW_SECONDS
        start = datetime.fromtimestamp(window * qr.DYNAMIC_WINDOW_SECONDS, UTC)
        answer["refresh_at"] = start + timedelta(seconds=qr.DYNAMIC_WINDOW_SECONDS)
        # Accepted in its own minute and the next one (see volunteering.stations.qr).
        answer["expires_at"] = start + timedelta(seconds=2 * qr.DYNAMIC_WINDOW_SECONDS)
    return answer


@blp.route("/<int:station_id>/qrcode", methods=["GET"])
@staff_required(*QR_READERS)
@blp.doc(security=BEARER)
@blp.response(200, QrCodeSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def get_qrcode(station_id):
    """Show the scene the station's code carries now (a dynamic one changes every minute)."""
    return _qr_answer(stations.get_station(db.session, viewer_of(g.staff), station_id))


@blp.route("/<int:station_id>/qrcode.png", methods=["GET"])
@staff_required(*QR_READERS)
@blp.doc(security=BEARER)
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="image/png",
    description="The printable code: a WeChat mini-program code, or a plain QR of the scene",
)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
@blp.alt_response(503, schema=ErrorSchema, description="WECHAT_UNAVAILABLE")
def get_qrcode_png(station_id):
    """Draw the station's code as a PNG."""
    station = stations.get_station(db.session, viewer_of(g.staff), station_id)
    return Response(
        qr_png(station),
        mimetype="image/png",
        headers={
            # A rotation or the next minute must never be hidden behind a cached image.
            "Cache-Control": "no-store",
            "Content-Disposition": (
                f'inline; filename="station-{station.id}-v{station.qr_version}.png"'
            ),
        },
    )


def qr_png(station) -> bytes:
    """Draw the station's current code as a PNG (also used by the console)."""
    answer = _qr_answer(station)
    config = current_app.config
    if config["WECHAT_QR_MODE"] == "plain":
        return _plain_qr_png(answer["scene"])
    png = wechat().get_wxa_code_unlimited(
        answer["scene"],
        page=answer["page"],
        check_path=config["WECHAT_QR_CHECK_PATH"],
        env_version=config["WECHAT_QR_ENV_VERSION"],
    )
    if not png.startswith(_PNG_SIGNATURE):
        raise ApiError(503, "WECHAT_UNAVAILABLE", "微信服务暂时不可用，请稍后再试")
    return png


def _plain_qr_png(scene: str) -> bytes:
    buffer = io.BytesIO()
    # Error level M survives a scuffed print; scale 10 with the standard 4-module quiet zone.
    segno.make_qr(scene, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


@blp.route("/<int:station_id>/qrcode/rotate", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(200, QrCodeSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def rotate_qrcode(station_id):
    """Issue a new code: every code printed or shown before stops working at once."""
    station = stations.rotate_qr(db.session, viewer_of(g.staff), station_id)
    db.session.commit()
    return _qr_answer(station)
