"""Racing downloads of one certificate on real PostgreSQL connections share one number."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from miniprogram_api.extensions import db
from tests.reports.racing import race
from volunteering.certificates.models import Certificate

pytestmark = pytest.mark.postgres


def test_eight_simultaneous_downloads_get_one_number(
    racing_app, make_volunteer, make_station, serve, make_staff
):
    volunteer = make_volunteer("张三丰")
    serve(volunteer, make_station(), 120)
    admin = make_staff("province_admin")
    path = f"/api/v1/admin/volunteers/{volunteer.id}/certificate"
    numbers = []

    def download(client, index):
        response = client.get(path, headers=admin)
        numbers.append(response.headers.get("X-Certificate-Number"))
        return response

    outcomes = race(racing_app, 8, download)

    assert outcomes == {200: 8}
    assert len(set(numbers)) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
