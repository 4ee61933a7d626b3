"""Use cases for teams, projects, activities and sign-ups. They flush; the caller commits.

Staff-facing use cases take a ``Viewer`` (see ``volunteering.stations.operations``): objects
outside the viewer's region are "not found". Sign-up takes a place with one conditional
UPDATE, so concurrent sign-ups can never overfill an activity.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core import regions
from core.errors import DomainError, NotFound
from identity.models import Volunteer
from volunteering.activities.errors import ActivityFull, SignupClosed
from volunteering.activities.models import (
    MEMBER_ROLES,
    TEAM_KINDS,
    Activity,
    Project,
    Signup,
    Team,
    TeamMember,
)
from volunteering.errors import StationInactive
from volunteering.stations.models import StationManager
from volunteering.stations.operations import MAX_ID, InvalidInput, Viewer, get_station

MAX_ACTIVITY_LENGTH = timedelta(days=31)
_NO_SYNC = {"synchronize_session": False}


def _in_scope(column, viewer: Viewer):
    return column.startswith(regions.scope_prefix(viewer.region_code))


def _get_scoped(session: Session, model, object_id: int, viewer: Viewer, message: str):
    found = session.get(model, object_id) if 0 < object_id <= MAX_ID else None
    if found is None or not viewer.sees_region(found.region_code):
        raise NotFound(message)
    return found


def _after_id(query, model, after_id: int | None, limit: int):
    if after_id is not None:
        query = query.where(model.id < after_id)
    return query.order_by(model.id.desc()).limit(limit)


# Teams


def create_team(
    session: Session, viewer: Viewer, *, name: str, kind: str, region_code: str, description=""
) -> Team:
    """Register a team inside the viewer's region."""
    if kind not in TEAM_KINDS:
        raise InvalidInput("kind", "队伍类型必须是：" + "、".join(TEAM_KINDS))
    regions.get(region_code)
    viewer.require_region(region_code)
    team = Team(name=name, kind=kind, region_code=region_code, description=description or "")
    session.add(team)
    session.flush()
    return team


def get_team(session: Session, viewer: Viewer, team_id: int) -> Team:
    return _get_scoped(session, Team, team_id, viewer, "队伍不存在")


def list_teams(
    session: Session,
    viewer: Viewer,
    *,
    limit: int,
    after_id: int | None = None,
    region_code: str | None = None,
    kind: str | None = None,
) -> list[Team]:
    """Return up to *limit* teams of the viewer's region, newest first."""
    query = select(Team).where(_in_scope(Team.region_code, viewer))
    if region_code is not None:
        query = query.where(Team.region_code.startswith(regions.scope_prefix(region_code)))
    if kind is not None:
        query = query.where(Team.kind == kind)
    return list(session.scalars(_after_id(query, Team, after_id, limit)))


def add_team_member(
    session: Session, viewer: Viewer, team_id: int, *, volunteer_id: int, role: str = "member"
) -> tuple[TeamMember, bool]:
    """Add a volunteer to a team, or change their role; return the member and if it is new."""
    team = get_team(session, viewer, team_id)
    if role not in MEMBER_ROLES:
        raise InvalidInput("role", "角色必须是 member 或 leader")
    if not 0 < volunteer_id <= MAX_ID or session.get(Volunteer, volunteer_id) is None:
        raise NotFound("志愿者不存在", volunteer_id=volunteer_id)
    member = session.get(TeamMember, (team.id, volunteer_id))
    if member is not None:
        member.role = role
        session.flush()
        return member, False
    try:
        with session.begin_nested():
            member = TeamMember(team_id=team.id, volunteer_id=volunteer_id, role=role)
            session.add(member)
    except IntegrityError:  # added by a concurrent request: change its role instead
        member = session.get(TeamMember, (team.id, volunteer_id))
        member.role = role
        session.flush()
        return member, False
    return member, True


