"""Idempotency keys kept in the database, claimed in the same transaction as the write.

``run_once`` claims (scope, key) and runs the work in one ``atomic`` transaction, then stores
the response next to the write it describes: either both commit or neither does. A retry of
the same request replays the stored response; a different request under the same key is
refused; a retry while the first is still running is told so instead of waiting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import DomainError
from ledger import postgres
from ledger.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from ledger.models import IdempotencyKey
from ledger.uow import atomic, in_atomic

_keys = IdempotencyKey.__table__

# API.md promises at least 24 hours; purging is a maintenance job, not part of the write path.
KEEP_FOR = timedelta(hours=48)


@dataclass(frozen=True)
class Response:
    """An opaque stored answer: a status number and a JSON body."""

    status: int
    body: Any
    replayed: bool = False


def request_hash(*parts: Any) -> str:
    """Return a stable sha256 of the request's parts (subject, method, path, parsed body)."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    session: Session,
    *,
    scope: str,
    key: str,
    fingerprint: str,
    work: Callable[[Session], Response],
    refusal: Callable[[DomainError], Response] | None = None,
) -> Response:
    """Run *work* at most once per (scope, key) and return its response, or replay it.

    A DomainError from *work* becomes a response through *refusal* and is stored too, so a
    retry sees the same refusal. The refused attempt is rolled back whole and the refusal
    stored by a second short transaction that claims the key again: the common, successful
    path pays for no savepoint.
    """

    def attempt(s: Session) -> Response:
        stored = _claim(s, scope, key, fingerprint)
        if stored is not None:
            return stored
        if in_atomic_outer:
            # Joined a caller's transaction: undo only our work, keep theirs.
            try:
                with s.begin_nested():
                    response = work(s)
            except DomainError as error:
                if refusal is None:
                    raise
                response = refusal(error)
        else:
            response = work(s)
        _store(s, scope, key, fingerprint, response)
        return response

    in_atomic_outer = in_atomic(session)
    try:
        return atomic(session, attempt)
    except (IdempotencyKeyReused, IdempotencyKeyInUse):
        raise
    except DomainError as error:
        if refusal is None or in_atomic_outer:
            raise
        answer = refusal(error)

    def remember_refusal(s: Session) -> Response:
        stored = _claim(s, scope, key, fingerprint)
        if stored is not None:
            return stored  # a copy of the request finished in between: its answer stands
        _store(s, scope, key, fingerprint, answer)
        return answer

    return atomic(session, remember_refusal)


def _store(session: Session, scope: str, key: str, fingerprint: str, response: Response) -> None:
    if session.get_bind().dialect.name == "postgresql":
        postgres.store_key(
            session,
            scope=scope,
            key=key,
            request_hash=fingerprint,
            status=response.status,
            body=response.body,
            at=now(),
        )
        return
    session.execute(
        insert(_keys).values(
            scope=scope,
            key=key,
            request_hash=fingerprint,
            response_status=response.status,
            response_body=response.body,
            created_at=now(),
        )
    )


def _claim(session: Session, scope: str, key: str, fingerprint: str) -> Response | None:
    """Return the stored response for (scope, key), or None once this transaction owns it."""
    if session.get_bind().dialect.name == "postgresql":
        # A transaction-scoped advisory lock marks the key as running; a second request fails
        # to take it at once and answers IN_USE instead of queueing behind the first. SQLite
        # writers are already serialized by BEGIN IMMEDIATE, so there is never a running one.
        row = postgres.claim(session, lock_key=_lock_key(scope, key), scope=scope, key=key)
        if row is None:
            raise IdempotencyKeyInUse(key=key)
    else:
        row = session.execute(
            select(_keys.c.request_hash, _keys.c.response_status, _keys.c.response_body).where(
                _keys.c.scope == scope, _keys.c.key == key
            )
        ).first()
    if not row:
        return None
    request_hash, status, body = row
    if request_hash != fingerprint:
        raise IdempotencyKeyReused(key=key)
    return Response(status, body, replayed=True)


def _lock_key(scope: str, key: str) -> int:
    digest = hashlib.sha256(f"ledger-idempotency|{scope}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def purge(session: Session, *, older_than: datetime | None = None) -> int:
    """Delete keys older than *older_than* (default: now minus KEEP_FOR); return how many."""
    cutoff = older_than or now() - KEEP_FOR

    def work(s: Session) -> int:
        count = s.execute(
            select(func.count()).select_from(_keys).where(_keys.c.created_at < cutoff)
        ).scalar_one()
        s.execute(delete(_keys).where(_keys.c.created_at < cutoff))
        return count

    return atomic(session, work)
