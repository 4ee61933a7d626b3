"""Helpers shared by the perk, redemption, merchant and admin-rewards views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from flask import jsonify, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.masking import mask_name
from identity.models import Volunteer
from miniprogram_api import presenters
from miniprogram_api.extensions import db
from miniprogram_api.idempotency import HEADER, IDEMPOTENCY_PARAMETER, run_idempotent

BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")
READERS = (*ADMINS, "auditor")

# Optional here: a client that sends no key still works, it just gets no replay protection.
OPTIONAL_IDEMPOTENCY = {**IDEMPOTENCY_PARAMETER, "required": False}


def once(subject: str, work: Callable[[Session], tuple[int, Any]]):
    """Run *work* under the Idempotency-Key when the request carries one, else just run it."""
    if request.headers.get(HEADER) is None:
        status, body = work(db.session)
        response = jsonify(body)
        response.status_code = status
        return response
    return run_idempotent(subject, work)


# Built once: SQLAlchemy then only looks the compiled form up instead of building the
# statement (and its cache key) again on every call.
_NICKNAMES = select(Volunteer.id, Volunteer.nickname).where(
    Volunteer.id.in_(bindparam("ids", expanding=True))
)
_NICKNAME = select(Volunteer.nickname).where(Volunteer.id == bindparam("id"))


def masked_nicknames(volunteer_ids: Iterable[int]) -> dict[int, str | None]:
    """Return volunteer id → masked nickname, in one query."""
    ids = set(volunteer_ids)
    if not ids:
        return {}
    rows = db.session.execute(_NICKNAMES, {"ids": sorted(ids)}).all()
    return {row.id: mask_name(row.nickname) for row in rows}


def masked_nickname(session: Session, volunteer_id: int) -> str | None:
    """Return one volunteer's masked nickname (None when unknown or unset)."""
    return mask_name(session.execute(_NICKNAME, {"id": volunteer_id}).scalar())


def star_level_reader(volunteer: Volunteer) -> Callable[[Session], int]:
    """Return a reader of the volunteer's star level, as ``/me`` shows it, for any session.

    The reader keeps the two values it needs: the loaded volunteer expires with the rollback
    a use case begins with, and reading it again would cost a query.
    """
    who = SimpleNamespace(id=volunteer.id, region_code=volunteer.region_code)
    return lambda session: presenters.star(session, who).level
