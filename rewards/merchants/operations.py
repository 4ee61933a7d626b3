"""Use cases of merchants: create, bind and unbind staff, reissue the bind code, edit."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core import regions
from core.clock import now
from ledger.uow import atomic
from rewards import codes
from rewards.errors import BindCodeInvalid, MerchantNotFound
from rewards.merchants.models import BIND_CODE_LENGTH, Merchant, MerchantStaff

EDITABLE = ("name", "address", "active")


def create_merchant(
    session: Session, *, name: str, region_code: str, address: str = "", staff_id: int | None
) -> Merchant:
    """Register a merchant in *region_code* with a fresh bind code."""
    regions.get(region_code)

    def work(s: Session) -> Merchant:
        merchant = Merchant(
            name=name.strip(),
            region_code=region_code,
            address=(address or "").strip(),
            bind_code=_unused_bind_code(s),
            created_by=staff_id,
        )
        s.add(merchant)
        s.flush()
        return merchant

    return atomic(session, work)


def update_merchant(session: Session, merchant_id: int, changes: dict) -> Merchant:
    """Change a merchant's name, address or active flag."""

    def work(s: Session) -> Merchant:
        merchant = _get(s, merchant_id)
        for field in EDITABLE:
            if field in changes:
                value = changes[field]
                setattr(merchant, field, value.strip() if isinstance(value, str) else value)
        s.flush()
        return merchant

    return atomic(session, work)


def reissue_bind_code(session: Session, merchant_id: int) -> Merchant:
    """Give the merchant a new bind code; the old one stops working at once.

    Staff already bound stay bound: unbinding is a separate, deliberate act.
    """

    def work(s: Session) -> Merchant:
        merchant = _get(s, merchant_id)
        merchant.bind_code = _unused_bind_code(s)
        s.flush()
        return merchant

    return atomic(session, work)


def bind(session: Session, *, volunteer_id: int, bind_code: str) -> Merchant:
    """Make the volunteer's account staff of the merchant whose bind code this is.

    An account serves one merchant: binding with another merchant's code moves it there.
    """
    canonical = codes.normalize(bind_code, BIND_CODE_LENGTH)
    if canonical is None:
        raise BindCodeInvalid()

    def work(s: Session) -> Merchant:
        merchant = s.scalars(
            select(Merchant).where(Merchant.bind_code == canonical, Merchant.active.is_(True))
        ).one_or_none()
        if merchant is None:
            raise BindCodeInvalid()
        dialect = s.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        values = {"merchant_id": merchant.id, "volunteer_id": volunteer_id, "bound_at": now()}
        s.execute(
            insert(MerchantStaff.__table__)
            .values(values)
            .on_conflict_do_update(
                index_elements=["volunteer_id"],
                set_={"merchant_id": merchant.id, "bound_at": values["bound_at"]},
            )
        )
        return merchant

    return atomic(session, work)


def unbind(session: Session, *, merchant_id: int, volunteer_id: int) -> None:
    """Remove a volunteer's account from the merchant's staff."""

    def work(s: Session) -> None:
        result = s.execute(
            delete(MerchantStaff).where(
                MerchantStaff.merchant_id == merchant_id,
                MerchantStaff.volunteer_id == volunteer_id,
            )
        )
        if result.rowcount == 0:
            raise MerchantNotFound("该账号不是此商家的店员", volunteer_id=volunteer_id)

    atomic(session, work)


def merchant_of(session: Session, volunteer_id: int) -> Merchant | None:
    """Return the merchant the volunteer's account serves, or None."""
    return session.scalars(
        select(Merchant)
        .join(MerchantStaff, MerchantStaff.merchant_id == Merchant.id)
        .where(MerchantStaff.volunteer_id == volunteer_id)
    ).one_or_none()


def staff_of(session: Session, merchant_id: int) -> list[MerchantStaff]:
    return list(
        session.scalars(
            select(MerchantStaff)
            .where(MerchantStaff.merchant_id == merchant_id)
            .order_by(MerchantStaff.bound_at, MerchantStaff.id)
        )
    )


def _get(session: Session, merchant_id: int) -> Merchant:
    merchant = session.get(Merchant, merchant_id, with_for_update=True, populate_existing=True)
    if merchant is None:
        raise MerchantNotFound(merchant_id=merchant_id)
    return merchant


def _unused_bind_code(session: Session) -> str:
    # 59 bits make a collision all but impossible; checking costs one indexed read.
    while True:
        code = codes.new_code(BIND_CODE_LENGTH)
        if session.scalar(select(Merchant.id).where(Merchant.bind_code == code)) is None:
            return code
