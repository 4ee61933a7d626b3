"""``flask demo seed`` sends the demo volunteers' cases to the collection, once."""

from __future__ import annotations

from sqlalchemy import func, select

from volunteering.recognition.models import CaseSubmission


def test_demo_seed_sends_two_cases_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--password", "demo-pass-1"])
    again = runner.invoke(args=["demo", "seed"])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert session.scalar(select(func.count()).select_from(CaseSubmission)) == 2
    assert {c.status for c in session.scalars(select(CaseSubmission))} == {"submitted"}
