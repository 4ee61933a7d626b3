"""The console's pages, one module per area; importing them attaches their routes."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, request, url_for

from app.console.blueprint import ROLE_NAMES, bp, has_role
from core import regions
from core.clock import business_time
from miniprogram_api.presenters import hours_decimal

from . import (  # noqa: F401  (each module adds its routes to the blueprint)
    activities,
    dashboard,
    ledger,
    manual_hours,
    perks,
    recognition,
    reports,
    review,
    rules,
    stations,
    teams,
    volunteers,
)

STATUS_NAMES = {
    "open": "进行中",
    "approved": "已通过",
    "pending_review": "待审核",
    "rejected": "已驳回",
    "voided": "已作废",
}


def region_name(code: str | None) -> str:
    if not code:
        return "未设置"
    return regions.get(code).full_name if regions.is_valid(code) else code


def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Show an aware UTC time in Beijing time, as staff read it."""
    return business_time(moment).strftime(pattern) if moment else "—"


def hours(minutes: int | None) -> str:
    return "—" if minutes is None else f"{hours_decimal(minutes):g}"


def visible_regions() -> list:
    """The regions the signed-in staff member may pick in a form: theirs and those below."""
    staff = g.get("staff")
    if staff is None:
        return []
    return [r for r in regions.all_regions() if staff.can_see(r.code)]


def page_url(cursor: str | None) -> str:
    """Return this list page's URL with the same filters and another cursor."""
    args = {key: value for key, value in request.args.items() if key != "cursor"}
    if cursor:
        args["cursor"] = cursor
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register_template_helpers(bp: Blueprint) -> None:
    bp.add_app_template_filter(region_name, "region_name")
    bp.add_app_template_filter(local_time, "local_time")
    bp.add_app_template_filter(hours, "hours")

    @bp.context_processor
    def _helpers():
        return {
            "has_role": has_role,
            "role_names": ROLE_NAMES,
            "status_names": STATUS_NAMES,
            "visible_regions": visible_regions,
            "page_url": page_url,
        }


register_template_helpers(bp)  # at import: a blueprint cannot change once an app registered it
