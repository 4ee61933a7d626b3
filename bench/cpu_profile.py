"""Client CPU per ledger posting and per redemption cycle, in-process, one thread.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev_rewards_bench \\
        .venv/bin/python -m bench.cpu_profile cycle [--n 300] [--profile]
    .venv/bin/python -m bench.cpu_profile bare [--n 2000]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev_ledger_bench \\
        .venv/bin/python -m bench.cpu_profile posting|raw [--n 2000] [--profile]

``cycle`` rebuilds the rewards bench database (``bench.redemption_bench``'s seed), then
runs reserve + confirm through Flask's test client (no HTTP, no gunicorn): CPU and wall time
per cycle, and the SQL statements SQLAlchemy sent (the ledger's direct psycopg statements
and BEGIN/COMMIT come on top). ``bare`` runs the same two POSTs against ``bench.bare_app``,
for scale. ``posting`` runs ``bench.ledger_bench``'s posting (run_once + redeem) against a
database that bench already seeded, ``raw`` its raw-SQL transfer. ``--profile`` adds where
the CPU goes, by package (cProfile with a CPU clock: waiting on PostgreSQL is not counted).
The PostgreSQL line is the CPU its backends for the bench database used meanwhile, read
from ``/proc`` (so only when the server runs on this machine).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import random
import time
import uuid
from collections.abc import Callable

from sqlalchemy import event

from bench.database import analyze, fresh_database
from bench.proc import backend_cpu, used_between

WARMUP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("cycle", "bare", "posting", "raw"))
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    once = {"cycle": _cycle, "bare": _bare, "posting": _posting, "raw": _raw}[args.what]()
    n = args.n or (300 if args.what == "cycle" else 2000)
    statements = _count_statements(once.engine) if hasattr(once, "engine") else []
    for _ in range(WARMUP):
        once()
    statements.clear()
    database = os.environ.get("BENCH_DATABASE_URL", "").rpartition("/")[2]
    if database:
        analyze(os.environ["BENCH_DATABASE_URL"])  # the warm-up's rows: see analyze()
    server = backend_cpu(database)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        once()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    server = used_between(server, backend_cpu(database))
    print(
        f"{args.what}: CPU {1000 * cpu / n:.2f} ms, wall {1000 * wall / n:.2f} ms, "
        f"SQLAlchemy statements {len(statements) / n:.1f} per {args.what} ({n} runs)"
    )
    if database and args.what != "bare":
        print(f"PostgreSQL backends of {database}: CPU {1000 * server / n:.2f} ms per {args.what}")
    if args.profile:
        _profile(once, n)


def _count_statements(engine) -> list[str]:
    sent: list[str] = []

    def count(connection, cursor, statement, *rest) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return sent


def _cycle() -> Callable[[], None]:
    from app import create_app
    from bench import redemption_bench as bench
    from miniprogram_api.extensions import db

    url = os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL)
    sa_url = fresh_database(url)
    volunteers, offers = bench._seed(sa_url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sa_url,
            "SECRET_KEY": bench.SECRET,
            "JWT_SECRET_KEY": bench.JWT_SECRET,
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    client = app.test_client()

    def once() -> None:
        perk_id, staff = random.choice(offers)
        reserved = client.post(
            "/api/v1/redemptions",
            json={"perk_id": perk_id},
            headers={
                "Authorization": f"Bearer {random.choice(volunteers)}",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        assert reserved.status_code == 201, reserved.json
        confirmed = client.post(
            "/api/v1/merchant/redemptions/confirm",
            json={"code": reserved.json["code"]},
            headers={"Authorization": f"Bearer {staff}", "Idempotency-Key": uuid.uuid4().hex},
        )
        assert confirmed.status_code == 200, confirmed.json

    with app.app_context():
        once.engine = db.engine  # type: ignore[attr-defined]
    return once


def _bare() -> Callable[[], None]:
    from bench.bare_app import app

    client = app.test_client()

    def once() -> None:
        reserved = client.post("/api/v1/redemptions", json={"perk_id": 1})
        assert reserved.status_code == 201
        confirmed = client.post(
            "/api/v1/merchant/redemptions/confirm", json={"code": reserved.json["code"]}
        )
        assert confirmed.status_code == 200

    return once


def _posting() -> Callable[[], None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import sessionmaker

    from app.config import database_url_for_driver
    from bench import ledger_bench as bench

    url = os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL)
    engine = create_engine(database_url_for_driver(url))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        volunteer_ids = list(
            session.execute(
                text("SELECT volunteer_id FROM ledger_accounts WHERE kind = 'volunteer'")
            ).scalars()
        )
    if not volunteer_ids:
        raise SystemExit("run bench.ledger_bench first: it seeds this database")
    once = bench._ledger_worker(engine, volunteer_ids)
    once.engine = engine  # type: ignore[attr-defined]
    return once


def _raw() -> Callable[[], None]:
    from bench import ledger_bench as bench

    return bench._raw_worker(os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL))


def _profile(once: Callable[[], None], n: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        once()
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package: collections.Counter[str] = collections.Counter()
    for (filename, _line, name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        by_package[_package(filename, name)] += own
    total = sum(by_package.values())
    print("CPU by package (cProfile, own time):")
    for package, seconds in by_package.most_common(15):
        print(f"  {100 * seconds / total:5.1f}%  {package}")


def _package(filename: str, name: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/"
    if filename.startswith(root):
        return "project: " + filename[len(root) :].split("/")[0]
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "standard library"


if __name__ == "__main__":
    main()
