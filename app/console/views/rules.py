"""Earning rules of the staff member's region: shown to readers, set by admins."""

from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import ADMINS, READERS, InvalidForm, bp, checkbox, integer
from miniprogram_api.extensions import db
from rewards import earning_rules

_CAMPAIGN_LINE = re.compile(r"^(\d{2}-\d{2})\s+(\d+(?:\.\d+)?)\s+(\S.{0,31})$")


@bp.get("/rules")
@staff_required(*READERS)
def rules_page():
    """Show the rules in force in the staff member's region and where they come from."""
    rules = earning_rules.effective(db.session, g.staff.region_code)
    return render_template(
        "console/rules.html",
        rules=rules,
        campaign_text="\n".join(
            f"{day.date} {day.multiplier:g} {day.name}" for day in rules.campaign_days
        ),
    )


@bp.post("/rules")
@staff_required(*ADMINS)
def rules_save():
    """Set the region's own rules; regions below inherit them unless they set their own."""
    data = {
        "points_per_hour": integer("points_per_hour", "每小时积分", minimum=0, maximum=1000),
        "daily_cap_points": integer("daily_cap_points", "每日积分上限", minimum=0, maximum=100_000),
        "min_session_minutes": integer("min_session_minutes", "最短时长", minimum=1, maximum=1440),
        "max_session_minutes": integer("max_session_minutes", "最长时长", minimum=1, maximum=1440),
        "points_expire_after_days": integer(
            "points_expire_after_days", "积分有效期", minimum=1, maximum=3650
        ),
        "max_accuracy_m": integer("max_accuracy_m", "定位精度要求", minimum=5, maximum=5000),
        "manual_hours_earn_points": checkbox("manual_hours_earn_points"),
        "star_thresholds_hours": _thresholds(),
        "campaign_days": _campaign_days(),
    }
    earning_rules.put(db.session, g.staff.region_code, data, staff_id=g.staff.id)
    db.session.commit()
    flash("积分规则已保存，下级区域未单独设置的将沿用", "success")
    return redirect(url_for("console.rules_page"))


def _thresholds() -> list[int]:
    raw = re.split(r"[,，\s]+", (request.form.get("star_thresholds_hours") or "").strip())
    values = [part for part in raw if part]
    if not values or len(values) > 20 or not all(v.isdigit() and len(v) <= 6 for v in values):
        raise InvalidForm("星级门槛应为以逗号分隔的小时数，例如 100, 300, 600")
    return [int(v) for v in values]


def _campaign_days() -> list[dict]:
    days = []
    lines = (request.form.get("campaign_days") or "").splitlines()
    if len(lines) > 366:
        raise InvalidForm("主题活动日过多")
    for line in filter(None, (line.strip() for line in lines)):
        found = _CAMPAIGN_LINE.match(line)
        if found is None:
            raise InvalidForm(f"无法识别的主题活动日：{line[:40]}（格式：06-05 2 六五环境日）")
        days.append({"date": found[1], "multiplier": float(found[2]), "name": found[3].strip()})
    return days