def team_members(session: Session, viewer: Viewer, team_id: int) -> list[TeamMember]:
    team = get_team(session, viewer, team_id)
    return list(
        session.scalars(
            select(TeamMember).where(TeamMember.team_id == team.id).order_by(TeamMember.joined_at)
        )
    )


# Projects (项目库)


def create_project(
    session: Session,
    viewer: Viewer,
    *,
    title: str,
    region_code: str,
    team_id: int | None = None,
    description: str = "",
    is_brand: bool = False,
) -> Project:
    """Add a project to the library of the viewer's region."""
    regions.get(region_code)
    viewer.require_region(region_code)
    if team_id is not None:
        get_team(session, viewer, team_id)
    project = Project(
        title=title,
        region_code=region_code,
        team_id=team_id,
        description=description or "",
        is_brand=is_brand,
    )
    session.add(project)
    session.flush()
    return project


def get_project(session: Session, viewer: Viewer, project_id: int) -> Project:
    return _get_scoped(session, Project, project_id, viewer, "项目不存在")


def update_project(session: Session, viewer: Viewer, project_id: int, **values: Any) -> Project:
    """Change a project's title, description, team or brand flag."""
    project = get_project(session, viewer, project_id)
    if values.get("team_id") is not None:
        get_team(session, viewer, values["team_id"])
    if "description" in values:
        values["description"] = values["description"] or ""
    for field in ("title", "description", "team_id", "is_brand"):
        if field in values:
            setattr(project, field, values[field])
    session.flush()
    return project


def list_projects(
    session: Session,
    viewer: Viewer,
    *,
    limit: int,
    after_id: int | None = None,
    region_code: str | None = None,
    is_brand: bool | None = None,
) -> list[Project]:
    """Return up to *limit* projects of the viewer's region, newest first."""
    query = select(Project).where(_in_scope(Project.region_code, viewer))
    if region_code is not None:
        query = query.where(Project.region_code.startswith(regions.scope_prefix(region_code)))
    if is_brand is not None:
        query = query.where(Project.is_brand.is_(is_brand))
    return list(session.scalars(_after_id(query, Project, after_id, limit)))


# Activities


def create_activity(
    session: Session,
    viewer: Viewer,
    *,
    title: str,
    station_id: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    signup_required: bool,
    at: datetime,
    project_id: int | None = None,
    signup_deadline: datetime | None = None,
    description: str = "",
    created_by: int | None = None,
) -> Activity:
    """Publish an activity at a station the viewer may see."""
    station = get_station(session, viewer, station_id)
    if not station.is_active:
        raise StationInactive("站点已停用，不能发布活动", station_id=station.id)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at", "结束时间必须晚于开始时间")
    if ends_at <= at:
        raise InvalidInput("ends_at", "结束时间已过，不能发布")
    if ends_at - starts_at > MAX_ACTIVITY_LENGTH:
        raise InvalidInput("ends_at", "单次活动不能超过 31 天")
    if capacity < 1:
        raise InvalidInput("capacity", "名额至少为 1")
    deadline = signup_deadline or starts_at
    if deadline > ends_at:
        raise InvalidInput("signup_deadline", "报名截止时间不能晚于活动结束时间")
    if project_id is not None:
        project = session.get(Project, project_id) if 0 < project_id <= MAX_ID else None
        # One answer for "no such project" and "not here", so ids cannot be probed.
        if project is None or not regions.contains(project.region_code, station.region_code):
            raise NotFound("项目不存在或不覆盖该站点所在区域", project_id=project_id)
    activity = Activity(
        title=title,
        station_id=station.id,
        project_id=project_id,
        region_code=station.region_code,
        description=description or "",
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        signup_required=signup_required,
        signup_deadline=deadline,
        status="published",
        signup_count=0,
        created_by=created_by,
    )
    session.add(activity)
    session.flush()
    return activity


def get_activity(session: Session, viewer: Viewer, activity_id: int) -> Activity:
    """Return an activity at a station the viewer may see, or raise NotFound."""
    activity = (
        session.scalars(_staff_activities(viewer).where(Activity.id == activity_id)).first()
        if 0 < activity_id <= MAX_ID
        else None
    )
    if activity is None:
        raise NotFound("活动不存在", activity_id=activity_id)
    return activity


