"""Downloads: a volunteer's service-record certificate (PDF) and the region's xlsx exports."""

from __future__ import annotations

from datetime import date

from flask import g, render_template, request

from app.console.auth import staff_required
from app.console.blueprint import ADMINS, READERS, InvalidForm, bp
from core.errors import DomainError
from miniprogram_api.errors import DOMAIN_STATUS
from miniprogram_api.extensions import db
from miniprogram_api.views.certificates import issuer_name, pdf_response, verification_url
from miniprogram_api.views.exports import xlsx_response
from volunteering.certificates import operations as certificates
from volunteering.exports.operations import KINDS

KIND_NAMES = {
    "volunteers": "志愿者名册",
    "sessions": "服务记录",
    "ledger": "积分流水",
    "redemptions": "兑换记录",
}


@bp.post("/volunteers/<int:volunteer_id>/certificate")
@staff_required(*ADMINS)
def volunteer_certificate(volunteer_id):
    """Issue a volunteer's service-record certificate and download it as a PDF.

    A POST with the page's token, not a link: issuing records a numbered certificate.
    """
    issued = certificates.issue(
        db.session,
        volunteer_id,
        issuer=issuer_name(),
        scope=g.staff.region_code,
        issued_by=g.staff.id,
        verify_url=verification_url,
    )
    return pdf_response(issued)


@bp.get("/exports")
@staff_required(*READERS)
def export_page():
    """Choose a sheet and optional days to download as xlsx."""
    return render_template("console/exports.html", **_form_state())


@bp.get("/exports/download")
@staff_required(*READERS)
def export_download():
    """Download the chosen sheet of the staff member's region; refusals show on the form."""
    try:
        kind = request.args.get("kind")
        if kind not in KINDS:
            raise InvalidForm("请选择导出内容", field="kind")
        first, last = _day("from", "开始日期"), _day("to", "结束日期")
        return xlsx_response(kind, g.staff.region_code, first, last)
    except DomainError as error:
        # A read, so no redirect: the form comes back filled in, with the reason.
        db.session.rollback()
        status = DOMAIN_STATUS.get(error.code, 409)
        return render_template("console/exports.html", error=error.message, **_form_state()), status


def _day(name: str, label: str) -> date | None:
    raw = (request.args.get(name) or "").strip()[:32]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidForm(f"{label}格式应为 YYYY-MM-DD", field=name) from None


def _form_state() -> dict:
    return {
        "kinds": KIND_NAMES,
        "kind": request.args.get("kind", ""),
        "first": (request.args.get("from") or "")[:32],
        "last": (request.args.get("to") or "")[:32],
    }
