"""CSRF for every console form, security headers on console pages, and safe session cookies."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Blueprint as ApiBlueprint
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

CONSOLE_PREFIX = "/console"
API_PREFIX = "/api/"
# Scripts and styles come only from our own static files: no inline script, no inline style.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class ConsoleSessions(SecureCookieSessionInterface):
    """The console's signed cookie sessions; a bearer-token API request never opens one.

    Flask opens a session for every request, building its signing serializer each time
    (about 2% of a redemption request's CPU, py-spy); the API neither reads nor writes one,
    and its requests get Flask's read-only null session instead.
    """

    def open_session(self, app, request):
        if request.path.startswith(API_PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)


def install(app: Flask) -> None:
    """Protect console forms with CSRF tokens (the bearer-token API is exempt) and add headers."""
    production = app.config.get("APP_ENV") == "production"
    app.session_interface = ConsoleSessions()
    app.config.setdefault("SESSION_COOKIE_NAME", "console_session")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
    # Tokens live as long as the sign-in; the session cookie carries their secret.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)
    csrf.init_app(app)
    for blueprint in app.blueprints.values():
        # The API authenticates with bearer tokens, which a cross-site form cannot send.
        if isinstance(blueprint, ApiBlueprint):
            csrf.exempt(blueprint)

    @app.after_request
    def _console_headers(response):
        if request.path == CONSOLE_PREFIX or request.path.startswith(CONSOLE_PREFIX + "/"):
            for header, value in HEADERS.items():
                response.headers.setdefault(header, value)
            if production:
                response.headers.setdefault(
                    "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
                )
            if response.mimetype == "text/html":
                # Pages show personal data: never keep them in a shared cache.
                response.headers.setdefault("Cache-Control", "no-store")
        return response
