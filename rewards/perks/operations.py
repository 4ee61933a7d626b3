"""Use cases of the perk catalog: create, edit and restock, each leaving an audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from core import regions
from ledger.uow import atomic
from rewards.errors import InvalidPerk, MerchantNotFound, PerkNotFound
from rewards.merchants.models import Merchant
from rewards.perks.models import LIMIT_PERIODS, Perk, PerkAudit

EDITABLE = (
    "title",
    "description",
    "cost_points",
    "per_user_limit",
    "limit_period",
    "valid_from",
    "valid_until",
    "min_star_level",
    "region_code",
    "active",
)
MAX_STOCK = 1_000_000


def create_perk(
    session: Session, *, merchant_id: int, stock: int, staff_id: int | None, **fields: Any
) -> Perk:
    """Add a perk to a merchant's catalog with *stock* units; region defaults to the merchant's."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown perk fields: {sorted(unknown)}")
    _check_stock(stock, "stock")

    def work(s: Session) -> Perk:
        merchant = s.get(Merchant, merchant_id)
        if merchant is None:
            raise MerchantNotFound(merchant_id=merchant_id)
        values = {"limit_period": "lifetime", "min_star_level": 0, "active": True, **fields}
        if values.get("region_code") is None:
            values["region_code"] = merchant.region_code
        perk = Perk(merchant_id=merchant_id, stock_total=stock, stock_left=stock, **values)
        _validate(perk)
        s.add(perk)
        s.flush()
        changes = {name: [None, _jsonable(getattr(perk, name))] for name in EDITABLE}
        changes["stock_total"] = [None, stock]
        s.add(PerkAudit(perk_id=perk.id, staff_id=staff_id, action="create", changes=changes))
        s.flush()
        return perk

    return atomic(session, work)


def update_perk(
    session: Session, perk_id: int, changes: dict[str, Any], *, staff_id: int | None
) -> Perk:
    """Change the perk's editable fields; stock moves only through ``restock`` and redemptions."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown perk fields: {sorted(unknown)}")

    def work(s: Session) -> Perk:
        perk = _locked(s, perk_id)
        diff = {}
        for name, value in changes.items():
            old = getattr(perk, name)
            if old != value:
                diff[name] = [_jsonable(old), _jsonable(value)]
                setattr(perk, name, value)
        _validate(perk)
        if diff:
            s.add(PerkAudit(perk_id=perk.id, staff_id=staff_id, action="update", changes=diff))
        s.flush()
        return perk

    return atomic(session, work)


def restock(session: Session, perk_id: int, quantity: int, *, staff_id: int | None) -> Perk:
    """Add *quantity* units to the perk's stock (total and left alike)."""
    _check_stock(quantity, "quantity", minimum=1)

    def work(s: Session) -> Perk:
        perk = _locked(s, perk_id)
        before = (perk.stock_total, perk.stock_left)
        if before[0] + quantity > MAX_STOCK:
            raise InvalidPerk(f"库存总量不能超过 {MAX_STOCK}", fields={"quantity": ["库存过大"]})
        # One relative UPDATE: a reservation committing meanwhile cannot be overwritten.
        s.execute(
            update(Perk.__table__)
            .where(Perk.__table__.c.id == perk_id)
            .values(
                stock_total=Perk.__table__.c.stock_total + quantity,
                stock_left=Perk.__table__.c.stock_left + quantity,
            )
        )
        s.refresh(perk)
        s.add(
            PerkAudit(
                perk_id=perk_id,
                staff_id=staff_id,
                action="restock",
                changes={
                    "stock_total": [before[0], perk.stock_total],
                    "stock_left": [before[1], perk.stock_left],
                    "quantity": [None, quantity],
                },
            )
        )
        s.flush()
        return perk

    return atomic(session, work)


def _locked(session: Session, perk_id: int) -> Perk:
    perk = session.get(Perk, perk_id, with_for_update=True, populate_existing=True)
    if perk is None:
        raise PerkNotFound(perk_id=perk_id)
    return perk


def _check_stock(value: Any, field: str, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_STOCK:
        raise InvalidPerk(
            f"数量必须是 {minimum} 到 {MAX_STOCK} 之间的整数",
            fields={field: [f"必须在 {minimum} 到 {MAX_STOCK} 之间"]},
        )


def _validate(perk: Perk) -> None:
    problems: dict[str, list[str]] = {}
    if not perk.title or not perk.title.strip():
        problems["title"] = ["标题不能为空"]
    if not isinstance(perk.cost_points, int) or perk.cost_points <= 0:
        problems["cost_points"] = ["所需积分必须是正整数"]
    if perk.per_user_limit is not None and perk.per_user_limit < 1:
        problems["per_user_limit"] = ["每人限兑次数至少为 1，不限请留空"]
    if perk.limit_period not in LIMIT_PERIODS:
        problems["limit_period"] = ["必须是 lifetime 或 month"]
    if perk.min_star_level is None or perk.min_star_level < 0:
        problems["min_star_level"] = ["不能小于 0"]
    if perk.valid_from and perk.valid_until and perk.valid_from >= perk.valid_until:
        problems["valid_until"] = ["结束时间必须晚于开始时间"]
    if not regions.is_valid(perk.region_code):
        problems["region_code"] = ["不是浙江省内有效的行政区划代码"]
    if problems:
        first = next(iter(problems.values()))[0]
        raise InvalidPerk(first, fields=problems)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
