"""Stations, scenes and clocks for check-in tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.clock import now
from miniprogram_api.context import qr_signing_key
from miniprogram_api.extensions import db
from volunteering.sessions.models import ServiceSession
from volunteering.stations.models import Station
from volunteering.stations.scanning import current_scene

# 杭州 西湖区: the 浙江自然博物院 area (GCJ-02)
WEST_LAKE = (30.2741, 120.1551)


@pytest.fixture
def make_station(app):
    def make(
        region_code: str = "330106",
        lat: float = WEST_LAKE[0],
        lng: float = WEST_LAKE[1],
        radius_m: int = 300,
        **fields,
    ) -> Station:
        station = Station(
            name=fields.pop("name", "西湖生态文明教育馆"),
            region_code=region_code,
            address="杭州市西湖区",
            kind="生态文明教育场馆",
            lat=lat,
            lng=lng,
            radius_m=radius_m,
            **fields,
        )
        db.session.add(station)
        db.session.commit()
        return station

    return make


@pytest.fixture
def station(make_station):
    return make_station()


@pytest.fixture
def scene_of(app):
    def scene(station: Station) -> str:
        return current_scene(qr_signing_key(), station, at=now())

    return scene


@pytest.fixture
def scan(client, scene_of):
    """POST a check-in or check-out at *station* from a point near it (or the one given)."""

    def post(
        kind: str,
        headers: dict,
        station: Station,
        *,
        lat=None,
        lng=None,
        accuracy_m=10.0,
        scene: str | None = None,
    ):
        body = {
            "scene": scene or scene_of(station),
            "lat": station.lat if lat is None else lat,
            "lng": station.lng if lng is None else lng,
            "accuracy_m": accuracy_m,
        }
        return client.post(f"/api/v1/{kind}", json=body, headers=headers)

    return post


@pytest.fixture
def backdate(app):
    """Move an open session's check-in *minutes* into the past (time passing, in the database)."""

    def move(session_id: int, minutes: int) -> None:
        db.session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == session_id)
            .values(checked_in_at=now() - timedelta(minutes=minutes))
        )
        db.session.commit()

    return move
