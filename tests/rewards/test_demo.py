"""Demo merchants and perks: several cities, seeded once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo_rewards import seed_merchants_and_perks
from core import regions
from rewards.merchants.models import Merchant
from rewards.perks.models import Perk


def test_demo_merchants_span_several_cities_and_are_seeded_once(session):
    assert seed_merchants_and_perks(session) is True
    merchants = session.scalars(select(Merchant)).all()
    cities = {
        regions.city_of(m.region_code).code for m in merchants if regions.city_of(m.region_code)
    }
    assert len(cities) >= 4
    perks = session.scalar(select(func.count(Perk.id)))
    assert perks >= len(merchants)

    assert seed_merchants_and_perks(session) is False
    assert session.scalar(select(func.count(Merchant.id))) == len(merchants)
    assert session.scalar(select(func.count(Perk.id))) == perks
