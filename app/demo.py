"""``flask demo seed``: a lived-in system for a newcomer's first ``make run``."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.demo_recognition import seed_cases
from app.demo_rewards import seed_merchants_and_perks
from app.demo_sessions import seed_sessions
from app.demo_trainings import seed_trainings
from core.clock import business_time, now
from identity import operations as identity
from identity.models import Staff
from miniprogram_api.extensions import db
from volunteering.activities import operations as activities
from volunteering.stations import operations as stations
from volunteering.stations.models import STANDARDS, Station

DEMO_ADMIN = "admin"
_CREDENTIALS_FILE = "demo-credentials.txt"


@click.group("demo", help="Demo data and a walkthrough.")
def demo_cli():
    pass


def read_demo_credentials(instance_path: str) -> str | None:
    path = Path(instance_path) / _CREDENTIALS_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


@demo_cli.command("seed")
@click.option("--password", default=None, help="Password for the demo admin (random if omitted)")
def seed(password):
    """Create demo accounts; running it again changes nothing."""
    existing = db.session.scalars(select(Staff).filter_by(username=DEMO_ADMIN)).one_or_none()
    if seed_stations(db.session):
        db.session.commit()
        click.echo("demo stations, teams, projects and activities seeded")
    if seed_sessions(db.session):
        click.echo("demo volunteers and their finished service sessions seeded")
    if seed_merchants_and_perks(db.session):
        click.echo("demo merchants and perks seeded")
    if seed_trainings(db.session):
        click.echo("demo trainings seeded")
    if seed_cases(db.session):
        click.echo("demo 十佳公众参与案例 submissions seeded")
    if existing is not None:
        credentials = read_demo_credentials(current_app.instance_path)
        click.echo(f"demo data already present; {credentials or 'province admin: ' + DEMO_ADMIN}")
        return
    password = password or secrets.token_urlsafe(12)
    identity.create_staff(
        db.session,
        username=DEMO_ADMIN,
        password=password,
        roles=["province_admin"],
        region_code="330000",
        display_name="省级管理员（演示）",
    )
    db.session.commit()
    credentials = f"province admin: username {DEMO_ADMIN}  password {password}"
    # Kept in the (git-ignored) instance folder so `make run` can show it again on every start.
    path = Path(current_app.instance_path) / _CREDENTIALS_FILE
    path.write_text(credentials + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo("demo data seeded")
    click.echo(credentials)


# Real places; coordinates are GCJ-02 as a phone reports them there (to within about 100 m).
_DEMO_STATIONS = [
    {
        "name": "中国湿地博物馆",
        "region_code": "330106",
        "address": "杭州市西湖区天目山路402号（西溪湿地）",
        "kind": "生态文明教育场馆",
        "lat": 30.2690,
        "lng": 120.0790,
        "radius_m": 300,
        "standards": dict.fromkeys(STANDARDS, True),
        "qr_dynamic": True,  # has a screen at the entrance
    },
    {
        "name": "余村“两山”理念宣讲站",
        "region_code": "330523",
        "address": "湖州市安吉县天荒坪镇余村",
        "kind": "生态文明宣传教育基地",
        "lat": 30.5196,
        "lng": 119.6077,
        "radius_m": 500,
        "standards": dict.fromkeys(STANDARDS, True),
    },
    {
        "name": "老外滩环保志愿服务站",
        "region_code": "330205",
        "address": "宁波市江北区中马路老外滩",
        "kind": "公共场所",
        "lat": 29.8795,
        "lng": 121.5560,
        "radius_m": 300,
        "standards": {"venue": True, "team": True, "project": True, "signage": True},
    },
    {
        "name": "江心屿生态环境志愿服务站",
        "region_code": "330302",
        "address": "温州市鹿城区江心屿景区",
        "kind": "公共场所",
        "lat": 28.0335,
        "lng": 120.6515,
        "radius_m": 400,
        "standards": {"venue": True, "team": True},
    },
    {
        "name": "南湖新时代文明实践站",
        "region_code": "330402",
        "address": "嘉兴市南湖区南湖景区",
        "kind": "新时代文明实践站",
        "lat": 30.7560,
        "lng": 120.7645,
        "radius_m": 300,
        "standards": {"venue": True, "team": True, "project": True, "facilities": True},
    },
]
_DEMO_TEAMS = [
    ("西湖区生态环境志愿服务队", "社区", "330106"),
    ("安吉余村“两山”志愿服务队", "社区", "330523"),
    ("宁波大学绿色环保协会", "高校社团", "330205"),
    ("温州市生态环境局志愿服务队", "机关", "330300"),
    ("南湖区环保社会组织联盟", "社会组织", "330402"),
]
# (title, team index, brand?)
_DEMO_PROJECTS = [
    ("“两山”理念宣讲进村入户", 1, True),
    ("西溪湿地护鸟与水质观察", 0, True),
    ("三江口净滩行动", 2, False),
]


def seed_stations(session) -> bool:
    """Add demo stations, a team per city, projects and upcoming activities; False if present."""
    if session.scalar(select(Station.id).filter_by(name=_DEMO_STATIONS[0]["name"])) is not None:
        return False
    province = stations.Viewer("330000")
    made = [stations.create_station(session, province, **fields) for fields in _DEMO_STATIONS]
    teams = [
        activities.create_team(session, province, name=name, kind=kind, region_code=region)
        for name, kind, region in _DEMO_TEAMS
    ]
    projects = [
        activities.create_project(
            session,
            province,
            title=title,
            region_code=teams[team].region_code,
            team_id=teams[team].id,
            is_brand=brand,
        )
        for title, team, brand in _DEMO_PROJECTS
    ]
    tomorrow = business_time(now()).replace(hour=9, minute=0, second=0, microsecond=0)
    tomorrow += timedelta(days=1)
    activities.create_activity(
        session,
        province,
        title="湿地护鸟：观鸟记录与科普讲解",
        station_id=made[0].id,
        project_id=projects[1].id,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=2),
        capacity=20,
        signup_required=True,
        at=now(),
    )
    activities.create_activity(
        session,
        province,
        title="余村“两山”理念讲解志愿服务",
        station_id=made[1].id,
        project_id=projects[0].id,
        starts_at=tomorrow + timedelta(days=1, hours=5),
        ends_at=tomorrow + timedelta(days=1, hours=7, minutes=30),
        capacity=30,
        signup_required=False,
        at=now(),
    )
    return True
