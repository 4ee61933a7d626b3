"""From a scanned scene to the station it names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from volunteering.errors import QrInvalid
from volunteering.stations import qr
from volunteering.stations.models import Station


def station_for_scene(session: Session, key: bytes, scene: str, *, at: datetime) -> Station:
    """Return the station a genuine, current scene names, or raise QrInvalid.

    A scene fails when its signature is wrong, its version predates a rotation, or its kind
    (static or dynamic) does not match the station's mode: a printed code stops working the
    moment a station switches to its screen.
    """
    scene_data = qr.verify(key, scene, at=at)
    station = session.get(Station, scene_data.station_id)
    if station is None or station.qr_version != scene_data.version:
        raise QrInvalid()
    if station.qr_dynamic != (scene_data.window is not None):
        raise QrInvalid()
    return station


def current_scene(key: bytes, station: Station, *, at: datetime) -> str:
    """Return the scene the station's code should carry right now."""
    if station.qr_dynamic:
        return qr.dynamic_scene(key, station.id, station.qr_version, at)
    return qr.static_scene(key, station.id, station.qr_version)
