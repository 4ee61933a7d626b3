"""The dashboard's time with 20,000 and with 2,000,000 service sessions on PostgreSQL.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev_dashboard_bench \\
        .venv/bin/python -m bench.dashboard_bench [--small N] [--big N] [--runs 30] [--no-compact]

The database is the bench's own: it is created if missing, and two schemas in it, ``small``
and ``big``, are rebuilt from the migrations each run. In each, a fixed province is seeded:
20,000 volunteers and 5 stations in every county (about 450), a team and two projects per
county, a training per county and one for leaders per city. Then approved sessions are added
in bulk (``INSERT … SELECT generate_series``; 20,000 in one schema, 2,000,000 in the other),
spread over the stations and the last 700 days, and the rollups they imply are written in
bulk the way live approvals leave them (one row per region, month, metric and random slot),
then folded by the daily ``flask stats compact`` job (``stats.rollups.compact``).

``dashboard(session, "330000")`` (and a city's) is timed in-process, one transaction per
call, after warm-up, alternating between the two schemas so a burst of load on a shared
machine hits both; the medians are printed with their ratio (goal ≤ 2). The big rollups are
then compared with ``volunteering.progress.rebuild.check``, which recomputes them from every
session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from core import regions

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dev_dashboard_bench"
VOLUNTEERS = 20_000
STATIONS_PER_COUNTY = 5
DAYS = 700


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20_000, help="sessions in the small schema")
    parser.add_argument("--big", type=int, default=2_000_000, help="sessions in the big schema")
    parser.add_argument("--runs", type=int, default=30, help="timed calls per figure")
    parser.add_argument(
        "--no-compact", action="store_true", help="leave every slot row (no daily compact job)"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _create_database(url)

    started = time.perf_counter()
    factories = {}
    print(f"{'schema':>7} {'sessions':>10} {'slot rows':>10} {'compacted':>10}  seeded in")
    for schema, total in (("small", args.small), ("big", args.big)):
        seeded = time.perf_counter()
        factories[schema] = _prepare_schema(url, schema)
        with psycopg.connect(url, autocommit=True, options=f"-csearch_path={schema}") as conn:
            _seed_province(conn)
            _add_sessions(conn, total)
            slotted = _write_rollups(conn)
            if not args.no_compact:
                _compact(factories[schema])
            rows = conn.execute("SELECT count(*) FROM region_month_stats").fetchone()[0]
            conn.execute("VACUUM ANALYZE")
            census = _census(conn)
        took = time.perf_counter() - seeded
        print(f"{schema:>7} {total:>10,} {slotted:>10,} {rows:>10,}  {took:.0f}s")
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    print(f"\nboth: {census}")
    print(f"PostgreSQL {version}, {os.cpu_count()} CPUs; {args.runs} calls each, interleaved\n")

    sizes = f"{args.small:,} / {args.big:,} sessions"
    print(f"{'dashboard of':>12} {'small p50':>10} {'big p50':>8} {'ratio':>6}  (ms; {sizes})")
    for label, region_code in (("province", "330000"), ("city 330100", "330100")):
        small, big = _interleaved_medians(factories, region_code, args.runs)
        print(f"{label:>12} {small:>10.1f} {big:>8.1f} {big / small:>6.2f}")

    from volunteering.progress import rebuild

    checked = time.perf_counter()
    with factories["big"]() as session:
        differences = rebuild.check(session)
    verdict = "agree" if not differences else f"{len(differences)} differences"
    print(
        f"\nbig rollups against a recomputation from {args.big:,} sessions: {verdict} "
        f"({time.perf_counter() - checked:.1f}s)"
    )
    print(f"total {time.perf_counter() - started:.0f}s")


def _create_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _prepare_schema(url: str, schema: str) -> sessionmaker:
    """Rebuild *schema* from the migrations; return sessions whose search_path is it."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import database_url_for_driver
    from miniprogram_api.extensions import db

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    sa_url = f"{database_url_for_driver(url)}?options=-csearch_path%3D{schema}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return sessionmaker(bind=create_engine(sa_url, pool_size=1, max_overflow=0))


