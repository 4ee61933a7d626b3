"""The four sheets: for each, its Chinese headers, the scoped query and how a row reads.

Personal data is masked (names, nicknames, phones); redemption codes are never exported,
since a reserved one can still be spent. Times are Beijing time (the business time zone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from core import regions
from core.clock import BUSINESS_TZ
from core.masking import mask_name, mask_phone, mask_phones_in_text
from identity.models import Volunteer
from ledger.models import Account, Entry, LedgerTransaction
from rewards.merchants.models import Merchant
from rewards.perks.models import Perk
from rewards.redemptions.models import Redemption
from volunteering.sessions.models import ServiceSession, VolunteerHours
from volunteering.stations.models import Station
from volunteering.volunteer_scope import volunteers_in

SESSION_STATUS = {
    "open": "进行中",
    "approved": "已通过",
    "pending_review": "待审核",
    "rejected": "已驳回",
    "voided": "已作废",
}
LEDGER_KIND = {
    "earn": "服务获得",
    "redeem": "兑换消费",
    "expire": "过期",
    "reversal": "冲正",
    "adjustment": "人工调整",
    "transfer": "转账",
}
REDEMPTION_STATUS = {
    "reserved": "待核销",
    "fulfilled": "已核销",
    "cancelled": "已取消",
    "expired": "已过期",
}


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: tuple[str, ...]
    # (scope, first day, last day) → the query; rows come back in a stable order.
    query: Callable[[str, date | None, date | None], Select]
    row: Callable[[Any], list]


def hours(minutes: int | None) -> float:
    """Return minutes as hours, two decimals, rounded half-up."""
    value = Decimal(minutes or 0) / 60
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def local(moment: datetime | None) -> datetime | None:
    """Return *moment* as naive Beijing time (spreadsheets have no time zones)."""
    return moment.astimezone(BUSINESS_TZ).replace(tzinfo=None) if moment else None


@cache
def region_name(code: str | None) -> str:
    return regions.get(code).full_name if code and regions.is_valid(code) else ""


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Return the UTC instants from the start of *first* to the end of *last* (Beijing days)."""

    def start(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ).astimezone(UTC)

    return (start(first) if first else None, start(last + timedelta(days=1)) if last else None)


def _between(query: Select, column, first: date | None, last: date | None) -> Select:
    since, until = day_bounds(first, last)
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query


def _volunteers(scope: str, first: date | None, last: date | None) -> Select:
    query = (
        select(Volunteer, VolunteerHours, Account.balance)
        .outerjoin(VolunteerHours, VolunteerHours.volunteer_id == Volunteer.id)
        .outerjoin(Account, Account.volunteer_id == Volunteer.id)
        .where(volunteers_in(scope))
        .order_by(Volunteer.id)
    )
    return _between(query, Volunteer.created_at, first, last)


def _volunteer_row(row) -> list:
    volunteer, recorded, balance = row
    system = recorded.system_minutes if recorded else 0
    manual = recorded.manual_minutes if recorded else 0
    return [
        volunteer.id,
        mask_name(volunteer.nickname) or "",
        mask_name(volunteer.real_name) or "",
        mask_phone(volunteer.phone) or "",
        region_name(volunteer.region_code),
        hours(system),
        hours(manual),
        hours(system + manual),
        balance or 0,
        local(volunteer.created_at),
    ]


def _sessions(scope: str, first: date | None, last: date | None) -> Select:
    query = (
        select(ServiceSession, Station.name, Volunteer.real_name)
        .join(Station, Station.id == ServiceSession.station_id)
        .join(Volunteer, Volunteer.id == ServiceSession.volunteer_id)
        .where(ServiceSession.region_code.startswith(regions.scope_prefix(scope)))
        .order_by(ServiceSession.id)
    )
    if first is not None:
        query = query.where(ServiceSession.business_date >= first)
    if last is not None:
        query = query.where(ServiceSession.business_date <= last)
    return query


def _session_row(row) -> list:
    record, station_name, real_name = row
    return [
        record.id,
        record.volunteer_id,
        mask_name(real_name) or "",
        station_name,
        region_name(record.region_code),
        record.business_date.isoformat(),
        local(record.checked_in_at),
        local(record.checked_out_at),
        record.credited_minutes,
        SESSION_STATUS.get(record.status, record.status),
        record.points_awarded,
        record.organizer_rating,
    ]


def _ledger(scope: str, first: date | None, last: date | None) -> Select:
    query = (
        select(Entry, Account.volunteer_id, LedgerTransaction.kind, LedgerTransaction.memo)
        .join(Account, Account.id == Entry.account_id)
        .join(Volunteer, Volunteer.id == Account.volunteer_id)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .where(Account.kind == "volunteer", volunteers_in(scope))
        .order_by(Entry.id)
    )
    return _between(query, Entry.created_at, first, last)


def _ledger_row(row) -> list:
    entry, volunteer_id, kind, memo = row
    return [
        entry.id,
        entry.transaction_id,
        volunteer_id,
        LEDGER_KIND.get(kind, kind),
        entry.amount,
        entry.balance_after,
        mask_phones_in_text(memo or ""),
        local(entry.created_at),
    ]


def _redemptions(scope: str, first: date | None, last: date | None) -> Select:
    merchant = aliased(Merchant)
    query = (
        select(Redemption, Perk.title, merchant.name, merchant.region_code)
        .join(Perk, Perk.id == Redemption.perk_id)
        .join(merchant, merchant.id == Redemption.merchant_id)
        .where(merchant.region_code.startswith(regions.scope_prefix(scope)))
        .order_by(Redemption.id)
    )
    return _between(query, Redemption.created_at, first, last)


def _redemption_row(row) -> list:
    redemption, perk_title, merchant_name, merchant_region = row
    return [
        redemption.id,
        redemption.volunteer_id,
        perk_title,
        merchant_name,
        region_name(merchant_region),
        redemption.points,
        REDEMPTION_STATUS.get(redemption.status, redemption.status),
        local(redemption.created_at),
        local(redemption.fulfilled_at),
    ]


SHEETS = {
    "volunteers": Sheet(
        "志愿者",
        (
            "志愿者编号",
            "昵称（脱敏）",
            "姓名（脱敏）",
            "手机号（脱敏）",
            "所属地区",
            "系统时长（小时）",
            "补录时长（小时）",
            "累计时长（小时）",
            "积分余额",
            "注册时间（北京时间）",
        ),
        _volunteers,
        _volunteer_row,
    ),
    "sessions": Sheet(
        "服务记录",
        (
            "记录编号",
            "志愿者编号",
            "姓名（脱敏）",
            "服务站点",
            "站点所在地区",
            "服务日期",
            "签到时间（北京时间）",
            "签退时间（北京时间）",
            "计入时长（分钟）",
            "状态",
            "获得积分",
            "组织方评价",
        ),
        _sessions,
        _session_row,
    ),
    "ledger": Sheet(
        "积分流水",
        (
            "分录编号",
            "交易编号",
            "志愿者编号",
            "类型",
            "积分变动",
            "变动后余额",
            "摘要",
            "记账时间（北京时间）",
        ),
        _ledger,
        _ledger_row,
    ),
    "redemptions": Sheet(
        "兑换记录",
        (
            "兑换编号",
            "志愿者编号",
            "优待服务",
            "商户",
            "商户所在地区",
            "消耗积分",
            "状态",
            "申请时间（北京时间）",
            "核销时间（北京时间）",
        ),
        _redemptions,
        _redemption_row,
    ),
}
