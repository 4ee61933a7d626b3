"""Teams and the project library (项目库), with the brand-project flag."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app.console.auth import staff_required
from app.console.blueprint import (
    ADMINS,
    PAGE_SIZE,
    STATION_READERS,
    InvalidForm,
    after_id,
    bp,
    checkbox,
    integer,
    page_of,
    text,
)
from core import regions
from miniprogram_api.extensions import db
from miniprogram_api.views.admin_stations import viewer_of
from volunteering.activities import operations as activities
from volunteering.activities.models import TEAM_KINDS


@bp.get("/teams")
@staff_required(*STATION_READERS)
def team_list():
    """List the teams of the staff member's region, with a form to register one."""
    rows = activities.list_teams(
        db.session, viewer_of(g.staff), limit=PAGE_SIZE + 1, after_id=after_id()
    )
    items, next_cursor = page_of(rows)
    return render_template(
        "console/teams.html", items=items, next_cursor=next_cursor, kinds=TEAM_KINDS
    )


@bp.post("/teams")
@staff_required(*ADMINS)
def team_create():
    """Register a team inside the staff member's region."""
    team = activities.create_team(
        db.session,
        viewer_of(g.staff),
        name=text("name", "队伍名称", max_length=100),
        kind=request.form.get("kind") or "",
        region_code=_region(),
        description=text("description", "简介", required=False, max_length=1000),
    )
    db.session.commit()
    flash(f"已登记队伍「{team.name}」", "success")
    return redirect(url_for("console.team_list"))


@bp.get("/projects")
@staff_required(*STATION_READERS)
def project_list():
    """The project library of the staff member's region; ``?brand=1`` shows brand projects."""
    brand = {"1": True, "0": False}.get(request.args.get("brand", ""))
    rows = activities.list_projects(
        db.session, viewer_of(g.staff), limit=PAGE_SIZE + 1, after_id=after_id(), is_brand=brand
    )
    items, next_cursor = page_of(rows)
    teams = activities.list_teams(db.session, viewer_of(g.staff), limit=500)
    return render_template(
        "console/projects.html",
        items=items,
        next_cursor=next_cursor,
        brand=request.args.get("brand", ""),
        teams=teams,
        team_names={team.id: team.name for team in teams},
    )


@bp.post("/projects")
@staff_required(*ADMINS)
def project_create():
    """Add a project to the library of the staff member's region."""
    project = activities.create_project(
        db.session,
        viewer_of(g.staff),
        title=text("title", "项目名称", max_length=100),
        region_code=_region(),
        team_id=integer("team_id", "所属队伍", required=False, minimum=1, maximum=2**63 - 1),
        description=text("description", "简介", required=False, max_length=2000),
        is_brand=checkbox("is_brand"),
    )
    db.session.commit()
    flash(f"已加入项目库：「{project.title}」", "success")
    return redirect(url_for("console.project_list"))


@bp.post("/projects/<int:project_id>/brand")
@staff_required(*ADMINS)
def project_set_brand(project_id):
    """Mark a project as a brand project (品牌项目), or take the mark away."""
    is_brand = checkbox("is_brand")
    project = activities.update_project(
        db.session, viewer_of(g.staff), project_id, is_brand=is_brand
    )
    db.session.commit()
    flash(f"「{project.title}」已{'设为' if is_brand else '取消'}品牌项目", "success")
    return redirect(url_for("console.project_list"))


def _region() -> str:
    region_code = request.form.get("region_code") or ""
    if not regions.is_valid(region_code):
        raise InvalidForm("请选择所属区域", field="region_code")
    return region_code
