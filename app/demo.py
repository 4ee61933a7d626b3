"""``flask demo seed``: a lived-in system for a newcomer's first ``make run``."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from identity import operations as identity
from identity.models import Staff
from miniprogram_api.extensions import db

DEMO_ADMIN = "admin"
_CREDENTIALS_FILE = "demo-credentials.txt"


@click.group("demo", help="Demo data and a walkthrough.")
def demo_cli():
    pass


def read_demo_credentials(instance_path: str) -> str | None:
    path = Path(instance_path) / _CREDENTIALS_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


@demo_cli.command("seed")
@click.option("--password", default=None, help="Password for the demo admin (random if omitted)")
def seed(password):
    """Create demo accounts; running it again changes nothing."""
    existing = db.session.scalars(select(Staff).filter_by(username=DEMO_ADMIN)).one_or_none()
    if existing is not None:
        credentials = read_demo_credentials(current_app.instance_path)
        click.echo(f"demo data already present; {credentials or 'province admin: ' + DEMO_ADMIN}")
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
    credentials = f"province admin: username {DEMO_ADMIN}  password {password}"
    # Kept in the (git-ignored) instance folder so `make run` can show it again on every start.
    path = Path(current_app.instance_path) / _CREDENTIALS_FILE
    path.write_text(credentials + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo("demo data seeded")
    click.echo(credentials)
