"""``flask demo seed`` leaves a dashboard worth opening, and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.demo_trainings import seed_trainings
from stats import rollups
from stats.models import RegionStat
from volunteering.progress import rebuild
from volunteering.progress.dashboard import dashboard
from volunteering.trainings.models import Training


def test_demo_seed_fills_the_dashboard_once(app, session):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    trainings = session.scalar(select(func.count(Training.id)))
    board = dashboard(session, "330000")

    assert trainings >= 4 and board.overall.trainings_this_year == trainings
    assert board.overall.hours_all_time.minutes > 0  # demo sessions went through the hooks
    assert board.overall.teams.value > 0 and board.overall.brand_projects_total > 0
    assert rebuild.check(session) == []
    again = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "demo trainings seeded" not in again.output
    assert session.scalar(select(func.count(Training.id))) == trainings


def test_seeding_backfills_rollups_a_database_never_had(app, session):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    kept = rollups.snapshot(session)
    session.execute(delete(RegionStat))  # as after upgrading a database seeded before them
    session.commit()

    assert seed_trainings(session) is False
    assert rollups.snapshot(session) == kept != {}
