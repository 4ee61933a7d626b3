"""The points ledger summary of the staff member's region."""

from __future__ import annotations

from flask import g, render_template
from sqlalchemy import select

from app.console.auth import staff_required
from app.console.blueprint import READERS, bp
from core import regions
from identity.models import Volunteer
from ledger import queries
from miniprogram_api.extensions import db


@bp.get("/ledger")
@staff_required(*READERS)
def ledger_summary():
    """Points issued, adjusted, redeemed, expired, held and outstanding in the region."""
    if g.staff.region_code == regions.PROVINCE_CODE:
        summary = queries.summary(db.session)
    else:
        prefix = regions.scope_prefix(g.staff.region_code)
        in_region = select(Volunteer.id).where(Volunteer.region_code.startswith(prefix))
        summary = queries.summary(db.session, in_region)
    rows = [
        ("累计发放", summary.issued),
        ("人工调整", summary.adjusted),
        ("已兑换", summary.redeemed),
        ("已过期", summary.expired),
        ("冻结中", summary.held),
        ("未使用余额", summary.outstanding),
    ]
    return render_template("console/ledger.html", summary=summary, rows=rows)
