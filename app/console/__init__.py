"""The staff console under /console: server-rendered pages over the same use cases as the API."""

from __future__ import annotations

from flask import Flask

from app.console import security


def register_console(app: Flask) -> None:
    """Attach the console's pages, CSRF protection and security headers to *app*."""
    from app.console import auth, errors, views  # noqa: F401  (their routes join the blueprint)
    from app.console.blueprint import bp

    app.register_blueprint(bp)
    security.install(app)
