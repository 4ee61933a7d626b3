"""The benches' own PostgreSQL databases: created when missing, schema rebuilt each run."""

from __future__ import annotations

import psycopg


def fresh_database(url: str) -> str:
    """Create the database at *url* if needed, rebuild its schema from the migrations.

    Returns the SQLAlchemy URL for it (psycopg 3 driver).
    """
    from flask_migrate import upgrade

    from app import create_app
    from app.config import database_url_for_driver
    from miniprogram_api.extensions import db

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    sa_url = database_url_for_driver(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return sa_url


def analyze(url: str) -> None:
    """Give the planner statistics for the tables as they are now, as autovacuum would.

    Run after seeding and again after the warm-up: redemptions and idempotency keys are
    empty at seeding, and a plan made for an empty table (a sequential scan) is cached by
    every server connection and kept while the table grows, until an ANALYZE invalidates
    it. In service autovacuum analyzes such a table within its first minutes; the bench's
    rounds are shorter than that, so without this its lookups by code and by key read the
    whole table and the rate falls round by round.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
