"""Stations and activities arranged through the admin API, as staff would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import now

# Real places, GCJ-02: 浙江自然博物院 (杭州西湖区) and 宁波天一阁 (宁波海曙区).
HANGZHOU = (30.2741, 120.1551)
NINGBO = (29.8727, 121.5420)


def station_body(**overrides) -> dict:
    body = {
        "name": "西湖生态文明教育馆",
        "region_code": "330106",
        "address": "杭州市西湖区西湖文化广场",
        "lat": HANGZHOU[0],
        "lng": HANGZHOU[1],
        "radius_m": 300,
        "kind": "生态文明教育场馆",
        "standards": {
            "venue": True,
            "team": True,
            "project": True,
            "facilities": True,
            "rules": True,
            "signage": True,
        },
    }
    body.update(overrides)
    return body


def iso(moment) -> str:
    return moment.isoformat()


@pytest.fixture
def admin(make_staff):
    """A province admin's headers."""
    return make_staff("province_admin", "330000")


@pytest.fixture
def create_station(client, admin):
    """POST a station as *headers* (the province admin by default); return the response body."""

    def create(headers=None, **overrides) -> dict:
        response = client.post(
            "/api/v1/admin/stations", json=station_body(**overrides), headers=headers or admin
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture
def create_activity(client, admin):
    """POST an activity at *station_id*, by default starting in an hour for two hours."""

    def create(station_id: int, headers=None, **overrides) -> dict:
        starts = now() + timedelta(hours=1)
        body = {
            "title": "西湖湖滨垃圾分类宣传",
            "station_id": station_id,
            "starts_at": iso(starts),
            "ends_at": iso(starts + timedelta(hours=2)),
            "capacity": 5,
            "signup_required": True,
        }
        body.update(overrides)
        response = client.post("/api/v1/admin/activities", json=body, headers=headers or admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create
