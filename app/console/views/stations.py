"""Stations (阵地): the six standards, map coordinates, the printable code and its rotation."""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    STATION_READERS,
    InvalidForm,
    after_id,
    bp,
    checkbox,
    decimal,
    integer,
    page_of,
    text,
)
from core import regions
from miniprogram_api.extensions import db
from miniprogram_api.views.admin_stations import QR_READERS, qr_png, viewer_of
from volunteering.stations import operations as stations
from volunteering.stations.models import STANDARDS, STATION_KINDS

STANDARD_NAMES = {
    "venue": "有场所",
    "team": "有队伍",
    "project": "有项目",
    "facilities": "有设施",
    "rules": "有制度",
    "signage": "有标识",
}


@bp.get("/stations")
@staff_required(*STATION_READERS)
def station_list():
    """List the stations in the staff member's scope, newest first."""
    meets = {"yes": True, "no": False}.get(request.args.get("standards", ""))
    rows = stations.list_stations(
        db.session,
        viewer_of(g.staff),
        limit=PAGE_SIZE + 1,
        after_id=after_id(),
        meets_all_standards=meets,
    )
    items, next_cursor = page_of(rows)
    return render_template(
        "console/stations.html",
        items=items,
        next_cursor=next_cursor,
        standards=request.args.get("standards", ""),
        standard_names=STANDARD_NAMES,
    )


@bp.get("/stations/new")
@staff_required(*ADMINS)
def station_new():
    return render_template("console/station_form.html", station=None, **_choices())


@bp.post("/stations")
@staff_required(*ADMINS)
def station_create():
    """Register a station inside the staff member's region."""
    station = stations.create_station(db.session, viewer_of(g.staff), **_station_fields())
    db.session.commit()
    flash(f"已登记站点「{station.name}」", "success")
    return redirect(url_for("console.station_detail", station_id=station.id))


@bp.get("/stations/<int:station_id>")
@staff_required(*STATION_READERS)
def station_detail(station_id):
    """Show a station: its checklist, coordinates and code."""
    station = stations.get_station(db.session, viewer_of(g.staff), station_id)
    return render_template("console/station_form.html", station=station, **_choices())


@bp.post("/stations/<int:station_id>")
@staff_required(*ADMINS)
def station_update(station_id):
    """Change a station; it cannot move outside the staff member's region."""
    stations.update_station(db.session, viewer_of(g.staff), station_id, **_station_fields())
    db.session.commit()
    flash("已保存修改", "success")
    return redirect(url_for("console.station_detail", station_id=station_id))


@bp.get("/stations/<int:station_id>/poster")
@staff_required(*QR_READERS)
def station_poster(station_id):
    """A printable poster: the station's name and its check-in code."""
    station = stations.get_station(db.session, viewer_of(g.staff), station_id)
    return render_template("console/station_poster.html", station=station)


@bp.get("/stations/<int:station_id>/qrcode.png")
@staff_required(*QR_READERS)
def station_qrcode(station_id):
    """The station's current code as a PNG, as the API draws it."""
    station = stations.get_station(db.session, viewer_of(g.staff), station_id)
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(
        qr_png(station),
        mimetype="image/png",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": (
                f'{disposition}; filename="station-{station.id}-v{station.qr_version}.png"'
            ),
        },
    )


@bp.post("/stations/<int:station_id>/rotate")
@staff_required(*ADMINS)
def station_rotate(station_id):
    """Issue a new code: every code printed before stops working at once."""
    station = stations.rotate_qr(db.session, viewer_of(g.staff), station_id)
    db.session.commit()
    flash(f"已更换签到码（第 {station.qr_version} 版），请重新打印张贴", "success")
    return redirect(url_for("console.station_detail", station_id=station_id))


def _station_fields() -> dict:
    kind = request.form.get("kind")
    if kind not in STATION_KINDS:
        raise InvalidForm("请选择站点类型", field="kind")
    region_code = request.form.get("region_code") or ""
    if not regions.is_valid(region_code):
        raise InvalidForm("请选择所属区域", field="region_code")
    return {
        "name": text("name", "站点名称", max_length=100),
        "region_code": region_code,
        "address": text("address", "地址", required=False, max_length=255),
        "kind": kind,
        "lat": decimal("lat", "纬度", minimum=-90, maximum=90),
        "lng": decimal("lng", "经度", minimum=-180, maximum=180),
        "radius_m": integer("radius_m", "签到半径", minimum=10, maximum=5000),
        "is_active": checkbox("is_active"),
        "qr_dynamic": checkbox("qr_dynamic"),
        "standards": {name: checkbox(f"has_{name}") for name in STANDARDS},
    }


def _choices() -> dict:
    return {"kinds": STATION_KINDS, "standard_names": STANDARD_NAMES}
