"""The policy's figures for 2027 (浙江省生态环境志愿服务 实施方案), and how progress is measured."""

from __future__ import annotations

from dataclasses import dataclass

TARGET_YEAR = 2027
TEAMS = 100  # 全省生态环境志愿者队伍达到100支
VOLUNTEERS = 50_000  # 人数达到50000人
BRAND_PROJECTS_PER_CITY = 1  # 每个设区市至少培育1-2个志愿服务品牌项目: at least one is the target
BRAND_PROJECTS_PER_CITY_HIGH = 2


@dataclass(frozen=True)
class Progress:
    """A value against a target: ratio in [0, 1] (capped), met when the value reaches it.

    Without a target (the policy sets none for that scope) ratio and met are None.
    """

    target: int | None
    value: int
    ratio: float | None
    met: bool | None

    @classmethod
    def of(cls, value: int, target: int | None) -> Progress:
        if target is None:
            return cls(None, value, None, None)
        if target <= 0:
            return cls(target, value, 1.0, True)
        return cls(target, value, round(min(value / target, 1.0), 4), value >= target)
