"""Reads of merchants for the admin console."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rewards.merchants.models import Merchant


def admin_list(
    session: Session, *, scope_prefix: str, limit: int, after_id: int | None = None
) -> list[Merchant]:
    """Return the merchants inside a region subtree, newest first."""
    query = select(Merchant).where(Merchant.region_code.startswith(scope_prefix))
    if after_id is not None:
        query = query.where(Merchant.id < after_id)
    return list(session.scalars(query.order_by(Merchant.id.desc()).limit(limit)))
