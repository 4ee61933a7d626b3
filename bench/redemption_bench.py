"""Reserve + confirm over HTTP under gunicorn, beside a bare Flask app under the same settings.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev_rewards_bench \\
        .venv/bin/python -m bench.redemption_bench [--seconds 6] [--rounds 5] [--clients 16]

Both servers run side by side for the whole bench and the rounds alternate between them
(warm-up first), so a change in the machine's load falls on both alike. One cycle is what a
redemption really costs: the volunteer's ``POST /api/v1/redemptions``
(Idempotency-Key, hold + stock + allowance in one transaction) and the merchant staff's
``POST /api/v1/merchant/redemptions/confirm`` (the hold posted to the merchant). Both servers
run ``gunicorn -c gunicorn.conf.py`` with the same workers and threads; the load comes from
client processes with keep-alive sessions. The ratio is app cycles / bare cycles.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import requests

from bench.database import analyze, fresh_database
from bench.proc import backend_cpu, children_cpu, tree_cpu, used_between

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dev_rewards_bench"
# Fresh per run: the bench signs its tokens with the secret the server it starts will check.
SECRET = secrets.token_hex(32)
JWT_SECRET = secrets.token_hex(32)
VOLUNTEERS = 500
MERCHANTS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per round and server")
    parser.add_argument(
        "--rounds", type=int, default=5, help="app/bare pairs; the median ratio counts"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent client loops")
    parser.add_argument("--workers", default=os.environ.get("GUNICORN_WORKERS", "2"))
    parser.add_argument("--threads", default=os.environ.get("GUNICORN_THREADS", "4"))
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    sa_url = fresh_database(url)
    volunteers, staff = _seed(sa_url)
    analyze(url)
    settings = {"GUNICORN_WORKERS": args.workers, "GUNICORN_THREADS": args.threads}
    print(
        f"{os.cpu_count()} CPUs; gunicorn gthread, {args.workers} workers × {args.threads} "
        f"threads; {args.clients} clients; {args.rounds} rounds of {args.seconds:g}s per server"
    )

    app_env = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "JWT_SECRET_KEY": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
    }
    # Both servers run for the whole bench; the rounds alternate between them, so a change
    # in the machine's load (other people's work, a checkpoint) falls on both alike.
    database = url.rpartition("/")[2]
    with (
        _gunicorn("wsgi:app", {**settings, **app_env}) as app_server,
        _gunicorn("bench.bare_app:app", settings) as bare_server,
    ):
        for server in (app_server, bare_server):  # warm up: connections, plans, accounts
            _measure(server, volunteers, staff, args.clients, 2.0)
        analyze(url)
        print(f"{'round':>5} {'app cycles/s':>13} {'bare cycles/s':>14} {'ratio':>6} {'failed':>7}")
        rounds = []
        for index in range(1, args.rounds + 1):
            app = _measure(app_server, volunteers, staff, args.clients, args.seconds, database)
            bare = _measure(bare_server, volunteers, staff, args.clients, args.seconds)
            rounds.append((app.rate, bare.rate))
            ratio = app.rate / bare.rate
            print(f"{index:>5} {app.rate:>13.0f} {bare.rate:>14.0f} {ratio:>6.2f} {app.failed:>7}")
            print(f"      CPU ms per cycle, app: {app.cpu()}; bare: {bare.cpu()}")

    ratios = sorted(app / bare for app, bare in rounds)
    app_total = sum(app for app, _ in rounds) / len(rounds)
    bare_total = sum(bare for _, bare in rounds) / len(rounds)
    print(f"{'mean':>5} {app_total:>13.0f} {bare_total:>14.0f} {app_total / bare_total:>6.2f}")
    print(f"ratio app / bare, median of the rounds: {statistics.median(ratios):.2f}")
    print("(a cycle is two requests: reserve, then confirm)")
    _check_ledger(sa_url)


def _seed(sa_url: str):
    """Volunteers with points, merchants each with one perk and one bound staff account.

    Returns (volunteer tokens, [(perk id, staff token)]) signed with the servers' JWT secret.
    """
    from app import create_app
    from identity.models import Volunteer
    from ledger import operations as ledger_ops
    from miniprogram_api.extensions import db
    from rewards.merchants import operations as merchants
    from rewards.perks import operations as perks

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": sa_url, "JWT_SECRET_KEY": JWT_SECRET, "LOG_LEVEL": "WARNING"}
    )
    with app.app_context(), app.test_request_context():
        session = db.session

        def person(tag: str) -> int:
            row = Volunteer(openid=f"bench-{tag}-{uuid.uuid4().hex}", nickname="压测")
            session.add(row)
            session.flush()
            return row.id

        volunteer_ids = [person("v") for _ in range(VOLUNTEERS)]
        session.commit()
        for volunteer_id in volunteer_ids:
            ledger_ops.earn(session, volunteer_id, 10_000_000, memo="bench seed")
        offers = []
        for index in range(MERCHANTS):
            merchant = merchants.create_merchant(
                session, name=f"压测商家{index}", region_code="330106", staff_id=None
            )
            perk = perks.create_perk(
                session,
                merchant_id=merchant.id,
                stock=1_000_000,
                staff_id=None,
                title="压测优待",
                cost_points=1,
                per_user_limit=None,
            )
            staff_id = person("s")
            session.commit()
            merchants.bind(session, volunteer_id=staff_id, bind_code=merchant.bind_code)
            offers.append((perk.id, _token(staff_id)))
        tokens = [_token(volunteer_id) for volunteer_id in volunteer_ids]
        db.engine.dispose()
    return tokens, offers


def _token(volunteer_id: int) -> str:
    from miniprogram_api.auth import issue_volunteer_tokens

    return issue_volunteer_tokens(SimpleNamespace(id=volunteer_id))["access_token"]


class _gunicorn:
    """Run ``gunicorn -c gunicorn.conf.py <target>`` on a free port until the block ends."""

    def __init__(self, target: str, env: dict) -> None:
        self.target, self.env = target, env

    def __enter__(self) -> _gunicorn:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, **self.env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(  # noqa: S603  (fixed arguments, our own config)
            [gunicorn, "-c", "gunicorn.conf.py", self.target],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        self.pid = self.process.pid
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.base + "/healthz", timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        self.process.kill()
        raise RuntimeError(f"gunicorn {self.target} did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _client(base, volunteers, offers, seconds, start, results) -> None:
    http = requests.Session()
    rng = random.Random()
    start.wait()
    cycles = errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            ok = _cycle(http, base, rng.choice(offers), rng.choice(volunteers))
        except requests.ConnectionError:
            # gunicorn recycles a worker every ~5,000 requests (max_requests): reconnect.
            http = requests.Session()
            ok = False
        cycles += ok
        errors += not ok
    results.put((cycles, errors))


def _cycle(http, base, offer, volunteer) -> bool:
    """Reserve a unit as a volunteer, then confirm its code as the merchant's staff."""
    perk_id, staff = offer
    reserved = http.post(
        base + "/api/v1/redemptions",
        json={"perk_id": perk_id},
        headers={"Authorization": f"Bearer {volunteer}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    if reserved.status_code != 201:
        return False
    confirmed = http.post(
        base + "/api/v1/merchant/redemptions/confirm",
        json={"code": reserved.json()["code"]},
        headers={"Authorization": f"Bearer {staff}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    return confirmed.status_code == 200


@dataclass
class _Round:
    """One server's round: its rate, its failures and the CPU seconds each party used."""

    rate: float
    failed: int
    cycles: int
    server: float
    clients: float
    postgres: float | None

    def cpu(self) -> str:
        per = 1000 / max(self.cycles, 1)
        parts = [f"gunicorn {self.server * per:.1f}"]
        if self.postgres is not None:
            parts.append(f"PostgreSQL {self.postgres * per:.1f}")
        parts.append(f"clients {self.clients * per:.1f}")
        return ", ".join(parts)


def _measure(server, volunteers, offers, clients, seconds, database=None) -> _Round:
    """Run *clients* client processes against *server* for *seconds*.

    A failure is a cycle cut by gunicorn recycling a worker (max_requests) or refused. The
    CPU is read from /proc: the gunicorn master and its workers, PostgreSQL's backends of
    *database* (a lower bound when a recycled worker's connections close), and the client
    processes once they have finished.
    """
    context = multiprocessing.get_context("fork")
    start = context.Barrier(clients)
    results = context.Queue()
    processes = [
        context.Process(
            target=_client, args=(server.base, volunteers, offers, seconds, start, results)
        )
        for _ in range(clients)
    ]
    before = (tree_cpu(server.pid), children_cpu(), database and backend_cpu(database))
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    after = (tree_cpu(server.pid), children_cpu(), database and backend_cpu(database))
    cycles = sum(c for c, _ in outcomes)
    return _Round(
        rate=cycles / seconds,
        failed=sum(e for _, e in outcomes),
        cycles=cycles,
        server=after[0] - before[0],
        clients=after[1] - before[1],
        postgres=used_between(before[2], after[2]) if database else None,
    )


def _check_ledger(sa_url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from ledger.verify import verify

    engine = create_engine(sa_url)
    with Session(engine) as session:
        report = verify(session)
    engine.dispose()
    print(f"ledger verify after the run: {'OK' if report.ok else 'INCONSISTENT'}")


if __name__ == "__main__":
    main()
