"""Training use cases for staff: record, change, list, remove. They flush; the caller commits.

A training outside the viewer's region is "not found"; recording or moving one outside it is
refused. Training records are not money: removing one is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import regions
from core.clock import business_time, now
from core.errors import NotFound
from volunteering.stations.operations import InvalidInput, Viewer
from volunteering.trainings.models import AUDIENCES, CATEGORIES, LEVELS, Training

MAX_ID = 2**63 - 1
FIELDS = (
    "level",
    "audience",
    "category",
    "title",
    "held_on",
    "region_code",
    "attendees",
    "organizer",
)
_LEVEL_NAMES = {"city": "市级", "county": "县级"}


class TrainingNotFound(NotFound):
    message = "未找到该培训记录"


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: trainings are listed newest date first, then by id."""

    held_on: date
    id: int


def _check(values: dict[str, Any]) -> None:
    """Check every rule, including what a schema also checks, so any caller is safe."""
    if values["level"] not in LEVELS:
        raise InvalidInput("level", "培训层级只能是 city 或 county")
    if values["audience"] not in AUDIENCES:
        raise InvalidInput("audience", "培训对象只能是 leaders 或 volunteers")
    if values["category"] not in CATEGORIES:
        raise InvalidInput("category", "培训类别无效")
    if values["attendees"] is None or values["attendees"] < 0:
        raise InvalidInput("attendees", "参训人数不能为负数")
    if values["held_on"] > business_time(now()).date():
        raise InvalidInput("held_on", "培训日期不能晚于今天")
    region = regions.get(values["region_code"])  # raises InvalidRegion
    if region.level != values["level"]:
        raise InvalidInput(
            "region_code",
            f"{_LEVEL_NAMES[values['level']]}培训的行政区划必须是"
            f"{'设区市' if values['level'] == 'city' else '县（市、区）'}",
            level=values["level"],
            region_level=region.level,
        )


def record(session: Session, viewer: Viewer, *, created_by: int | None, **values: Any) -> Training:
    """Record a training held in the viewer's region."""
    values = {"organizer": "", "attendees": 0, **values}
    _check(values)
    viewer.require_region(values["region_code"])
    training = Training(**{k: values[k] for k in FIELDS}, created_by=created_by)
    session.add(training)
    session.flush()
    return training


def get(session: Session, viewer: Viewer, training_id: int) -> Training:
    """Return one training the viewer may see."""
    training = session.get(Training, training_id) if 0 < training_id <= MAX_ID else None
    if training is None or not viewer.sees_region(training.region_code):
        raise TrainingNotFound(training_id=training_id)
    return training


def update(session: Session, viewer: Viewer, training_id: int, **changes: Any) -> Training:
    """Change a training; the result must still be coherent and inside the viewer's region."""
    training = get(session, viewer, training_id)
    values = {k: getattr(training, k) for k in FIELDS}
    values.update({k: v for k, v in changes.items() if k in FIELDS})
    _check(values)
    viewer.require_region(values["region_code"])
    for field in FIELDS:
        setattr(training, field, values[field])
    session.flush()
    return training


def remove(session: Session, viewer: Viewer, training_id: int) -> None:
    """Delete a training record."""
    session.delete(get(session, viewer, training_id))
    session.flush()


def list_trainings(
    session: Session,
    viewer: Viewer,
    *,
    limit: int,
    year: int | None = None,
    region_code: str | None = None,
    after: Cursor | None = None,
) -> list[Training]:
    """List trainings in the viewer's region (narrowed to *region_code*'s subtree), newest first."""
    scope = viewer.region_code
    if region_code is not None:
        if not viewer.sees_region(region_code):
            return []
        scope = region_code
    query = select(Training).where(Training.region_code.startswith(regions.scope_prefix(scope)))
    if year is not None:
        query = query.where(
            Training.held_on >= date(year, 1, 1), Training.held_on < date(year + 1, 1, 1)
        )
    if after is not None:
        query = query.where(
            or_(
                Training.held_on < after.held_on,
                (Training.held_on == after.held_on) & (Training.id < after.id),
            )
        )
    return list(
        session.scalars(query.order_by(Training.held_on.desc(), Training.id.desc()).limit(limit))
    )
