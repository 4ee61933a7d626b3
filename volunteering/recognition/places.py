"""Taking one of a selection's places for a year, atomically, and counting them."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.upsert import insert_ignoring
from volunteering.recognition.campaigns import PROGRAM_NAMES
from volunteering.recognition.errors import SelectionFull
from volunteering.recognition.models import CAPS, SelectionPlaces


def take(session: Session, program: str, year: int) -> int:
    """Take one place of *program* in *year* inside the caller's transaction; return places used.

    The conditional UPDATE checks and takes in one statement: on PostgreSQL a racing UPDATE
    waits for the row and re-checks ``used < cap`` on the committed value; on SQLite the
    transaction already holds the write lock (``atomic``).
    """
    insert_ignoring(
        session,
        SelectionPlaces.__table__,
        {"program": program, "year": year, "used": 0},
        conflict=("program", "year"),
    )
    cap = CAPS[program]
    taken = session.execute(
        update(SelectionPlaces)
        .where(
            SelectionPlaces.program == program,
            SelectionPlaces.year == year,
            SelectionPlaces.used < cap,
        )
        .values(used=SelectionPlaces.used + 1)
        .returning(SelectionPlaces.used)
    ).scalar_one_or_none()
    if taken is None:
        raise SelectionFull(
            f"{year}年度{PROGRAM_NAMES[program]}名额已满（{cap} 个）", cap=cap, year=year
        )
    return taken


def used(session: Session, program: str, year: int) -> int:
    """Return how many places of *program* in *year* are taken."""
    value = session.scalar(
        select(SelectionPlaces.used).where(
            SelectionPlaces.program == program, SelectionPlaces.year == year
        )
    )
    return value or 0
