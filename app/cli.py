"""Flask CLI commands (API.md, "Command line")."""

from __future__ import annotations

import click
from flask import Flask

from core.errors import DomainError
from identity import operations as identity
from identity.models import ROLES
from miniprogram_api.extensions import db


def register_cli(app: Flask) -> None:
    from app.demo import demo_cli
    from app.devserver import dev_cli
    from app.ledger_cli import register_ledger_cli
    from app.sessions_cli import sessions_cli
    from app.stats_cli import stats_cli
    from app.walkthrough import walkthrough

    app.cli.add_command(staff_cli)
    app.cli.add_command(demo_cli)
    demo_cli.add_command(walkthrough)
    app.cli.add_command(dev_cli)
    app.cli.add_command(sessions_cli)
    app.cli.add_command(stats_cli)
    register_ledger_cli(app)


@click.group("staff", help="Manage staff accounts.")
def staff_cli():
    pass


@staff_cli.command("create")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--region", "region_code", required=True, help="GB/T 2260 code, e.g. 330100")
@click.option("--name", "display_name", default=None)
def create_staff(username, password, roles, region_code, display_name):
    """Create a staff account."""
    try:
        staff = identity.create_staff(
            db.session,
            username=username,
            password=password,
            roles=list(roles),
            region_code=region_code,
            display_name=display_name,
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"created staff {staff.id} {staff.username} {','.join(staff.roles)} {region_code}")
