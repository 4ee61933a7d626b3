"""Fixtures for the ledger tests: volunteers made directly, and sessions for racing threads."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from identity.models import Volunteer
from miniprogram_api.extensions import db


@pytest.fixture
def make_volunteer(session):
    """Create a volunteer row (no WeChat login needed) and return its id."""
    counter = itertools.count(1)

    def make(region_code: str | None = "330106", nickname: str | None = None) -> int:
        volunteer = Volunteer(
            openid=f"ledger-test-{uuid.uuid4().hex}",
            region_code=region_code,
            nickname=nickname or f"志愿者{next(counter)}",
        )
        session.add(volunteer)
        session.commit()
        return volunteer.id

    return make


@pytest.fixture
def session_factory(app):
    """Independent sessions for racing threads, each on its own connection of a wide pool."""
    engine = create_engine(db.engine.url, pool_size=25, max_overflow=0, pool_timeout=60)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()
