"""Every console page keeps to the staff member's region, like the API: others' objects are 404."""

from __future__ import annotations

import pytest

from rewards.perks import operations as perks
from tests.console.conftest import NINGBO
from volunteering.activities import operations as activities
from volunteering.stations.operations import Viewer

HANGZHOU, NINGBO_CITY = "330100", "330200"


@pytest.fixture
def ningbo(make_station, make_volunteer, make_pending_session, make_merchant, app, session):
    """One of everything in 宁波 (海曙区)."""
    station = make_station("330203", NINGBO, name="宁波站点")
    volunteer = make_volunteer("宁波人", "330203")
    merchant = make_merchant("330203", "宁波书店")
    perk = perks.create_perk(
        session, merchant_id=merchant.id, stock=5, staff_id=None, title="宁波优待", cost_points=10
    )
    team = activities.create_team(
        session, Viewer("330000"), name="宁波队", kind="社区", region_code="330203"
    )
    project = activities.create_project(
        session, Viewer("330000"), title="宁波项目", region_code="330203"
    )
    session.commit()
    return {
        "station": station.id,
        "session": make_pending_session(volunteer, station),
        "volunteer": volunteer.id,
        "merchant": merchant.id,
        "perk": perk.id,
        "team": team.id,
        "project": project.id,
    }


def pages_of(ids: dict) -> list[str]:
    return [
        f"/console/stations/{ids['station']}",
        f"/console/stations/{ids['station']}/poster",
        f"/console/stations/{ids['station']}/qrcode.png",
        f"/console/review/{ids['session']}",
        f"/console/volunteers/{ids['volunteer']}",
        f"/console/merchants/{ids['merchant']}",
        f"/console/perks/{ids['perk']}",
    ]


def forms_of(ids: dict) -> list[tuple[str, dict]]:
    return [
        (f"/console/stations/{ids['station']}/rotate", {}),
        (f"/console/review/{ids['session']}", {"action": "approve"}),
        (f"/console/merchants/{ids['merchant']}/bind-code", {}),
        (f"/console/merchants/{ids['merchant']}/active", {}),
        (f"/console/perks/{ids['perk']}/restock", {"quantity": "5"}),
        (f"/console/perks/{ids['perk']}/active", {}),
        (f"/console/projects/{ids['project']}/brand", {"is_brand": "on"}),
    ]


def test_a_city_admin_cannot_open_another_citys_objects(console_as, ningbo):
    console = console_as("city_admin", HANGZHOU)
    for path in pages_of(ningbo):
        response = console.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html", path


def test_nor_act_on_them(console_as, ningbo):
    console = console_as("city_admin", HANGZHOU)
    for path, data in forms_of(ningbo):
        assert console.post(path, data).status_code == 404, path


def test_while_the_city_admin_of_that_city_can(console_as, ningbo):
    console = console_as("city_admin", NINGBO_CITY)
    for path in pages_of(ningbo):
        assert console.get(path).status_code == 200, path


def test_lists_show_only_the_region(console_as, ningbo, make_station, make_merchant):
    make_station("330106", name="杭州站点")
    make_merchant("330106", "杭州书店")
    console = console_as("city_admin", HANGZHOU)
    pages = {
        "/console/stations": ("杭州站点", "宁波站点"),
        "/console/merchants": ("杭州书店", "宁波书店"),
        "/console/perks": (None, "宁波优待"),
        "/console/review?status=all": (None, "宁波站点"),
        "/console/volunteers": (None, "宁**"),
        "/console/teams": (None, "宁波队"),
        "/console/projects": (None, "宁波项目"),
    }
    for path, (shown, hidden) in pages.items():
        html = console.get(path).get_data(as_text=True)
        if shown:
            assert shown in html, path
        assert hidden not in html, path


def test_a_city_admin_cannot_create_in_another_city(console_as):
    console = console_as("city_admin", HANGZHOU)
    response = console.post("/console/merchants", {"name": "越界商店", "region_code": "330203"})
    assert response.status_code == 403
    station = {
        "name": "越界站点",
        "region_code": "330203",
        "kind": "公共场所",
        "lat": "29.8",
        "lng": "121.5",
        "radius_m": "300",
    }
    assert console.post("/console/stations", station).status_code == 403


def test_a_station_manager_sees_only_their_stations(console_as, ningbo, make_station, session):
    from volunteering.stations.models import StationManager

    mine = make_station("330203", NINGBO, name="我管理的站点")
    console = console_as("station_manager", "330203")
    session.add(StationManager(station_id=mine.id, staff_id=console.staff_id))
    session.commit()
    assert console.get(f"/console/stations/{mine.id}").status_code == 200
    assert console.get(f"/console/stations/{ningbo['station']}").status_code == 404
    assert console.get(f"/console/review/{ningbo['session']}").status_code == 404
    assert "宁波站点" not in console.get("/console/stations").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/console/perks", "/console/merchants", "/console/volunteers", "/console/rules"],
)
def test_a_station_manager_cannot_open_admin_pages(console_as, path):
    assert console_as("station_manager", "330203").get(path).status_code == 403


def test_an_auditor_reads_but_cannot_write(console_as, ningbo):
    console = console_as("auditor", NINGBO_CITY)
    assert console.get(f"/console/perks/{ningbo['perk']}").status_code == 200
    response = console.post(f"/console/perks/{ningbo['perk']}/restock", {"quantity": "5"})
    assert response.status_code == 403


def test_ids_beyond_bigint_are_404(console_as):
    console = console_as()
    assert console.get(f"/console/stations/{2**64}").status_code == 404