def cancel_activity(session: Session, viewer: Viewer, activity_id: int) -> Activity:
    """Cancel an activity: sign-ups close; existing sign-ups stay on record."""
    activity = get_activity(session, viewer, activity_id)
    activity.status = "cancelled"
    session.flush()
    return activity


def _staff_activities(viewer: Viewer):
    query = select(Activity).where(_in_scope(Activity.region_code, viewer))
    if viewer.manager_id is not None:
        managed = select(StationManager.station_id).where(
            StationManager.staff_id == viewer.manager_id
        )
        query = query.where(Activity.station_id.in_(managed))
    return query


def _time_window(query, start_from: datetime | None, until: datetime | None):
    if start_from is not None:
        query = query.where(Activity.ends_at >= start_from)
    if until is not None:
        query = query.where(Activity.starts_at <= until)
    return query


def list_activities_for_staff(
    session: Session,
    viewer: Viewer,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
    station_id: int | None = None,
    start_from: datetime | None = None,
    until: datetime | None = None,
    status: str | None = None,
) -> list[Activity]:
    """Return activities the viewer may see, latest start first, after the key *after*."""
    query = _time_window(_staff_activities(viewer), start_from, until)
    if station_id is not None:
        query = query.where(Activity.station_id == station_id)
    if status is not None:
        query = query.where(Activity.status == status)
    if after is not None:
        starts, last_id = after
        query = query.where(
            or_(
                Activity.starts_at < starts,
                and_(Activity.starts_at == starts, Activity.id < last_id),
            )
        )
    query = query.order_by(Activity.starts_at.desc(), Activity.id.desc()).limit(limit)
    return list(session.scalars(query))


def published_activities(
    session: Session,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
    station_id: int | None = None,
    start_from: datetime | None = None,
    until: datetime | None = None,
) -> list[Activity]:
    """Return published activities for volunteers, soonest first, after the key *after*."""
    query = _time_window(select(Activity).where(Activity.status == "published"), start_from, until)
    if station_id is not None:
        query = query.where(Activity.station_id == station_id)
    if after is not None:
        starts, last_id = after
        query = query.where(
            or_(
                Activity.starts_at > starts,
                and_(Activity.starts_at == starts, Activity.id > last_id),
            )
        )
    query = query.order_by(Activity.starts_at, Activity.id).limit(limit)
    return list(session.scalars(query.options(selectinload(Activity.station))))


# Sign-ups (在线报名)


def _published(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id) if 0 < activity_id <= MAX_ID else None
    if activity is None:
        raise NotFound("活动不存在", activity_id=activity_id)
    return activity


def _require_open(activity: Activity, at: datetime) -> None:
    if activity.status != "published":
        raise SignupClosed("活动已取消，不能报名", activity_id=activity.id)
    if at >= activity.ends_at:
        raise SignupClosed("活动已结束，不能报名", activity_id=activity.id)
    if at > activity.signup_deadline:
        raise SignupClosed(
            "活动报名已截止",
            activity_id=activity.id,
            signup_deadline=activity.signup_deadline.isoformat(),
        )


def _take_place(session: Session, activity: Activity) -> None:
    """Count one more sign-up, or raise ActivityFull; atomic even across processes."""
    taken = session.execute(
        update(Activity)
        .where(
            Activity.id == activity.id,
            Activity.status == "published",
            Activity.signup_count < Activity.capacity,
        )
        .values(signup_count=Activity.signup_count + 1)
        .execution_options(**_NO_SYNC)
    ).rowcount
    if taken != 1:
        session.refresh(activity)
        if activity.status != "published":
            raise SignupClosed("活动已取消，不能报名", activity_id=activity.id)
        raise ActivityFull(capacity=activity.capacity, activity_id=activity.id)


