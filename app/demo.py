"""``flask demo seed``: a lived-in system for a newcomer's first ``make run``."""

from __future__ import annotations

import secrets

import click
from sqlalchemy import select

from identity import operations as identity
from identity.models import Staff
from miniprogram_api.extensions import db

DEMO_ADMIN = "admin"


@click.group("demo", help="Demo data and a walkthrough.")
def demo_cli():
    pass


@demo_cli.command("seed")
@click.option("--password", default=None, help="Password for the demo admin (random if omitted)")
def seed(password):
    """Create demo accounts (idempotent: an existing demo admin keeps its password)."""
    existing = db.session.scalars(select(Staff).filter_by(username=DEMO_ADMIN)).one_or_none()
    if existing is not None:
        click.echo(f"demo data already present; province admin: {DEMO_ADMIN}")
        return
    password = password or secrets.token_urlsafe(12)
    identity.create_staff(
        db.session,
        username=DEMO_ADMIN,
        password=password,
        roles=["province_admin"],
        region_code="330000",
        display_name="省级管理员（演示）",
    )
    db.session.commit()
    click.echo("demo data seeded")
    click.echo(f"province admin: username {DEMO_ADMIN}  password {password}")
