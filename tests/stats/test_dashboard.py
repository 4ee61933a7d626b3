"""The 2027 dashboard against a small known world, for the province and a city (scoping)."""

from __future__ import annotations

from datetime import date

import pytest

from core import regions
from ledger import queries
from tests.stats.conftest import THIS_YEAR
from volunteering.progress.dashboard import dashboard

HANGZHOU, WEST_LAKE, SHANGCHENG = "330100", "330106", "330102"
NINGBO, JIANGBEI = "330200", "330205"


@pytest.fixture
def known_world(world):
    """Two cities with teams, projects, stations, trainings, sessions and a redemption."""
    for region in (HANGZHOU, WEST_LAKE, WEST_LAKE, JIANGBEI, "330000"):
        world.team(region)
    world.project(WEST_LAKE, brand=True)
    world.project(HANGZHOU, brand=True)
    world.project(WEST_LAKE, brand=False)
    world.project(JIANGBEI, brand=False)
    west_lake = world.station(WEST_LAKE, all_six=True)
    world.station(SHANGCHENG, all_six=False)
    jiangbei = world.station(JIANGBEI, all_six=True)
    world.station(JIANGBEI, all_six=True, active=False)  # closed: not counted
    world.training(HANGZHOU, "city", "leaders", date(THIS_YEAR, 3, 1), attendees=40)
    world.training(WEST_LAKE, "county", "volunteers", date(THIS_YEAR, 4, 1), attendees=60)
    world.training(JIANGBEI, "county", "volunteers", date(THIS_YEAR, 5, 1), attendees=25)
    world.training(NINGBO, "city", "leaders", date(THIS_YEAR - 1, 5, 1))  # last year
    world.training(JIANGBEI, "county", "leaders", date(THIS_YEAR, 6, 1))  # not volunteers

    alice, amy = world.volunteer(WEST_LAKE), world.volunteer(WEST_LAKE)
    bob = world.volunteer(JIANGBEI)
    world.volunteer(WEST_LAKE), world.volunteer(JIANGBEI)  # registered, never served
    world.volunteer(None)  # has not chosen a region yet

    world.approved_session(alice, west_lake, 120)  # 20 points
    world.approved_session(alice, west_lake, 30, date(THIS_YEAR - 1, 9, 1))  # 5, last year
    world.void(world.approved_session(amy, west_lake, 60))  # 10 minted, 10 taken back
    world.approved_session(bob, jiangbei, 90)  # 15 points
    world.redeem(alice, world.merchant(NINGBO), 10)
    return world


def test_the_province_sees_every_target_and_every_city(known_world):
    board = dashboard(known_world.session, "330000")
    overall = board.overall

    assert (board.year, board.target_year, board.region.code) == (THIS_YEAR, 2027, "330000")
    assert (overall.teams.target, overall.teams.value, overall.teams.ratio) == (100, 5, 0.05)
    assert overall.teams.met is False
    # Five volunteers with a region, one without, and the merchant's clerk (no region either).
    assert (overall.volunteers.target, overall.volunteers.value) == (50_000, 7)
    assert len(board.cities) == len(regions.cities()) == 11
    assert (overall.brand_projects.target, overall.brand_projects.value) == (11, 1)
    assert overall.brand_projects_total == 2
    assert (overall.training.target, overall.training.value) == (11, 0)
    assert (overall.trainings_this_year, overall.attendees_this_year) == (4, 155)
    assert (overall.stations.total, overall.stations.meeting_all_standards) == (3, 2)
    assert overall.hours_this_year.minutes == 210
    assert overall.hours_this_year.sessions_approved == 2
    assert (overall.hours_all_time.minutes, overall.hours_all_time.hours) == (240, 4.0)
    points = overall.points
    assert (points.issued, points.reversed, points.redeemed, points.outstanding) == (50, 10, 10, 30)


def test_province_wide_outstanding_agrees_with_the_ledger(known_world):
    board = dashboard(known_world.session, "330000")
    summary = queries.summary(known_world.session)

    assert board.overall.points.outstanding == summary.outstanding
    assert board.overall.points.redeemed == summary.redeemed


def test_each_city_has_its_own_figures(known_world):
    cities = {c.region.code: c for c in dashboard(known_world.session, "330000").cities}
    hangzhou, ningbo = cities[HANGZHOU], cities[NINGBO]

    assert (hangzhou.teams.value, ningbo.teams.value) == (3, 1)
    assert (hangzhou.volunteers.value, ningbo.volunteers.value) == (3, 2)
    assert (hangzhou.brand_projects.value, hangzhou.brand_projects.target) == (2, 1)
    assert (hangzhou.brand_projects.ratio, hangzhou.brand_projects.met) == (1.0, True)
    assert (ningbo.brand_projects.value, ningbo.brand_projects.met) == (0, False)
    assert (hangzhou.stations.total, hangzhou.stations.meeting_all_standards) == (2, 1)
    assert hangzhou.stations.ratio == 0.5
    assert (hangzhou.hours_this_year.minutes, hangzhou.hours_all_time.minutes) == (120, 150)
    assert (ningbo.hours_this_year.minutes, ningbo.hours_all_time.minutes) == (90, 90)
    # Service points count where served; redeemed points where the merchant is.
    assert (hangzhou.points.issued, hangzhou.points.reversed) == (35, 10)
    assert (hangzhou.points.redeemed, hangzhou.points.outstanding) == (0, 25)
    assert (ningbo.points.issued, ningbo.points.redeemed, ningbo.points.outstanding) == (15, 10, 5)
    assert cities["330300"].hours_all_time.minutes == 0


