"""Teams, the project library and activities, for staff; scoped like stations."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from core.clock import now
from miniprogram_api.auth import staff_required
from miniprogram_api.errors import ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.pagination import page
from miniprogram_api.schemas.activities import (
    ActivityCreateSchema,
    ActivityPageSchema,
    ActivitySchema,
    AdminActivityListArgsSchema,
    ProjectCreateSchema,
    ProjectListArgsSchema,
    ProjectPageSchema,
    ProjectPatchSchema,
    ProjectSchema,
    TeamCreateSchema,
    TeamListArgsSchema,
    TeamMemberCreateSchema,
    TeamMemberListSchema,
    TeamMemberSchema,
    TeamPageSchema,
    TeamSchema,
    time_cursor,
)
from miniprogram_api.views.admin_stations import ADMINS, READERS, viewer_of
from volunteering.activities import operations as activities

blp = Blueprint(
    "admin_activities",
    __name__,
    url_prefix="/api/v1/admin",
    description="Teams, projects (项目库) and activities",
)
BEARER = [{"bearerAuth": []}]


def _by_id(row) -> dict:
    return {"id": row.id}


# Teams


@blp.route("/teams", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(TeamCreateSchema)
@blp.response(201, TeamSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
def create_team(body):
    """Register a team inside the caller's region."""
    team = activities.create_team(db.session, viewer_of(g.staff), **body)
    db.session.commit()
    return team


@blp.route("/teams", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(TeamListArgsSchema, location="query")
@blp.response(200, TeamPageSchema)
def list_teams(args):
    """List the teams of the caller's region, newest first."""
    limit = args.pop("limit")
    rows = activities.list_teams(db.session, viewer_of(g.staff), limit=limit + 1, **args)
    return page(rows, limit, key=_by_id)


@blp.route("/teams/<int:team_id>/members", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(TeamMemberCreateSchema)
@blp.response(201, TeamMemberSchema)
@blp.alt_response(200, schema=TeamMemberSchema, description="Already a member: role updated")
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def add_member(body, team_id):
    """Add a volunteer to a team (201), or change the role of a member (200)."""
    member, created = activities.add_team_member(db.session, viewer_of(g.staff), team_id, **body)
    db.session.commit()
    return member, 201 if created else 200


@blp.route("/teams/<int:team_id>/members", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, TeamMemberListSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def list_members(team_id):
    """List a team's members."""
    return {"items": activities.team_members(db.session, viewer_of(g.staff), team_id)}


# Projects


@blp.route("/projects", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ProjectCreateSchema)
@blp.response(201, ProjectSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def create_project(body):
    """Add a project to the library of the caller's region."""
    project = activities.create_project(db.session, viewer_of(g.staff), **body)
    db.session.commit()
    return project


@blp.route("/projects", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(ProjectListArgsSchema, location="query")
@blp.response(200, ProjectPageSchema)
def list_projects(args):
    """List the projects of the caller's region, newest first; ``is_brand`` filters."""
    limit = args.pop("limit")
    rows = activities.list_projects(db.session, viewer_of(g.staff), limit=limit + 1, **args)
    return page(rows, limit, key=_by_id)


@blp.route("/projects/<int:project_id>", methods=["PATCH"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ProjectPatchSchema)
@blp.response(200, ProjectSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def patch_project(body, project_id):
    """Change a project, e.g. mark it a brand project."""
    project = activities.update_project(db.session, viewer_of(g.staff), project_id, **body)
    db.session.commit()
    return project


# Activities


@blp.route("/activities", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(ActivityCreateSchema)
@blp.response(201, ActivitySchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
@blp.alt_response(409, schema=ErrorSchema, description="STATION_INACTIVE")
def create_activity(body):
    """Publish an activity at a station in the caller's region."""
    activity = activities.create_activity(
        db.session, viewer_of(g.staff), at=now(), created_by=g.staff.id, **body
    )
    db.session.commit()
    return activity


@blp.route("/activities", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(AdminActivityListArgsSchema, location="query")
@blp.response(200, ActivityPageSchema)
def list_activities(args):
    """List the activities in the caller's scope, latest start first."""
    limit = args.pop("limit")
    rows = activities.list_activities_for_staff(
        db.session, viewer_of(g.staff), limit=limit + 1, **args
    )
    return page(rows, limit, key=time_cursor)


@blp.route("/activities/<int:activity_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, ActivitySchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def get_activity(activity_id):
    """Show one activity with its sign-up count."""
    return activities.get_activity(db.session, viewer_of(g.staff), activity_id)


@blp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(200, ActivitySchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your scope)")
def cancel_activity(activity_id):
    """Cancel an activity: sign-up closes; existing sign-ups stay on record."""
    activity = activities.cancel_activity(db.session, viewer_of(g.staff), activity_id)
    db.session.commit()
    return activity
