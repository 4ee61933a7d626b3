"""Demo merchants and perks across Zhejiang, for ``flask demo seed``."""

from __future__ import annotations

from sqlalchemy import select

from rewards.merchants import operations as merchants
from rewards.merchants.models import Merchant
from rewards.perks import operations as perks

# (merchant name, region, address, [perks]); a perk is (title, description, cost, stock,
# per-user limit, limit period, minimum star level).
_DEMO_MERCHANTS = [
    (
        "西溪绿野咖啡",
        "330106",
        "杭州市西湖区天目山路西溪湿地东门旁",
        [
            ("美式咖啡一杯", "凭兑换码到店领取中杯美式一杯", 80, 200, 2, "month", 0),
            ("自带杯续杯券", "自带杯者续杯一次（减塑倡议）", 30, 500, None, "lifetime", 0),
        ],
    ),
    (
        "宁波博物馆",
        "330212",
        "宁波市鄞州区首南中路1000号",
        [("特展门票一张", "当期特展门票一张，需现场核销", 150, 60, 1, "lifetime", 0)],
    ),
    (
        "鹿城公共自行车",
        "330302",
        "温州市鹿城区江心屿码头服务点",
        [("公共自行车骑行月卡", "一个月内每次骑行前 60 分钟免费", 200, 100, 1, "month", 0)],
    ),
    (
        "余村竹林民宿",
        "330523",
        "湖州市安吉县天荒坪镇余村",
        [("周末房费九折", "周五、周六入住房费九折，需提前预约", 500, 20, 1, "lifetime", 1)],
    ),
    (
        "南湖游船码头",
        "330402",
        "嘉兴市南湖区南湖景区游船码头",
        [("南湖游船票", "环湖游船单人票一张", 120, 80, 1, "month", 0)],
    ),
    (
        "浙江图书馆文创店",
        "330000",
        "杭州市西湖区曙光路73号（全省志愿者可兑）",
        [("生态主题帆布袋", "“绿水青山”主题帆布袋一个", 60, 300, 1, "lifetime", 0)],
    ),
]


def seed_merchants_and_perks(session) -> bool:
    """Add demo merchants with their perks across several cities; False if already present."""
    first = _DEMO_MERCHANTS[0][0]
    if session.scalar(select(Merchant.id).filter_by(name=first)) is not None:
        return False
    for name, region_code, address, offers in _DEMO_MERCHANTS:
        merchant = merchants.create_merchant(
            session, name=name, region_code=region_code, address=address, staff_id=None
        )
        for title, description, cost, stock, limit, period, star in offers:
            perks.create_perk(
                session,
                merchant_id=merchant.id,
                stock=stock,
                staff_id=None,
                title=title,
                description=description,
                cost_points=cost,
                per_user_limit=limit,
                limit_period=period,
                min_star_level=star,
            )
    return True