def _signup_of(session: Session, activity_id: int, volunteer_id: int) -> Signup | None:
    return session.scalars(
        select(Signup).filter_by(activity_id=activity_id, volunteer_id=volunteer_id)
    ).one_or_none()


class _SignedUpMeanwhile(Exception):
    """The same volunteer's other request took the place first; undo ours."""


def sign_up(session: Session, activity_id: int, volunteer_id: int, *, at: datetime) -> Signup:
    """Take a place in an activity for a volunteer.

    Signing up again while signed up returns the existing sign-up unchanged (a retried tap is
    not an error); signing up after cancelling reuses the cancelled row.
    """
    activity = _published(session, activity_id)
    signup = _signup_of(session, activity.id, volunteer_id)
    if signup is not None and signup.status == "active":
        return signup
    _require_open(activity, at)
    try:
        with session.begin_nested():
            _take_place(session, activity)
            if signup is None:
                signup = Signup(activity_id=activity.id, volunteer_id=volunteer_id, status="active")
                session.add(signup)
                session.flush()
            else:
                revived = session.execute(
                    update(Signup)
                    .where(Signup.id == signup.id, Signup.status == "cancelled")
                    .values(status="active", updated_at=at)
                    .execution_options(**_NO_SYNC)
                ).rowcount
                if revived != 1:
                    raise _SignedUpMeanwhile
    except (IntegrityError, _SignedUpMeanwhile):
        session.expire_all()
        signup = _signup_of(session, activity.id, volunteer_id)
        if signup is None or signup.status != "active":
            raise DomainError("报名状态刚刚发生变化，请重试") from None
        return signup
    session.refresh(activity)
    session.refresh(signup)
    return signup


def cancel_signup(session: Session, activity_id: int, volunteer_id: int, *, at: datetime) -> None:
    """Give a place back; cancelling twice is harmless. Refused once the activity has ended."""
    activity = _published(session, activity_id)
    signup = _signup_of(session, activity.id, volunteer_id)
    if signup is None:
        raise NotFound("您没有报名该活动", activity_id=activity.id)
    if signup.status != "active":
        return
    if at >= activity.ends_at:
        raise SignupClosed("活动已结束，不能取消报名", activity_id=activity.id)
    cancelled = session.execute(
        update(Signup)
        .where(Signup.id == signup.id, Signup.status == "active")
        .values(status="cancelled", updated_at=at)
        .execution_options(**_NO_SYNC)
    ).rowcount
    if cancelled == 1:  # only the request that cancelled gives the place back
        session.execute(
            update(Activity)
            .where(Activity.id == activity.id, Activity.signup_count > 0)
            .values(signup_count=Activity.signup_count - 1)
            .execution_options(**_NO_SYNC)
        )
    session.expire(signup)
    session.expire(activity)


def signed_up_activity_ids(
    session: Session, volunteer_id: int, activity_ids: list[int]
) -> set[int]:
    """Return which of *activity_ids* the volunteer holds an active sign-up for."""
    if not activity_ids:
        return set()
    return set(
        session.scalars(
            select(Signup.activity_id).where(
                Signup.volunteer_id == volunteer_id,
                Signup.status == "active",
                Signup.activity_id.in_(activity_ids),
            )
        )
    )


# For check-in


def running_activity(session: Session, station_id: int, at: datetime) -> Activity | None:
    """Return the published activity at the station whose window contains *at*.

    When windows overlap, the one that started last wins: it is the more specific one.
    """
    return session.scalars(
        select(Activity)
        .where(
            Activity.station_id == station_id,
            Activity.status == "published",
            Activity.starts_at <= at,
            Activity.ends_at >= at,
        )
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
        .limit(1)
    ).first()


def is_signed_up(session: Session, activity_id: int, volunteer_id: int) -> bool:
    """Return True when the volunteer holds an active sign-up for the activity."""
    return (
        session.scalar(
            select(Signup.id).where(
                Signup.activity_id == activity_id,
                Signup.volunteer_id == volunteer_id,
                Signup.status == "active",
            )
        )
        is not None
    )
