"""Ledger throughput and balance-read latency on PostgreSQL, with a raw-SQL ceiling.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev_ledger_bench \\
        .venv/bin/python -m bench.ledger_bench [--seconds 4] [--rounds 3] [--workers 1,8,32]

The database is the bench's own: it is created if missing and its schema rebuilt each run.

Throughput: every worker thread, on its own connection, pays a random merchant 1 point from a
random volunteer through ``idempotency.run_once`` + ``operations.redeem``: a fresh
Idempotency-Key claimed in the same transaction, both accounts locked in id order, the limit
checked, the entries appended with versions and chain hashes, the volunteer's lot consumed,
the append-only triggers on. The ceiling is the same transfer in raw SQL: two balance updates
and two entry inserts in one transaction, nothing else.

Latency: reading an account's balance (and its newest page of history) when it has 1,000
entries and when it has 1,000,000; the million are seeded by INSERT … SELECT generate_series
with triggers off (their chain hashes are placeholders: this database is never verified).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bench.database import fresh_database
from ledger import accounts, idempotency, operations, queries
from ledger.chain import GENESIS

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dev_ledger_bench"
VOLUNTEERS = 2_000
MERCHANTS = 200
START_BALANCE = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="ledger/raw pairs per count")
    parser.add_argument("--workers", default="1,8,32")
    parser.add_argument("--big", type=int, default=1_000_000, help="entries of the big account")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    workers = [int(n) for n in args.workers.split(",")]

    started = time.perf_counter()
    sa_url = fresh_database(url)
    engine = create_engine(sa_url, pool_size=max(workers) + 2, max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    volunteer_ids = _seed(factory)
    _create_raw_tables(url)
    print(
        f"PostgreSQL {_server_version(url)}, {os.cpu_count()} CPUs, {args.rounds} rounds of "
        f"{args.seconds:g}s for each side"
    )
    print(
        f"{VOLUNTEERS} volunteers, {MERCHANTS} merchants; seeded in "
        f"{time.perf_counter() - started:.1f}s\n"
    )

    # The ledger and the ceiling alternate, round by round, so a change in the machine's load
    # falls on both; the figures are medians of the rounds.
    print(f"{'workers':>7} {'ledger/s':>10} {'raw SQL/s':>10} {'ratio':>6}  (ratio per round)")
    for count in workers:
        rounds = []
        for _ in range(args.rounds):
            ledger_rate = _throughput(
                count, args.seconds, lambda: _ledger_worker(engine, volunteer_ids)
            )
            raw_rate = _throughput(count, args.seconds, lambda: _raw_worker(url))
            rounds.append((ledger_rate, raw_rate))
        ledger_rate = statistics.median(ledger for ledger, _ in rounds)
        raw_rate = statistics.median(raw for _, raw in rounds)
        ratio = statistics.median(ledger / raw for ledger, raw in rounds)
        each = " / ".join(f"{ledger / raw:.2f}" for ledger, raw in rounds)
        print(f"{count:>7} {ledger_rate:>10.0f} {raw_rate:>10.0f} {ratio:>6.2f}  ({each})")

    print()
    codes = _seed_read_accounts(engine, url, args.big)
    print(f"{'entries':>9} {'balance p50':>12} {'p99':>8} {'history p50':>12} {'p99':>8}  (ms)")
    labels = ("1,000", f"{args.big:,}")
    balance = _latency(factory, [lambda s, c=code: queries.balance_of(s, c) for code in codes])
    history = _latency(
        factory, [lambda s, c=code: queries.history(s, c, limit=20) for code in codes]
    )
    for label, (b50, b99), (h50, h99) in zip(labels, balance, history, strict=True):
        print(f"{label:>9} {b50:>12.3f} {b99:>8.3f} {h50:>12.3f} {h99:>8.3f}")
    print(f"\nbalance read, big / small (p50): {balance[1][0] / balance[0][0]:.2f}x")
    print(f"total {time.perf_counter() - started:.0f}s")
    engine.dispose()


def _seed(factory: sessionmaker) -> list[int]:
    """Create volunteers and give each one large lot to spend from."""
    with factory() as session:
        ids = list(
            session.execute(
                text(
                    "INSERT INTO volunteers (openid, created_at, updated_at) "
                    "SELECT 'bench-' || n, now(), now() FROM generate_series(1, :n) AS n "
                    "RETURNING id"
                ),
                {"n": VOLUNTEERS},
            ).scalars()
        )
        session.commit()
    chunks = [ids[i::8] for i in range(8)]

    def credit(chunk: list[int]) -> None:
        with factory() as session:
            for volunteer_id in chunk:
                operations.earn(session, volunteer_id, START_BALANCE, memo="bench seed")

    threads = [threading.Thread(target=credit, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:  # create the merchants' accounts up front, like a real system
        for merchant in range(MERCHANTS):
            accounts.create_missing(session, [accounts.merchant_code(merchant)])
        session.commit()
    return ids


def _create_raw_tables(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE raw_accounts (id bigint PRIMARY KEY, balance bigint NOT NULL, "
            "version bigint NOT NULL)"
        )
        conn.execute(
            "CREATE TABLE raw_entries (id bigserial PRIMARY KEY, account_id bigint NOT NULL "
            "REFERENCES raw_accounts (id), amount bigint NOT NULL, balance_after bigint NOT NULL, "
            "version bigint NOT NULL, UNIQUE (account_id, version))"
        )
        conn.execute(
            "INSERT INTO raw_accounts SELECT n, CASE WHEN n <= %s THEN %s ELSE 0 END, 0 "
            "FROM generate_series(1, %s) AS n",
            (VOLUNTEERS, START_BALANCE, VOLUNTEERS + MERCHANTS),
        )


def _ledger_worker(engine: Engine, volunteer_ids: list[int]) -> Callable[[], None]:
    # One connection for the worker's life, as the raw worker has: a Session bound to a
    # Connection commits its transactions on it instead of returning it to the pool after
    # each, so the two sides compare transfers, not a transfer against pool check-outs.
    connection = engine.connect()
    session = Session(bind=connection, expire_on_commit=False)

    def once() -> None:
        volunteer = random.choice(volunteer_ids)
        merchant = random.randrange(MERCHANTS)
        key = uuid.uuid4().hex
        fingerprint = idempotency.request_hash(f"volunteer:{volunteer}", "POST", "/bench", key)

        def work(s: Session) -> idempotency.Response:
            posted = operations.redeem(s, volunteer, merchant, 1)
            return idempotency.Response(201, {"transaction_id": posted.transaction_id})

        idempotency.run_once(
            session,
            scope=f"volunteer:{volunteer}",
            key=key,
            fingerprint=fingerprint,
            work=work,
        )

    def close() -> None:
        session.close()
        connection.close()

    once.close = close  # type: ignore[attr-defined]
    return once


def _raw_worker(url: str) -> Callable[[], None]:
    conn = psycopg.connect(url)

    def once() -> None:
        source = random.randint(1, VOLUNTEERS)
        destination = VOLUNTEERS + 1 + random.randrange(MERCHANTS)
        with conn.transaction():
            # Same lock order as the ledger (lower id first), so the ceiling cannot deadlock.
            for account_id, amount in sorted(((source, -1), (destination, 1))):
                balance, version = conn.execute(
                    "UPDATE raw_accounts SET balance = balance + %s, version = version + 1 "
                    "WHERE id = %s RETURNING balance, version",
                    (amount, account_id),
                ).fetchone()
                conn.execute(
                    "INSERT INTO raw_entries (account_id, amount, balance_after, version) "
                    "VALUES (%s, %s, %s, %s)",
                    (account_id, amount, balance, version),
                )

    once.close = conn.close  # type: ignore[attr-defined]
    return once


def _throughput(count: int, seconds: float, make_worker: Callable[[], Callable[[], None]]) -> float:
    """Run *count* threads doing postings for *seconds*; return completed postings per second."""
    done = [0] * count
    errors: list[BaseException] = []
    start = threading.Barrier(count + 1)
    stop = threading.Event()

    def run(index: int) -> None:
        worker = make_worker()
        start.wait()
        try:
            while not stop.is_set():
                worker()
                done[index] += 1
        except BaseException as error:  # noqa: BLE001  (reported below, after the run)
            errors.append(error)
        finally:
            worker.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} workers failed") from errors[0]
    return sum(done) / elapsed


def _seed_read_accounts(engine, url: str, big: int) -> tuple[str, str]:
    """Give two fresh merchant accounts 1,000 and *big* entries, by bulk SQL."""
    codes = (accounts.merchant_code(10_000_001), accounts.merchant_code(10_000_002))
    with Session(engine) as session:
        accounts.create_missing(session, codes)
        session.commit()
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # bulk seeding: triggers off
        transaction_id = conn.execute(
            "INSERT INTO ledger_transactions (kind, memo, metadata, effective_at, created_at) "
            "VALUES ('transfer', 'bench seed', '{}', now(), now()) RETURNING id"
        ).fetchone()[0]
        for code, count in zip(codes, (1_000, big), strict=True):
            account_id = conn.execute(
                "SELECT id FROM ledger_accounts WHERE code = %s", (code,)
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, "
                "version, hash, created_at) SELECT %s, %s, 1, n, n, %s, now() "
                "FROM generate_series(1, %s) AS n",
                (transaction_id, account_id, GENESIS, count),
            )
            conn.execute(
                "UPDATE ledger_accounts SET balance = %s, version = %s WHERE id = %s",
                (count, count, account_id),
            )
        conn.commit()
        conn.execute("ANALYZE ledger_entries")
        conn.execute("ANALYZE ledger_accounts")
    print(f"seeded {1_000 + big:,} entries in {time.perf_counter() - started:.1f}s")
    return codes


def _latency(factory: sessionmaker, reads: list[Callable[[Session], object]], rounds: int = 3_000):
    """Return (p50, p99) milliseconds of each read, interleaved so load hits them alike."""
    timings: list[list[float]] = [[] for _ in reads]
    with factory() as session:
        for _ in range(200):  # warm the pool, the plan cache and the buffer cache
            for read in reads:
                read(session)
                session.rollback()
        for _ in range(rounds):
            for index, read in enumerate(reads):
                began = time.perf_counter()
                read(session)
                session.rollback()
                timings[index].append((time.perf_counter() - began) * 1000)
    result = []
    for series in timings:
        series.sort()
        result.append((statistics.median(series), series[int(len(series) * 0.99)]))
    return result


def _server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


if __name__ == "__main__":
    main()
