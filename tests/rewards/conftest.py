"""Fixtures for the rewards tests: volunteers, merchants, perks and points made directly."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from identity.models import Volunteer
from ledger import operations as ledger_ops
from miniprogram_api.extensions import db
from rewards.merchants import operations as merchants
from rewards.perks import operations as perks


@pytest.fixture
def make_volunteer(session):
    """Create a volunteer row (no WeChat login needed) and return its id."""
    counter = itertools.count(1)

    def make(region_code: str | None = "330106", nickname: str | None = None) -> int:
        volunteer = Volunteer(
            openid=f"rewards-test-{uuid.uuid4().hex}",
            region_code=region_code,
            nickname=nickname or f"志愿者{next(counter)}",
        )
        session.add(volunteer)
        session.commit()
        return volunteer.id

    return make


@pytest.fixture
def give_points(session):
    """Credit a volunteer with points through the ledger, as an approved session would."""
    counter = itertools.count(1)

    def give(volunteer_id: int, amount: int, **kwargs) -> None:
        ledger_ops.earn(
            session, volunteer_id, amount, reference=f"test-earn:{uuid.uuid4().hex}", **kwargs
        )
        next(counter)

    return give


@pytest.fixture
def make_merchant(session):
    def make(name: str = "西湖边咖啡馆", region_code: str = "330106", address: str = "北山街 1 号"):
        return merchants.create_merchant(
            session, name=name, region_code=region_code, address=address, staff_id=None
        )

    return make


@pytest.fixture
def make_perk(session, make_merchant):
    """Create a perk (and a merchant for it unless one is given); return the Perk."""

    def make(merchant=None, *, stock: int = 10, **fields):
        merchant = merchant or make_merchant()
        values = {"title": "美式咖啡一杯", "description": "凭码到店兑换", "cost_points": 100}
        values.update(fields)
        return perks.create_perk(
            session, merchant_id=merchant.id, stock=stock, staff_id=None, **values
        )

    return make


@pytest.fixture
def session_factory(app):
    """Independent sessions for racing threads, each on its own connection of a wide pool."""
    engine = create_engine(db.engine.url, pool_size=45, max_overflow=0, pool_timeout=60)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()
