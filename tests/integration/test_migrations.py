"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

import app.models  # noqa: F401  (register every table on the metadata)
from miniprogram_api.extensions import db


def _drift(connection):
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": False}
    )
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_do_not_drift(app):
    with db.engine.connect() as connection:
        assert _drift(connection) == []


def test_migrations_go_down_to_nothing_and_back_up(app_factory, tmp_path):
    app = app_factory()
    with app.app_context():
        downgrade(revision="base")
        with db.engine.connect() as connection:
            remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        with db.engine.connect() as connection:
            assert _drift(connection) == []
