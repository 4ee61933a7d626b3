"""The PostgreSQL path of reserve and confirm: one call each of the functions of migration 0011.

``operations`` is the reference implementation (it runs on SQLite) and decides what the
answers mean; on PostgreSQL ``redemption_reserve()`` and ``redemption_confirm()`` do the same
checks and writes on the server, and this module turns their status rows into the same named
errors. Why on the server: a reservation is CPU-bound in the Python client, and one
statement instead of eight round trips is most of the difference (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ledger import postgres as ledger_sql
from ledger.errors import InsufficientPoints
from rewards import codes
from rewards.errors import (
    AlreadyFulfilled,
    LimitReached,
    NotMerchantStaff,
    OutOfStock,
    PerkNotAvailable,
    PerkNotFound,
    RedemptionCancelled,
    RedemptionCodeInvalid,
    RedemptionExpired,
    StarLevelTooLow,
    WrongMerchant,
)
from rewards.redemptions.models import CODE_LENGTH

# Candidate codes per reservation: a collision at 49 bits is all but impossible, three in a
# row is not going to happen; the function raises rather than loop.
_CANDIDATES = 3

_RESERVE = """
SELECT r_status, r_redemption_id, r_code, r_points, r_limit, r_period
FROM redemption_reserve(%(volunteer_id)s, %(perk_id)s, %(star_level)s, %(codes)s::text[],
                        %(expires_at)s, %(month)s, %(at)s)
"""
_CONFIRM = """
SELECT r_status, r_redemption_id, r_perk_id, r_perk_title, r_volunteer_id, r_points,
       r_transaction_id, r_at
FROM redemption_confirm(%(staff_id)s, %(code)s, %(month)s, %(slot)s, %(metric)s, %(at)s)
"""

_STATUS_ERRORS = {
    "not_staff": NotMerchantStaff,
    "code_invalid": RedemptionCodeInvalid,
    "wrong_merchant": WrongMerchant,
    "cancelled": RedemptionCancelled,
}


def reserve(
    session: Session,
    *,
    volunteer_id: int,
    perk_id: int,
    star_level: int | Callable[[Session], int],
    expires_at: datetime,
    month: str,
    at: datetime,
) -> tuple[int, str, int]:
    """Reserve one unit of the perk; return the redemption id, its code and the points held."""
    params = {
        "volunteer_id": volunteer_id,
        "perk_id": perk_id,
        "star_level": None if callable(star_level) else star_level,
        "codes": ledger_sql.array_literal(codes.new_code(CODE_LENGTH) for _ in range(_CANDIDATES)),
        "expires_at": expires_at,
        "month": month,
        "at": at,
    }
    status, redemption_id, code, points, limit, period = _call(session, _RESERVE, params)
    if status == "star_level_needed":
        params["star_level"] = star_level(session)
        status, redemption_id, code, points, limit, period = _call(session, _RESERVE, params)
    if status == "ok":
        return redemption_id, code, points
    if status == "not_found":
        raise PerkNotFound(perk_id=perk_id)
    if status == "not_available":
        raise PerkNotAvailable(perk_id=perk_id)
    if status == "star_level_too_low":
        raise StarLevelTooLow(required=limit, current=params["star_level"])
    if status == "limit_reached":
        raise LimitReached(limit=limit, period=period)
    if status == "out_of_stock":
        raise OutOfStock(perk_id=perk_id)
    raise RuntimeError(f"redemption_reserve() answered {status!r}")


def confirm(
    session: Session,
    *,
    staff_volunteer_id: int,
    code: str | None,
    month,
    slot: int,
    metric: str,
    at: datetime,
) -> tuple:
    """Confirm the redemption with canonical *code* (None: not a code at all).

    Returns (redemption id, perk id, perk title, volunteer id, points, transaction id).
    """
    params = {
        "staff_id": staff_volunteer_id,
        "code": code,
        "month": month,
        "slot": slot,
        "metric": metric,
        "at": at,
    }
    status, *answer, moment = _call(session, _CONFIRM, params)
    if status == "ok":
        return tuple(answer)
    if status in _STATUS_ERRORS:
        raise _STATUS_ERRORS[status]()
    if status == "already_fulfilled":
        raise AlreadyFulfilled(fulfilled_at=_iso(moment))
    if status == "expired":
        raise RedemptionExpired(expires_at=_iso(moment))
    raise RuntimeError(f"redemption_confirm() answered {status!r}")


def _call(session: Session, statement: str, params: dict) -> tuple:
    try:
        return ledger_sql.fetch(session, statement, params)[0]
    except InsufficientPoints as error:
        # As the reference path says it: what is available against what the perk costs.
        raise InsufficientPoints(
            available=error.details.get("available"), required=error.details.get("required")
        ) from None


def _iso(moment: datetime) -> str:
    """Return *moment* as the reference path shows it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()
