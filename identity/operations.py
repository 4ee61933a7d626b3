"""Use cases for volunteer and staff accounts. They flush; the caller commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import regions
from core.errors import NotFound
from identity.errors import InvalidCredentials, InvalidStaffRole, UsernameTaken
from identity.models import ROLES, Staff, StaffRole, Volunteer, WechatSession
from identity.passwords import hash_password, needs_rehash, verify_password

# Which level of region each admin role must be anchored at.
_ROLE_LEVEL = {"province_admin": "province", "city_admin": "city", "county_admin": "county"}
_LEVEL_NAME = {"province": "省", "city": "市", "county": "县"}


def sign_in_volunteer(
    session: Session, *, openid: str, unionid: str | None, session_key: str
) -> tuple[Volunteer, bool]:
    """Find or create the volunteer for *openid*, store the fresh session_key.

    Returns the volunteer and whether it was created now. Two first logins racing for the
    same openid meet at the unique index: the loser re-reads the winner's row.
    """
    volunteer = session.scalars(select(Volunteer).filter_by(openid=openid)).one_or_none()
    is_new = volunteer is None
    if is_new:
        try:
            with session.begin_nested():
                volunteer = Volunteer(openid=openid, unionid=unionid)
                session.add(volunteer)
        except IntegrityError:
            volunteer = session.scalars(select(Volunteer).filter_by(openid=openid)).one()
            is_new = False
    if unionid and volunteer.unionid != unionid:
        volunteer.unionid = unionid
    stored = session.get(WechatSession, volunteer.id)
    if stored is None:
        session.add(WechatSession(volunteer_id=volunteer.id, session_key=session_key))
    else:
        stored.session_key = session_key
    session.flush()
    return volunteer, is_new


def get_volunteer(session: Session, volunteer_id: int) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("志愿者不存在")
    return volunteer


def update_profile(session: Session, volunteer: Volunteer, **changes: str | None) -> Volunteer:
    """Apply the given profile fields (nickname, real_name, region_code)."""
    if changes.get("region_code") is not None:
        regions.get(changes["region_code"])  # raises InvalidRegion
    for field in ("nickname", "real_name", "region_code"):
        if field in changes:
            setattr(volunteer, field, changes[field])
    session.flush()
    return volunteer


def set_phone(session: Session, volunteer: Volunteer, phone: str) -> Volunteer:
    volunteer.phone = phone
    session.flush()
    return volunteer


def check_role_region(role: str, region_code: str) -> None:
    """Refuse an admin role anchored at the wrong level (a city admin on a county, say)."""
    if role not in ROLES:
        raise InvalidStaffRole(f"未知角色：{role}", role=role)
    region = regions.get(region_code)
    wanted = _ROLE_LEVEL.get(role)
    if wanted and region.level != wanted:
        raise InvalidStaffRole(
            f"{role} 必须属于{_LEVEL_NAME[wanted]}级行政区划",
            role=role,
            region_code=region_code,
        )


def create_staff(
    session: Session,
    *,
    username: str,
    password: str,
    roles: list[str],
    region_code: str,
    display_name: str | None = None,
) -> Staff:
    for role in roles:
        check_role_region(role, region_code)
    if session.scalars(select(Staff.id).filter_by(username=username)).first() is not None:
        raise UsernameTaken(username=username)
    staff = Staff(
        username=username,
        password_hash=hash_password(password),
        region_code=region_code,
        display_name=display_name,
        role_rows=[StaffRole(role=role) for role in sorted(set(roles))],
    )
    session.add(staff)
    session.flush()
    return staff


def authenticate_staff(session: Session, username: str, password: str) -> Staff:
    """Return the active staff member with these credentials or raise InvalidCredentials.

    Unknown user, inactive user and wrong password take the same path and the same time.
    """
    staff = session.scalars(select(Staff).filter_by(username=username)).one_or_none()
    password_ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not password_ok or not staff.is_active:
        raise InvalidCredentials()
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        session.flush()
    return staff
