"""Service-record certificates as PDFs: the volunteer's own, and one staff issue for them."""

from __future__ import annotations

from flask import Response, current_app, g, url_for
from flask_smorest import Blueprint

from miniprogram_api.auth import staff_required, volunteer_required
from miniprogram_api.errors import ErrorSchema
from miniprogram_api.extensions import db
from volunteering.certificates import operations as certificates

blp = Blueprint(
    "certificates",
    __name__,
    url_prefix="/api/v1",
    description="Service-record certificates (志愿服务记录证明)",
)
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")
PDF = {"type": "string", "format": "binary"}
PDF_DESCRIPTION = (
    "The certificate. The same record asked for again on the same day keeps its number; "
    "changed hours or a new day get a new one. The number is also in the X-Certificate-Number "
    "header."
)


@blp.route("/me/certificate", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.response(200, PDF, content_type="application/pdf", description=PDF_DESCRIPTION)
@blp.alt_response(409, schema=ErrorSchema, description="REAL_NAME_REQUIRED, NO_SERVICE_RECORDED")
def my_certificate():
    """Download your service-record certificate (志愿服务记录证明) as a PDF."""
    issued = certificates.issue(
        db.session, g.volunteer_id, issuer=issuer_name(), verify_url=verification_url
    )
    return pdf_response(issued)


@blp.route("/admin/volunteers/<int:volunteer_id>/certificate", methods=["GET"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(200, PDF, content_type="application/pdf", description=PDF_DESCRIPTION)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
@blp.alt_response(409, schema=ErrorSchema, description="REAL_NAME_REQUIRED, NO_SERVICE_RECORDED")
def volunteer_certificate(volunteer_id):
    """Issue a volunteer's service-record certificate as a PDF (volunteers of your region)."""
    issued = certificates.issue(
        db.session,
        volunteer_id,
        issuer=issuer_name(),
        scope=g.staff.region_code,
        issued_by=g.staff.id,
        verify_url=verification_url,
    )
    return pdf_response(issued)


def issuer_name() -> str:
    return current_app.config["CERTIFICATE_ISSUER"]


def verification_url(number: str) -> str:
    """Return the public address where *number* can be checked (also used by the console)."""
    return url_for("certificate_verification.verify_certificate", number=number, _external=True)


def pdf_response(issued: certificates.IssuedCertificate) -> Response:
    """Answer with the certificate PDF as a download (also used by the console)."""
    return Response(
        issued.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{issued.filename}"',
            "Cache-Control": "no-store",
            "X-Certificate-Number": issued.number,
        },
    )
