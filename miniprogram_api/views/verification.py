"""The public page that checks a certificate number: no login, rate-limited, minimal facts."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from miniprogram_api.extensions import db, limiter
from volunteering.certificates import operations as certificates

blp = Blueprint(
    "certificate_verification", __name__, url_prefix="/verify", template_folder="../templates"
)

# The page names a person (masked): keep it out of caches, search engines and referrers.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


@blp.get("/certificates/<number>")
@limiter.limit(lambda: current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"])
def verify_certificate(number: str):
    """Show whether certificate *number* was issued, and only what it must show."""
    found = certificates.verify(db.session, number)
    if found is None:
        return _page(None, 404)
    return _page(found, 200)


@blp.errorhandler(429)
def _too_many(error):
    return render_template("verify/certificate.html", found=None, limited=True), 429, HEADERS


def _page(found: certificates.Verification | None, status: int):
    return render_template("verify/certificate.html", found=found, limited=False), status, HEADERS
