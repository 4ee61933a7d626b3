"""The 2027 dashboard and the training records that feed its compliance figures.

Every staff member sees the dashboard of their own region subtree (the province admin: the
province and every city). Admins record trainings in their region; a training outside it is
404, recording or moving one outside it 403.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from miniprogram_api.auth import staff_required
from miniprogram_api.errors import ErrorSchema
from miniprogram_api.extensions import db
from miniprogram_api.pagination import page
from miniprogram_api.schemas.progress import (
    DashboardSchema,
    TrainingCreateSchema,
    TrainingListArgsSchema,
    TrainingPageSchema,
    TrainingPatchSchema,
    TrainingSchema,
    training_cursor,
)
from volunteering.progress.dashboard import dashboard
from volunteering.stations.operations import Viewer
from volunteering.trainings import operations as trainings

blp = Blueprint(
    "admin_progress",
    __name__,
    url_prefix="/api/v1/admin",
    description="The 2027 dashboard and training records (交流培训)",
)
BEARER = [{"bearerAuth": []}]
ADMINS = ("province_admin", "city_admin", "county_admin")
READERS = (*ADMINS, "auditor")


def _viewer() -> Viewer:
    return Viewer(g.staff.region_code)


@blp.route("/dashboard", methods=["GET"])
@staff_required()
@blp.doc(security=BEARER)
@blp.response(200, DashboardSchema)
def get_dashboard():
    """Show progress against the policy's 2027 targets in your region, overall and per city.

    Teams (target 100 province-wide), volunteers (50,000 province-wide; those without a
    region count province-wide only), brand projects per city (at least 1 of the policy's
    1-2), this year's training compliance (each city one training for organization leaders,
    each county one for volunteers, with the counties still lacking), active stations meeting
    all six standards, service hours this year and all time, and points issued, taken back,
    adjusted, redeemed, expired and outstanding. Figures come from rollups kept as events
    happen, so the answer costs the same however many sessions there are.
    """
    return dashboard(db.session, g.staff.region_code)


@blp.route("/trainings", methods=["POST"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(TrainingCreateSchema)
@blp.response(201, TrainingSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
@blp.alt_response(
    422, schema=ErrorSchema, description="VALIDATION_ERROR: region not of the level, future date"
)
def create_training(body):
    """Record a training held in your region (city level: a city code; county: a county code)."""
    training = trainings.record(db.session, _viewer(), created_by=g.staff.id, **body)
    db.session.commit()
    return training


@blp.route("/trainings", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.arguments(TrainingListArgsSchema, location="query")
@blp.response(200, TrainingPageSchema)
def list_trainings(args):
    """List the trainings in your region, latest date first."""
    limit = args.pop("limit")
    rows = trainings.list_trainings(db.session, _viewer(), limit=limit + 1, **args)
    return page(rows, limit, key=training_cursor)


@blp.route("/trainings/<int:training_id>", methods=["GET"])
@staff_required(*READERS)
@blp.doc(security=BEARER)
@blp.response(200, TrainingSchema)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
def get_training(training_id):
    """Show one training."""
    return trainings.get(db.session, _viewer(), training_id)


@blp.route("/trainings/<int:training_id>", methods=["PATCH"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.arguments(TrainingPatchSchema)
@blp.response(200, TrainingSchema)
@blp.alt_response(403, schema=ErrorSchema, description="FORBIDDEN: region outside yours")
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
def patch_training(body, training_id):
    """Change a training; it must stay coherent and inside your region."""
    training = trainings.update(db.session, _viewer(), training_id, **body)
    db.session.commit()
    return training


@blp.route("/trainings/<int:training_id>", methods=["DELETE"])
@staff_required(*ADMINS)
@blp.doc(security=BEARER)
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="NOT_FOUND (also outside your region)")
def delete_training(training_id):
    """Delete a training record (training records are not money)."""
    trainings.remove(db.session, _viewer(), training_id)
    db.session.commit()
