"""Earning rules: how many points an hour earns, caps, campaign days, stars, expiry.

Rules are set per region and inherited: a county without its own rules uses its city's, a city
without its own uses the province's, and the province without any uses DEFAULTS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import regions
from core.clock import now
from core.db import Base, BigId
from core.errors import DomainError


class InvalidEarningRules(DomainError):
    code = "VALIDATION_ERROR"
    message = "积分规则不合法"


@dataclass(frozen=True)
class CampaignDay:
    date: str  # "MM-DD"
    multiplier: float
    name: str


@dataclass(frozen=True)
class Rules:
    points_per_hour: int = 10
    daily_cap_points: int = 80
    max_session_minutes: int = 480
    min_session_minutes: int = 30
    campaign_days: tuple[CampaignDay, ...] = (
        CampaignDay("03-05", 2.0, "学雷锋日"),
        CampaignDay("06-05", 2.0, "六五环境日"),
        CampaignDay("12-05", 2.0, "国际志愿者日"),
    )
    star_thresholds_hours: tuple[int, ...] = (100, 300, 600, 1000, 1500)
    points_expire_after_days: int = 730
    manual_hours_earn_points: bool = False
    # A GPS fix reported worse than this is refused at check-in and sent to review at check-out.
    max_accuracy_m: int = 100
    region_code: str | None = field(default=None, compare=False)

    def multiplier_on(self, day: date) -> CampaignDay | None:
        key = day.strftime("%m-%d")
        return next((c for c in self.campaign_days if c.date == key), None)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["campaign_days"] = [asdict(c) for c in self.campaign_days]
        data["star_thresholds_hours"] = list(self.star_thresholds_hours)
        return data


DEFAULTS = Rules()
_FIELDS = [f for f in Rules.__dataclass_fields__ if f != "region_code"]


class EarningRuleSet(Base):
    __tablename__ = "earning_rule_sets"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    rules: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


def _from_dict(data: dict, region_code: str | None) -> Rules:
    values = {k: data[k] for k in _FIELDS if k in data}
    if "campaign_days" in values:
        values["campaign_days"] = tuple(CampaignDay(**c) for c in values["campaign_days"])
    if "star_thresholds_hours" in values:
        values["star_thresholds_hours"] = tuple(values["star_thresholds_hours"])
    return replace(DEFAULTS, **values, region_code=region_code)


def effective(session: Session, region_code: str) -> Rules:
    """Return the rules in force in *region_code*: its own, or the nearest ancestor's."""
    chain = [region_code] + [r.code for r in reversed(regions.ancestors(region_code))]
    rows = {
        row.region_code: row
        for row in session.query(EarningRuleSet).filter(EarningRuleSet.region_code.in_(chain))
    }
    for code in chain:
        if code in rows:
            return _from_dict(rows[code].rules, code)
    return DEFAULTS


def validate(rules: Rules) -> None:
    """Refuse rules that would make check-out or earning impossible or absurd."""
    problems = {}
    if not 0 <= rules.points_per_hour <= 1000:
        problems["points_per_hour"] = "必须在 0 到 1000 之间"
    if not 0 <= rules.daily_cap_points <= 100_000:
        problems["daily_cap_points"] = "必须在 0 到 100000 之间"
    if not 1 <= rules.min_session_minutes < rules.max_session_minutes <= 1440:
        problems["min_session_minutes"] = "必须满足 1 ≤ 最短时长 < 最长时长 ≤ 1440 分钟"
    thresholds = list(rules.star_thresholds_hours)
    if not thresholds or thresholds != sorted(set(thresholds)) or thresholds[0] <= 0:
        problems["star_thresholds_hours"] = "必须是严格递增的正整数"
    if not 1 <= rules.points_expire_after_days <= 3650:
        problems["points_expire_after_days"] = "必须在 1 到 3650 天之间"
    if not 5 <= rules.max_accuracy_m <= 5000:
        problems["max_accuracy_m"] = "必须在 5 到 5000 米之间"
    seen = set()
    for day in rules.campaign_days:
        try:
            datetime.strptime("2024-" + day.date, "%Y-%m-%d")  # 2024 admits 02-29
        except ValueError:
            problems["campaign_days"] = f"日期 {day.date} 不是有效的 MM-DD"
            continue
        if day.date in seen:
            problems["campaign_days"] = f"日期 {day.date} 重复"
        seen.add(day.date)
        if not 1 <= day.multiplier <= 10:
            problems["campaign_days"] = "倍数必须在 1 到 10 之间"
    if problems:
        raise InvalidEarningRules(fields={k: [v] for k, v in problems.items()})


def put(session: Session, region_code: str, data: dict, *, staff_id: int | None) -> Rules:
    """Set the rules of *region_code* (fields not given keep their inherited values)."""
    base = effective(session, region_code).as_dict()
    base.update({k: v for k, v in data.items() if k in _FIELDS})
    rules = _from_dict(base, region_code)
    validate(rules)
    stored = rules.as_dict()
    stored.pop("region_code", None)
    row = session.get(EarningRuleSet, region_code)
    if row is None:
        session.add(EarningRuleSet(region_code=region_code, rules=stored, updated_by=staff_id))
    else:
        row.rules = stored
        row.version += 1
        row.updated_by = staff_id
    session.flush()
    return rules
