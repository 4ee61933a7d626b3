"""The home page and the 2027 dashboard (until the dashboard use case lands, a notice)."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from app.console.auth import staff_required
from app.console.blueprint import READERS, bp


@bp.get("/")
@staff_required()
def home():
    return redirect(url_for("console.dashboard"))


@bp.get("/dashboard")
@staff_required()
def dashboard():
    """Progress toward the policy's 2027 targets."""
    return render_template("console/dashboard_pending.html")


@bp.get("/training")
@staff_required(*READERS)
def training():
    """Training records (the use case is being built alongside the dashboard)."""
    return render_template("console/training_pending.html")
