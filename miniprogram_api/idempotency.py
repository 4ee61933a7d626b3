"""The ``Idempotency-Key`` header for every POST that moves points or stock (API.md).

``run_idempotent`` hashes (subject, method, path, JSON body), and runs the use case through
``ledger.idempotency.run_once``: the key is claimed in the same database transaction as the
write, and the response (status and body, refusals included) is stored with it, so a retry
gets exactly the first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from core.errors import DomainError
from ledger import idempotency
from miniprogram_api.errors import DOMAIN_STATUS, ApiError
from miniprogram_api.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

# For the OpenAPI document: @blp.doc(parameters=[IDEMPOTENCY_PARAMETER]).
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "A client-chosen key, new for each action: the same key and body replay "
    "the first response; the same key with another body is IDEMPOTENCY_KEY_REUSED (422); "
    "while the first is still running, IDEMPOTENCY_KEY_IN_USE (409). Kept at least 24 hours.",
}


def idempotency_key() -> str:
    """Return the request's Idempotency-Key, or answer 422 when it is missing or malformed."""
    key = request.headers.get(HEADER)
    if key is None or not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            422,
            "VALIDATION_ERROR",
            f"请求头 {HEADER} 必填，长度 1 到 {MAX_KEY_LENGTH} 个字符",
            fields={HEADER: [f"长度必须在 1 到 {MAX_KEY_LENGTH} 之间"]},
        )
    return key


def run_idempotent(subject: str, work: Callable[[Session], tuple[int, Any]]) -> Response:
    """Run *work* (returning status and a JSON-ready body) once per key for *subject*."""
    key = idempotency_key()
    fingerprint = idempotency.request_hash(
        subject, request.method, request.path, request.get_json(silent=True)
    )

    def unit(session: Session) -> idempotency.Response:
        status, body = work(session)
        return idempotency.Response(status, body)

    result = idempotency.run_once(
        db.session,
        scope=subject,
        key=key,
        fingerprint=fingerprint,
        work=unit,
        refusal=_refusal,
    )
    response = jsonify(result.body)
    response.status_code = result.status
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response


def _refusal(error: DomainError) -> idempotency.Response:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    return idempotency.Response(DOMAIN_STATUS.get(error.code, 409), body)
