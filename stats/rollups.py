"""Add to the rollups inside the event's transaction, read them back, rebuild them whole."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.orm import Session

from core.upsert import insert_adding
from stats import metrics
from stats.models import SLOTS, RegionStat

_stats = RegionStat.__table__
_KEY = ("region_code", "month", "metric", "slot")
_BATCH = 5000


def month_of(day: date) -> date:
    """Return the first day of *day*'s month: the grain the rollups are kept at."""
    return day.replace(day=1)


def add(session: Session, region_code: str, day: date, **amounts: int) -> None:
    """Add *amounts* (metric=value, either sign) to *region_code*'s month of *day*.

    One upsert (``value = value + excluded.value``) into one random slot, in the caller's
    transaction: the rollup commits or rolls back with the event it counts. The metrics are
    written in name order, so two transactions landing on one slot lock its rows in one order.
    """
    unknown = set(amounts) - set(metrics.ALL)
    if unknown:
        raise ValueError(f"unknown metrics: {sorted(unknown)}")
    slot = random_slot()
    rows = [
        {
            "region_code": region_code,
            "month": month_of(day),
            "metric": metric,
            "slot": slot,
            "value": value,
        }
        for metric, value in sorted(amounts.items())
        if value
    ]
    if rows:
        _upsert(session, rows)


def random_slot() -> int:
    """Return the slot an addition lands in: random, so concurrent writers rarely meet."""
    return secrets.randbelow(SLOTS)


def _upsert(session: Session, rows: list[dict]) -> None:
    insert_adding(session, _stats, rows, conflict=_KEY, add="value")


def compact(session: Session, *, before: date) -> int:
    """Fold the slots of every month before *before* into slot 0 (the caller commits).

    Slots only spread concurrent writers, and writers crowd into the current month; folding
    the past keeps the rows a dashboard reads to about one per region, month and metric.
    ``DELETE … RETURNING`` hands over exactly the values it removed, and the upsert adds them
    to slot 0, so a late write racing the fold is never lost: it lands in a slot row that
    either was deleted after it committed (and is carried over) or survives to the next run.
    Returns the slot rows folded.
    """
    c = _stats.c
    moved = session.execute(
        delete(_stats)
        .where(c.month < month_of(before), c.slot > 0)
        .returning(c.region_code, c.month, c.metric, c.value)
    ).all()
    totals: dict[Key, int] = defaultdict(int)
    for region_code, month, metric, value in moved:
        totals[(region_code, month, metric)] += value
    rows = [
        {"region_code": r, "month": m, "metric": k, "slot": 0, "value": v}
        for (r, m, k), v in sorted(totals.items())
    ]
    for start in range(0, len(rows), _BATCH):
        _upsert(session, rows[start : start + _BATCH])
    return len(moved)


@dataclass(frozen=True)
class RegionTotals:
    """One region's metrics over all time and within one period (a year, say)."""

    region_code: str
    all_time: dict[str, int]
    in_period: dict[str, int]


def totals_by_region(
    session: Session, *, prefix: str | None, period: tuple[date, date]
) -> list[RegionTotals]:
    """Return every region's totals under *prefix* (None: all), all time and in [start, end).

    One grouped scan of the rollups in scope: its size follows regions and months, not events.
    """
    start, end = period
    c = _stats.c
    in_period = and_(c.month >= month_of(start), c.month < end)
    query = select(
        c.region_code,
        c.metric,
        func.sum(c.value).label("all_time"),
        func.sum(case((in_period, c.value), else_=0)).label("in_period"),
    ).group_by(c.region_code, c.metric)
    if prefix:
        query = query.where(c.region_code.startswith(prefix))
    found: dict[str, RegionTotals] = {}
    for row in session.execute(query):
        totals = found.setdefault(row.region_code, RegionTotals(row.region_code, {}, {}))
        totals.all_time[row.metric] = int(row.all_time)
        totals.in_period[row.metric] = int(row.in_period)
    return list(found.values())


Key = tuple[str, date, str]


def snapshot(session: Session) -> dict[Key, int]:
    """Return every (region, month, metric) total, slots summed, zeros left out."""
    c = _stats.c
    rows = session.execute(
        select(c.region_code, c.month, c.metric, func.sum(c.value)).group_by(
            c.region_code, c.month, c.metric
        )
    )
    return {(r, m, k): int(v) for r, m, k, v in rows if v}


def aggregate(contributions: Iterable[tuple[str, date, str, int]]) -> dict[Key, int]:
    """Fold (region, day, metric, value) contributions into month totals, zeros left out."""
    totals: dict[Key, int] = defaultdict(int)
    for region_code, day, metric, value in contributions:
        if metric not in metrics.ALL:
            raise ValueError(f"unknown metric: {metric}")
        totals[(region_code, month_of(day), metric)] += value
    return {key: value for key, value in totals.items() if value}


def replace_all(session: Session, totals: dict[Key, int]) -> int:
    """Replace every rollup row by *totals* in slot 0 (the caller commits); return rows written."""
    session.execute(delete(_stats))
    rows = [
        {"region_code": r, "month": m, "metric": k, "slot": 0, "value": v}
        for (r, m, k), v in sorted(totals.items())
    ]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(_stats), rows[start : start + _BATCH])
    return len(rows)
