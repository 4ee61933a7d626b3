"""The perk catalog and merchants: create, edit, restock, deactivate, reissue bind codes."""

from __future__ import annotations

from datetime import datetime, time

from flask import flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    READERS,
    InvalidForm,
    after_id,
    bp,
    checkbox,
    integer,
    page_of,
    text,
)
from core import regions
from core.clock import BUSINESS_TZ
from miniprogram_api.extensions import db
from miniprogram_api.scoping import visible_merchant
from miniprogram_api.views.admin_rewards import visible_perk
from rewards import codes
from rewards.merchants import operations as merchants
from rewards.merchants import queries as merchant_queries
from rewards.perks import operations as perks
from rewards.perks import queries as perk_queries
from rewards.perks.models import LIMIT_PERIODS

MAX_POINTS = 1_000_000
MAX_STOCK = perks.MAX_STOCK
LIMIT_PERIOD_NAMES = {"lifetime": "累计", "month": "每月"}


# Perks


@bp.get("/perks")
@staff_required(*READERS)
def perk_list():
    """List the perks of the merchants in the staff member's region, inactive ones too."""
    rows = perk_queries.admin_list(
        db.session,
        scope_prefix=regions.scope_prefix(g.staff.region_code),
        limit=PAGE_SIZE + 1,
        after_id=after_id(),
    )
    items, next_cursor = page_of(rows, key=lambda row: row[0].id)
    return render_template("console/perks.html", items=items, next_cursor=next_cursor)


@bp.get("/perks/new")
@staff_required(*ADMINS)
def perk_new():
    return render_template(
        "console/perk_form.html", perk=None, merchants=_merchant_choices(), **_choices()
    )


@bp.post("/perks")
@staff_required(*ADMINS)
def perk_create():
    """Add a perk to a merchant's catalog."""
    merchant_id = integer("merchant_id", "商家", minimum=1, maximum=2**63 - 1)
    merchant = visible_merchant(merchant_id)
    fields = _perk_fields()
    stock = integer("stock", "库存", minimum=0, maximum=MAX_STOCK)
    perk = perks.create_perk(
        db.session, merchant_id=merchant.id, stock=stock, staff_id=g.staff.id, **fields
    )
    flash(f"已创建优待服务「{perk.title}」", "success")
    return redirect(url_for("console.perk_detail", perk_id=perk.id))


@bp.get("/perks/<int:perk_id>")
@staff_required(*READERS)
def perk_detail(perk_id):
    """Show a perk: its edit form, restock form and audit trail."""
    perk = visible_perk(perk_id)
    return render_template(
        "console/perk_form.html",
        perk=perk,
        audit=perk_queries.audit_trail(db.session, perk_id),
        merchants=[],
        **_choices(),
    )


@bp.post("/perks/<int:perk_id>")
@staff_required(*ADMINS)
def perk_update(perk_id):
    """Change a perk's terms (audited)."""
    visible_perk(perk_id)
    perks.update_perk(db.session, perk_id, _perk_fields(), staff_id=g.staff.id)
    flash("已保存修改", "success")
    return redirect(url_for("console.perk_detail", perk_id=perk_id))


@bp.post("/perks/<int:perk_id>/restock")
@staff_required(*ADMINS)
def perk_restock(perk_id):
    """Add units to a perk's stock (audited)."""
    visible_perk(perk_id)
    quantity = integer("quantity", "补充数量", minimum=1, maximum=MAX_STOCK)
    perks.restock(db.session, perk_id, quantity, staff_id=g.staff.id)
    flash(f"已补充库存 {quantity} 份", "success")
    return redirect(url_for("console.perk_detail", perk_id=perk_id))


@bp.post("/perks/<int:perk_id>/active")
@staff_required(*ADMINS)
def perk_set_active(perk_id):
    """Put a perk on or off the catalog (audited)."""
    visible_perk(perk_id)
    active = checkbox("active")
    perks.update_perk(db.session, perk_id, {"active": active}, staff_id=g.staff.id)
    flash("已上架" if active else "已下架", "success")
    return redirect(url_for("console.perk_detail", perk_id=perk_id))