def test_training_compliance_names_the_counties_still_lacking(known_world):
    cities = {c.region.code: c for c in dashboard(known_world.session, "330000").cities}
    hangzhou, ningbo = cities[HANGZHOU].training_detail, cities[NINGBO].training_detail

    assert (hangzhou.leader_trainings, hangzhou.leaders_met) == (1, True)
    lacking = {r.code for r in hangzhou.counties_lacking}
    assert WEST_LAKE not in lacking and SHANGCHENG in lacking
    assert len(lacking) == len(regions.children(HANGZHOU)) - 1
    assert hangzhou.met is False and cities[HANGZHOU].training.met is False
    assert (hangzhou.trainings, hangzhou.attendees) == (2, 100)
    # Ningbo's leaders' training was last year; 江北's leaders' training is not one for volunteers.
    assert (ningbo.leader_trainings, ningbo.leaders_met) == (0, False)
    assert JIANGBEI not in {r.code for r in ningbo.counties_lacking}


def test_a_city_that_trained_everyone_meets_the_requirement(world):
    zhoushan = "330900"
    world.training(zhoushan, "city", "leaders", date(THIS_YEAR, 2, 1))
    for county in regions.children(zhoushan):
        world.training(county.code, "county", "volunteers", date(THIS_YEAR, 2, 2))

    board = dashboard(world.session, zhoushan)

    assert board.cities[0].training_detail.counties_lacking == []
    assert board.cities[0].training.met is True
    assert (board.overall.training.target, board.overall.training.value) == (1, 1)


def test_a_city_admin_sees_only_their_city(known_world):
    board = dashboard(known_world.session, HANGZHOU)
    overall = board.overall

    assert board.region.code == HANGZHOU and [c.region.code for c in board.cities] == [HANGZHOU]
    # The policy sets team and volunteer targets for the province only.
    assert (overall.teams.value, overall.teams.target, overall.teams.met) == (3, None, None)
    assert (overall.volunteers.value, overall.volunteers.ratio) == (3, None)
    assert (overall.brand_projects.target, overall.brand_projects.value) == (1, 1)
    assert (overall.hours_all_time.minutes, overall.points.outstanding) == (150, 25)
    assert overall.stations.total == 2


def test_a_county_admin_sees_only_their_county(known_world):
    board = dashboard(known_world.session, WEST_LAKE)
    city = board.cities[0]

    assert city.region.code == HANGZHOU
    assert (board.overall.teams.value, board.overall.volunteers.value) == (2, 3)
    assert board.overall.brand_projects.target is None
    assert city.training_detail.leader_trainings is None  # the city's own trainings: not theirs
    assert [c.region.code for c in city.training_detail.counties] == [WEST_LAKE]
    assert city.training.met is True
    assert (city.stations.total, city.hours_all_time.minutes) == (1, 150)


def test_the_dashboard_over_http_is_scoped_to_the_caller(client, make_staff, known_world):
    province = client.get("/api/v1/admin/dashboard", headers=make_staff("auditor", "330000"))
    city = client.get("/api/v1/admin/dashboard", headers=make_staff("city_admin", HANGZHOU))

    assert province.status_code == 200, province.get_json()
    body = province.get_json()
    assert body["overall"]["teams"] == {"target": 100, "value": 5, "ratio": 0.05, "met": False}
    assert body["overall"]["points"]["outstanding"] == 30
    assert len(body["cities"]) == 11 and body["as_of"] and body["year"] == THIS_YEAR
    hangzhou = next(c for c in body["cities"] if c["region"]["code"] == HANGZHOU)
    assert hangzhou["hours_all_time"] == {
        "minutes": 150,
        "hours": 2.5,
        "system_minutes": 150,
        "manual_minutes": 0,
        "sessions_approved": 2,
    }
    assert SHANGCHENG in {r["code"] for r in hangzhou["training_detail"]["counties_lacking"]}
    shown = city.get_json()
    assert [c["region"]["code"] for c in shown["cities"]] == [HANGZHOU]
    assert shown["overall"]["points"]["redeemed"] == 0  # Ningbo's merchant is not theirs


def test_the_dashboard_is_for_staff_only(client, volunteer_headers):
    assert client.get("/api/v1/admin/dashboard").status_code == 401
    answer = client.get("/api/v1/admin/dashboard", headers=volunteer_headers)
    assert answer.status_code == 403 and answer.get_json()["code"] == "FORBIDDEN"
