"""``flask demo seed`` brings stations, teams, projects and activities, once."""

from __future__ import annotations

from sqlalchemy import func, select

from volunteering.activities.models import Activity, Project, Team
from volunteering.stations.models import Station


def counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Station, Team, Project, Activity)
    )


def test_demo_seed_adds_a_lived_in_service_map_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--password", "demo-pass-1"])
    assert first.exit_code == 0, first.output
    stations, teams, projects, activities = counts(session)
    assert 4 <= stations <= 6
    assert teams >= 4
    assert session.scalar(select(func.count()).where(Project.is_brand.is_(True))) >= 1
    assert activities >= 2
    complete = [s for s in session.scalars(select(Station)) if s.meets_all_standards]
    assert 0 < len(complete) < stations
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert counts(session) == (stations, teams, projects, activities)


def test_demo_stations_are_found_near_where_they_stand(app, session, client, volunteer_headers):
    app.test_cli_runner().invoke(args=["demo", "seed", "--password", "demo-pass-1"])
    # Standing in 余村 (GCJ-02), the 余村 station is the nearest one, within its geofence.
    response = client.get(
        "/api/v1/stations?lat=30.5190&lng=119.6080&radius_m=2000", headers=volunteer_headers
    )
    items = response.get_json()["items"]
    assert items[0]["name"] == "余村“两山”理念宣讲站"
    assert items[0]["distance_m"] <= items[0]["radius_m"]