def _perk_fields() -> dict:
    limit_period = request.form.get("limit_period", "lifetime")
    if limit_period not in LIMIT_PERIODS:
        raise InvalidForm("限兑周期无效", field="limit_period")
    region_code = request.form.get("region_code") or None
    if region_code is not None:
        if not regions.is_valid(region_code):
            raise InvalidForm("适用区域无效", field="region_code")
        g.staff.require_region(region_code)
    fields = {
        "title": text("title", "名称", max_length=100),
        "description": text("description", "说明", required=False, max_length=2000),
        "cost_points": integer("cost_points", "所需积分", minimum=1, maximum=MAX_POINTS),
        "per_user_limit": integer(
            "per_user_limit", "每人限兑次数", required=False, minimum=1, maximum=1000
        ),
        "limit_period": limit_period,
        "min_star_level": integer("min_star_level", "最低星级", minimum=0, maximum=5),
        "valid_from": _day("valid_from", "开始日期"),
        "valid_until": _day("valid_until", "结束日期"),
    }
    if region_code is not None:
        fields["region_code"] = region_code
    return fields


def _day(name: str, label: str) -> datetime | None:
    """Return a date field as the start of that day in Beijing time (None when empty)."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidForm(f"{label}格式应为 YYYY-MM-DD", field=name) from None
    return datetime.combine(day, time(), tzinfo=BUSINESS_TZ)


def _choices() -> dict:
    return {"limit_periods": LIMIT_PERIOD_NAMES}


def _merchant_choices() -> list:
    return merchant_queries.admin_list(
        db.session, scope_prefix=regions.scope_prefix(g.staff.region_code), limit=500
    )


# Merchants


@bp.get("/merchants")
@staff_required(*READERS)
def merchant_list():
    """List the merchants in the staff member's region, with a form to register one."""
    rows = merchant_queries.admin_list(
        db.session,
        scope_prefix=regions.scope_prefix(g.staff.region_code),
        limit=PAGE_SIZE + 1,
        after_id=after_id(),
    )
    items, next_cursor = page_of(rows)
    return render_template("console/merchants.html", items=items, next_cursor=next_cursor)


@bp.post("/merchants")
@staff_required(*ADMINS)
def merchant_create():
    """Register a merchant in the staff member's region."""
    region_code = request.form.get("region_code") or ""
    if not regions.is_valid(region_code):
        raise InvalidForm("请选择所属区域", field="region_code")
    g.staff.require_region(region_code)
    merchant = merchants.create_merchant(
        db.session,
        name=text("name", "商家名称", max_length=100),
        region_code=region_code,
        address=text("address", "地址", required=False, max_length=255),
        staff_id=g.staff.id,
    )
    flash(f"已登记商家「{merchant.name}」，请将绑定码交给商家店员", "success")
    return redirect(url_for("console.merchant_detail", merchant_id=merchant.id))


@bp.get("/merchants/<int:merchant_id>")
@staff_required(*READERS)
def merchant_detail(merchant_id):
    """Show a merchant: edit form, bind code, bound staff and its perks."""
    merchant = visible_merchant(merchant_id)
    staff = merchants.staff_of(db.session, merchant.id)
    merchant_perks = perk_queries.admin_list(
        db.session,
        scope_prefix=regions.scope_prefix(g.staff.region_code),
        limit=100,
        merchant_id=merchant.id,
    )
    return render_template(
        "console/merchant_detail.html",
        merchant=merchant,
        bind_code=codes.grouped(merchant.bind_code, 4),
        staff=staff,
        perks=merchant_perks,
    )


@bp.post("/merchants/<int:merchant_id>")
@staff_required(*ADMINS)
def merchant_update(merchant_id):
    """Rename a merchant or change its address."""
    visible_merchant(merchant_id)
    changes = {
        "name": text("name", "商家名称", max_length=100),
        "address": text("address", "地址", required=False, max_length=255),
    }
    merchants.update_merchant(db.session, merchant_id, changes)
    flash("已保存修改", "success")
    return redirect(url_for("console.merchant_detail", merchant_id=merchant_id))


@bp.post("/merchants/<int:merchant_id>/active")
@staff_required(*ADMINS)
def merchant_set_active(merchant_id):
    """Activate or deactivate a merchant (a deactivated one's perks leave the catalog)."""
    visible_merchant(merchant_id)
    active = checkbox("active")
    merchants.update_merchant(db.session, merchant_id, {"active": active})
    flash("商家已启用" if active else "商家已停用", "success")
    return redirect(url_for("console.merchant_detail", merchant_id=merchant_id))


@bp.post("/merchants/<int:merchant_id>/bind-code")
@staff_required(*ADMINS)
def merchant_reissue_code(merchant_id):
    """Issue a new bind code; the old one stops working at once."""
    visible_merchant(merchant_id)
    merchants.reissue_bind_code(db.session, merchant_id)
    flash("已重新生成绑定码，旧绑定码立即失效", "success")
    return redirect(url_for("console.merchant_detail", merchant_id=merchant_id))