def _seed_province(conn: psycopg.Connection) -> None:
    """Volunteers, stations, teams, projects and trainings: the same for both measurements."""
    counties = [r.code for r in regions.all_regions() if r.level == "county"]
    cities = [r.code for r in regions.cities()]
    conn.execute(
        "INSERT INTO volunteers (openid, region_code, created_at, updated_at) "
        "SELECT 'bench-' || n, (%(codes)s::text[])[1 + n %% %(k)s], now(), now() "
        "FROM generate_series(1, %(n)s) AS n",
        {"codes": counties, "k": len(counties), "n": VOLUNTEERS},
    )
    conn.execute(
        "INSERT INTO stations (name, region_code, address, kind, lat, lng, radius_m, has_venue, "
        "has_team, has_project, has_facilities, has_rules, has_signage, is_active, qr_version, "
        "qr_dynamic, created_at, updated_at) "
        "SELECT '站点' || n, (%(codes)s::text[])[1 + n %% %(k)s], '', '公共场所', 30.2, 120.1, "
        "300, true, true, true, true, true, n %% 3 <> 0, true, 1, false, now(), now() "
        "FROM generate_series(0, %(n)s - 1) AS n",
        {"codes": counties, "k": len(counties), "n": len(counties) * STATIONS_PER_COUNTY},
    )
    conn.execute(
        "INSERT INTO teams (name, kind, region_code, description, created_at) "
        "SELECT '队伍' || c, '社区', c, '', now() FROM unnest(%s::text[]) AS c",
        (counties,),
    )
    conn.execute(
        "INSERT INTO projects (title, region_code, description, is_brand, created_at, updated_at) "
        "SELECT '项目' || c || n, c, '', n = 1, now(), now() "
        "FROM unnest(%s::text[]) AS c, generate_series(1, 2) AS n",
        (counties,),
    )
    conn.execute(
        "INSERT INTO trainings (level, audience, category, title, held_on, region_code, "
        "attendees, organizer, created_at, updated_at) "
        "SELECT 'county', 'volunteers', '岗前基础培训', '培训', current_date, c, 40, '', now(), "
        "now() FROM unnest(%(counties)s::text[]) AS c "
        "UNION ALL SELECT 'city', 'leaders', '骨干管理培训', '培训', current_date, c, 30, '', "
        "now(), now() FROM unnest(%(cities)s::text[]) AS c",
        {"counties": counties, "cities": cities},
    )


def _census(conn: psycopg.Connection) -> str:
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        for table in ("volunteers", "stations", "teams", "projects", "trainings")
    }
    return ", ".join(f"{n:,} {table}" for table, n in counts.items())


def _add_sessions(conn: psycopg.Connection, total: int) -> None:
    """Add approved sessions until there are *total*, spread over stations and days."""
    have = conn.execute("SELECT count(*) FROM service_sessions").fetchone()[0]
    stations = conn.execute("SELECT count(*) FROM stations").fetchone()[0]
    conn.execute(
        "INSERT INTO service_sessions (volunteer_id, station_id, region_code, status, "
        "checked_in_at, checked_out_at, business_date, checkin_lat, checkin_lng, "
        "checkin_distance_m, minutes, credited_minutes, points_awarded, review_reasons, "
        "created_at) "
        "SELECT 1 + g %% %(volunteers)s, s.id, s.region_code, 'approved', d + time '09:00', "
        "d + time '09:00' + (30 + g %% 240) * interval '1 minute', d, s.lat, s.lng, 0, "
        "30 + g %% 240, 30 + g %% 240, (30 + g %% 240) / 6, '[]', now() "
        "FROM generate_series(%(start)s::bigint, %(end)s::bigint) AS g "
        "JOIN stations s ON s.id = 1 + g %% %(stations)s "
        "CROSS JOIN LATERAL (SELECT current_date - (g %% %(days)s)::int AS d) AS day",
        {
            "volunteers": VOLUNTEERS,
            "stations": stations,
            "days": DAYS,
            "start": have + 1,
            "end": total,
        },
    )


def _write_rollups(conn: psycopg.Connection) -> int:
    """Replace the rollups by what the sessions imply, spread over slots as live writes are."""
    conn.execute("TRUNCATE region_month_stats")
    conn.execute(
        "INSERT INTO region_month_stats (region_code, month, metric, slot, value) "
        "SELECT region_code, date_trunc('month', business_date)::date, m.metric, slot, "
        "sum(CASE m.metric WHEN 'minutes_system' THEN credited_minutes "
        "WHEN 'sessions_approved' THEN 1 ELSE points_awarded END) "
        "FROM (SELECT *, floor(random() * 8)::smallint AS slot FROM service_sessions "
        "WHERE status = 'approved') AS s "
        "CROSS JOIN (VALUES ('minutes_system'), ('sessions_approved'), ('points_issued')) "
        "AS m(metric) GROUP BY 1, 2, 3, 4"
    )
    return conn.execute("SELECT count(*) FROM region_month_stats").fetchone()[0]


def _compact(factory: sessionmaker) -> None:
    """Run the daily ``flask stats compact`` job: past months' slots folded into slot 0."""
    from core.clock import business_time, now
    from stats import rollups

    with factory() as session:
        rollups.compact(session, before=business_time(now()).date())
        session.commit()


def _interleaved_medians(factories: dict, region_code: str, runs: int) -> tuple[float, float]:
    """Time ``dashboard`` on the small and the big schema in turn; return both medians (ms).

    Alternating the two keeps a burst of load on the shared machine from landing on one side.
    """
    from volunteering.progress.dashboard import dashboard

    timings: dict[str, list[float]] = {"small": [], "big": []}
    for index in range(runs + 3):
        for schema in ("small", "big"):
            with factories[schema]() as session:
                begun = time.perf_counter()
                dashboard(session, region_code)
                elapsed = time.perf_counter() - begun
            if index >= 3:  # warm-up: connections, plans, caches
                timings[schema].append(elapsed * 1000)
    return statistics.median(timings["small"]), statistics.median(timings["big"])


if __name__ == "__main__":
    main()
