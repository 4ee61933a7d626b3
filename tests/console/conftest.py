"""Console fixtures: staff who sign in through the login form, arranged data, and Chromium."""

from __future__ import annotations

import itertools
import os
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from core.clock import BUSINESS_TZ, business_time, now
from identity import operations as identity
from miniprogram_api.context import qr_signing_key
from miniprogram_api.extensions import db
from rewards.merchants import operations as merchants
from volunteering import hours
from volunteering.sessions import operations as sessions
from volunteering.sessions.models import ServiceSession
from volunteering.stations.models import Station
from volunteering.stations.scanning import current_scene

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# 杭州 西湖区 and 宁波 海曙区 (GCJ-02)
WEST_LAKE = (30.2741, 120.1551)
NINGBO = (29.8683, 121.5440)


class ConsoleClient:
    """A browser stand-in for the console: keeps cookies, sends the page's CSRF token with forms.

    Each request runs in its own app context, as in production: the test's pushed context
    would otherwise share ``g`` (and the cached CSRF token) between requests.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.token: str | None = None
        self.staff_id: int | None = None

    def get(self, path: str, **kwargs):
        with self.app.app_context():
            response = self.client.get(path, **kwargs)
            response.get_data()  # read a streamed file, then close it
            response.close()
        if response.mimetype == "text/html":
            found = _TOKEN.search(response.get_data(as_text=True))
            if found:
                self.token = found[1]
        return response

    def post(self, path: str, data: dict | None = None, *, token: bool = True, **kwargs):
        """Submit a form; with *token* (the default) the CSRF token of the last page goes too."""
        if token and self.token is None:
            self.get("/console/login")
        form = {"csrf_token": self.token, **(data or {})} if token else dict(data or {})
        with self.app.app_context():
            return self.client.post(path, data=form, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD, **extra):
        self.get("/console/login")
        return self.post("/console/login", {"username": username, "password": password, **extra})


def csrf_token_of(response) -> str:
    return _TOKEN.search(response.get_data(as_text=True))[1]


@pytest.fixture
def make_console_staff(app):
    """Create a staff member; return their username (the password is PASSWORD)."""
    counter = itertools.count(1)

    def make(role: str = "province_admin", region: str = "330000") -> str:
        username = f"console-{role}-{region}-{next(counter)}"
        identity.create_staff(
            db.session, username=username, password=PASSWORD, roles=[role], region_code=region
        )
        db.session.commit()
        return username

    return make


@pytest.fixture
def console(app) -> ConsoleClient:
    """A console visitor who has not signed in."""
    return ConsoleClient(app)


@pytest.fixture
def console_as(app, make_console_staff):
    """Return a ConsoleClient signed in as a new staff member with *role* in *region*."""

    def sign_in(role: str = "province_admin", region: str = "330000") -> ConsoleClient:
        username = make_console_staff(role, region)
        visitor = ConsoleClient(app)
        response = visitor.sign_in(username)
        assert response.status_code == 302, response.get_data(as_text=True)
        visitor.get("/console/dashboard")  # the signed-in page's token
        visitor.staff_id = identity_id(username)
        return visitor

    return sign_in


def identity_id(username: str) -> int:
    from sqlalchemy import select

    from identity.models import Staff

    return db.session.scalars(select(Staff.id).where(Staff.username == username)).one()


@pytest.fixture
def make_station(app):
    def make(region_code: str = "330106", where=WEST_LAKE, name: str = "西湖生态文明教育馆"):
        station = Station(
            name=name,
            region_code=region_code,
            address="测试地址",
            kind="生态文明教育场馆",
            lat=where[0],
            lng=where[1],
            radius_m=300,
        )
        db.session.add(station)
        db.session.commit()
        return station

    return make


@pytest.fixture
def make_volunteer(app):
    counter = itertools.count(1)

    def make(nickname="小林", region_code: str | None = "330106", phone=None, real_name=None):
        volunteer, _ = identity.sign_in_volunteer(
            db.session, openid=f"openid-console-{next(counter)}", unionid=None, session_key="k"
        )
        identity.update_profile(db.session, volunteer, nickname=nickname, region_code=region_code)
        if phone:
            identity.set_phone(db.session, volunteer, phone)
        volunteer.real_name = real_name
        db.session.commit()
        return volunteer

    return make


@pytest.fixture
def make_pending_session(app):
    """Check a volunteer in and out at once: too short, so the session goes to review."""

    def make(volunteer, station) -> int:
        key = qr_signing_key()
        fix = sessions.Fix(station.lat, station.lng, accuracy_m=10.0)
        scene = current_scene(key, station, at=now())
        opened = sessions.check_in(
            db.session,
            volunteer_id=volunteer.id,
            scene=scene,
            fix=fix,
            qr_key=key,
            at=now() - timedelta(minutes=10),
        )
        closed = sessions.check_out(
            db.session, volunteer_id=volunteer.id, scene=scene, fix=fix, qr_key=key
        )
        assert closed.status == "pending_review"
        return opened.id

    return make


@pytest.fixture
def serve(app):
    """Record an approved session of *minutes* at *station* on *day*, hours rollup included."""

    def record(volunteer, station, minutes: int, day: date | None = None, rating=None):
        day = day or business_time(now()).date()
        start = datetime.combine(day, time(9, 0), tzinfo=BUSINESS_TZ).astimezone(UTC)
        db.session.add(
            ServiceSession(
                volunteer_id=volunteer.id,
                station_id=station.id,
                region_code=station.region_code,
                status="approved",
                checked_in_at=start,
                checked_out_at=start + timedelta(minutes=minutes),
                business_date=day,
                checkin_lat=station.lat,
                checkin_lng=station.lng,
                checkin_distance_m=5,
                minutes=minutes,
                credited_minutes=minutes,
                points_awarded=0,
                organizer_rating=rating,
            )
        )
        hours.add_minutes(db.session, volunteer.id, system=minutes)
        db.session.commit()

    return record


@pytest.fixture
def make_merchant(app):
    def make(region_code: str = "330106", name: str = "西湖书店"):
        return merchants.create_merchant(
            db.session, name=name, region_code=region_code, address="北山街 1 号", staff_id=None
        )

    return make


@pytest.fixture
def chromium_path() -> str:
    """The system Chromium; missing, the browser tests skip (but fail in CI, which installs it)."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshot():
    """Keep a full-page screenshot of *page* as test-artifacts/console/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
