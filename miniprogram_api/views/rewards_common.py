"""Helpers shared by the perk, redemption, merchant and admin-rewards views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


# Built once, and Core rather than ORM statements (run on the session's connection): they
# only read two columns, and the ORM's per-statement machinery would cost more than that.
_VOLUNTEERS = Volunteer.__table__
_NICKNAMES = select(_VOLUNTEERS.c.id, _VOLUNTEERS.c.nickname).where(
    _VOLUNTEERS.c.id.in_(bindparam("ids", expanding=True))
)
_NICKNAME = select(_VOLUNTEERS.c.nickname).where(_VOLUNTEERS.c.id == bindparam("id"))


def masked_nicknames(volunteer_ids: Iterable[int]) -> dict[int, str | None]:
    """Return volunteer id → masked nickname, in one query."""
    ids = set(volunteer_ids)
    if not ids:
        return {}
    rows = db.session.connection().execute(_NICKNAMES, {"ids": sorted(ids)}).all()
    return {row.id: mask_name(row.nickname) for row in rows}


def masked_nickname(session: Session, volunteer_id: int) -> str | None:
    """Return one volunteer's masked nickname (None when unknown or unset)."""
    return mask_name(session.connection().execute(_NICKNAME, {"id": volunteer_id}).scalar())


def star_level_reader(volunteer_id: int) -> Callable[[Session], int]:
    """Return a reader of the volunteer's star level, as ``/me`` shows it, for any session.

    Called only for a perk that asks for a level, inside the use case's transaction.
    """
    return lambda session: presenters.star(session, session.get(Volunteer, volunteer_id)).level
