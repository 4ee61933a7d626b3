"""``flask sessions close-stale``: the periodic job for sessions nobody checked out of."""

import click

from miniprogram_api.extensions import db
from volunteering.sessions import operations as sessions


@click.group("sessions", help="Service session jobs.")
def sessions_cli():
    pass


@sessions_cli.command("close-stale")
def close_stale():
    """Close sessions open past the maximum duration at the cap and send them to review."""
    closed = sessions.close_stale(db.session)
    click.echo(f"closed {closed} stale session(s); they wait for review")
