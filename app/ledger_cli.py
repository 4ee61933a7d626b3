"""``flask ledger verify`` and the periodic jobs that move points: expiry of lots and holds."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask

from core.clock import now
from ledger import holds, idempotency
from ledger.verify import verify
from miniprogram_api.extensions import db
from rewards.redemptions import operations as redemptions
from volunteering.progress import expiry


def register_ledger_cli(app: Flask) -> None:
    """Add the ledger's command groups to *app*."""
    for group in (ledger_cli, points_cli, redemptions_cli):
        app.cli.add_command(group)


def _moment(value: str | None) -> datetime:
    """Parse --at (ISO 8601 with offset) or return now; naive times are refused."""
    if value is None:
        return now()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise click.BadParameter("add an offset: 2027-01-01T00:00:00+08:00", param_hint="--at")
    return moment


@click.group("ledger", help="Audit and maintain the points ledger.")
def ledger_cli():
    pass


@ledger_cli.command("verify")
def verify_command():
    """Recompute every balance from the entries and check sums, versions, holds and chains."""
    report = verify(db.session)
    click.echo(report.render())
    raise SystemExit(0 if report.ok else 1)


@ledger_cli.command("purge-idempotency-keys")
def purge_keys_command():
    """Delete idempotency keys older than the retention window (48 hours)."""
    click.echo(f"purged {idempotency.purge(db.session)} idempotency keys")


@click.group("points", help="Periodic jobs on volunteers' points.")
def points_cli():
    pass


@points_cli.command("expire")
@click.option("--at", "at", default=None, help="Expire as of this time (ISO 8601, with offset)")
def expire_points_command(at):
    """Move points whose lots have expired to the expired account."""
    total = expiry.expire_points(db.session, at=_moment(at))  # counted in the dashboard's rollups
    click.echo(f"expired {total} points")


@click.group("redemptions", help="Periodic jobs on redemptions.")
def redemptions_cli():
    pass


@redemptions_cli.command("expire-holds")
@click.option("--at", "at", default=None, help="Expire as of this time (ISO 8601, with offset)")
def expire_holds_command(at):
    """Release every point hold past its deadline, and expire the redemptions they paid for."""
    moment = _moment(at)
    count = holds.expire(db.session, at=moment)
    click.echo(f"released {count} expired holds")
    # Then the redemptions those holds paid for: expired, stock and allowance given back.
    click.echo(f"expired {redemptions.expire_due(db.session, at=moment)} redemptions")
