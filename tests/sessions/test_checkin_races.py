"""Racing check-ins on PostgreSQL: exactly one open session survives."""

from __future__ import annotations

import threading

import pytest

from core.clock import now
from miniprogram_api.context import qr_signing_key
from miniprogram_api.extensions import db
from volunteering.errors import AlreadyCheckedIn
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession
from volunteering.stations.scanning import current_scene

pytestmark = pytest.mark.postgres


def test_twenty_racing_check_ins_leave_exactly_one_open_session(app, station, login_volunteer):
    volunteer_id = login_volunteer("racer")["volunteer"]["id"]
    key = qr_signing_key()
    scene = current_scene(key, station, at=now())
    fix = sessions.Fix(station.lat, station.lng, 10)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def racer():
        with app.app_context():
            barrier.wait()
            try:
                sessions.check_in(
                    db.session, volunteer_id=volunteer_id, scene=scene, fix=fix, qr_key=key
                )
                outcomes.append("opened")
            except AlreadyCheckedIn:
                outcomes.append("already")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=racer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already"] * 19 + ["opened"]
    assert db.session.query(ServiceSession).filter_by(status="open").count() == 1
