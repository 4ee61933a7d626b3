"""``flask stats rebuild`` and ``flask stats compact``: maintain the dashboard's rollups."""

from __future__ import annotations

import click

from core.clock import business_time, now
from miniprogram_api.extensions import db
from stats import rollups
from volunteering.progress import rebuild as rollup_rebuild


@click.group("stats", help="The rollups the dashboard reads.")
def stats_cli():
    pass


@stats_cli.command("rebuild")
@click.option(
    "--check",
    is_flag=True,
    help="Only compare the live rollups with a recomputation; change nothing",
)
def rebuild_command(check):
    """Replace every rollup by what sessions, manual hours, redemptions and the ledger imply.

    With --check, report the differences instead and exit 1 when there are any.
    """
    if check:
        differences = rollup_rebuild.check(db.session)
        db.session.rollback()
        for d in differences[:50]:
            where = f"{d.region_code} {d.month:%Y-%m} {d.metric}"
            click.echo(f"{where}: kept {d.kept}, recomputed {d.recomputed}")
        click.echo(f"{len(differences)} differences" if differences else "rollups agree")
        raise SystemExit(1 if differences else 0)
    rows = rollup_rebuild.rebuild(db.session)
    db.session.commit()
    click.echo(f"rebuilt {rows} rollup rows")


@stats_cli.command("compact")
def compact_command():
    """Fold the slots of past months into one row each (a daily job, like points expire)."""
    this_month = business_time(now()).date()
    folded = rollups.compact(db.session, before=this_month)
    db.session.commit()
    click.echo(f"folded {folded} slot rows of past months")
