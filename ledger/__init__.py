"""The points ledger: append-only, double-entry, idempotent, two-phase, expiring, tamper-evident.

Knows SQLAlchemy, not Flask, HTTP or Redis. Every use case takes a ``Session`` and runs in one
short transaction owned by ``ledger.uow.atomic`` (the one place that begins, commits, rolls back
and retries). Public entry points: ``ledger.operations`` (verbs that move points),
``ledger.holds`` (two-phase), ``ledger.queries`` (reads), ``ledger.verify`` (the auditor),
``ledger.idempotency``. ``ledger.postings.record`` decides every posting the same way on
every database; ``ledger.postgres`` stores it on PostgreSQL in fewer round trips.
"""
