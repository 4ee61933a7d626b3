"""Reads of the perk catalog: what a volunteer may redeem now, and the admin's view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from core import regions
from rewards.merchants.models import Merchant
from rewards.perks.models import Perk, PerkAudit


def related_regions(region_code: str):
    """Return a condition on Perk.region_code: *region_code*, its ancestors or its descendants.

    A volunteer in 西湖区 sees perks offered to 西湖区, to all of 杭州市 and to the whole
    province; asking for 杭州市 also shows those of its districts and counties.
    """
    above = [region_code] + [r.code for r in regions.ancestors(region_code)]
    return or_(
        Perk.region_code.in_(above), Perk.region_code.startswith(regions.scope_prefix(region_code))
    )


def catalog(
    session: Session,
    *,
    at: datetime,
    limit: int,
    after_id: int | None = None,
    region_code: str | None = None,
    max_cost: int | None = None,
) -> list[tuple[Perk, Merchant]]:
    """Return perks open for redemption at *at*, newest first (sold-out ones included)."""
    query = _with_merchant().where(
        Perk.active.is_(True),
        Merchant.active.is_(True),
        or_(Perk.valid_from.is_(None), Perk.valid_from <= at),
        or_(Perk.valid_until.is_(None), Perk.valid_until > at),
    )
    if region_code is not None:
        query = query.where(related_regions(region_code))
    if max_cost is not None:
        query = query.where(Perk.cost_points <= max_cost)
    return _page(session, query, limit, after_id)


def admin_list(
    session: Session,
    *,
    scope_prefix: str,
    limit: int,
    after_id: int | None = None,
    merchant_id: int | None = None,
) -> list[tuple[Perk, Merchant]]:
    """Return every perk of the merchants inside a region subtree, inactive ones included."""
    query = _with_merchant().where(Merchant.region_code.startswith(scope_prefix))
    if merchant_id is not None:
        query = query.where(Perk.merchant_id == merchant_id)
    return _page(session, query, limit, after_id)


def with_merchant(session: Session, perk_id: int) -> tuple[Perk, Merchant] | None:
    row = session.execute(_with_merchant().where(Perk.id == perk_id)).first()
    return None if row is None else (row[0], row[1])


def audit_trail(session: Session, perk_id: int) -> list[PerkAudit]:
    return list(
        session.scalars(
            select(PerkAudit).where(PerkAudit.perk_id == perk_id).order_by(PerkAudit.id.desc())
        )
    )


def _with_merchant() -> Select:
    return select(Perk, Merchant).join(Merchant, Merchant.id == Perk.merchant_id)


def _page(session: Session, query: Select, limit: int, after_id: int | None):
    if after_id is not None:
        query = query.where(Perk.id < after_id)
    rows = session.execute(query.order_by(Perk.id.desc()).limit(limit)).all()
    return [(row[0], row[1]) for row in rows]
