"""Alembic environment, run by Flask-Migrate inside the app (``flask db upgrade``)."""

import logging

from alembic import context
from flask import current_app

import app.models  # noqa: F401  (every model module, so autogenerate sees all tables)

logger = logging.getLogger("alembic.env")
config = context.config
target_metadata = current_app.extensions["migrate"].db.metadata


def _engine():
    return current_app.extensions["migrate"].db.engine


def run_migrations_offline():
    """Emit SQL to stdout instead of running it (``flask db upgrade --sql``)."""
    context.configure(url=_engine().url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty_autogenerate(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty_autogenerate)

    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
