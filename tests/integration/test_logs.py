"""Logs: one JSON line per request with its id; no secrets, no unmasked personal data."""

import json
import logging

from app.logs import RedactingFilter, RequestIdFilter


def _json_lines(capsys):
    lines = []
    for line in capsys.readouterr().err.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_each_request_logs_one_json_access_line_with_its_id(client, capsys):
    client.get("/healthz", headers={"X-Request-ID": "req-42"})
    access = [line for line in _json_lines(capsys) if line.get("name") == "access"]
    assert access[-1]["request_id"] == "req-42"
    assert access[-1]["path"] == "/healthz"
    assert access[-1]["status"] == 200
    assert "duration_ms" in access[-1]


def test_phone_numbers_and_secrets_are_scrubbed_from_records():
    record = logging.makeLogRecord(
        {
            "msg": "volunteer %s called with secret=%s",
            "args": ("13812345678", "topsecret"),
            "extra_field": "session_key=abcdef",
        }
    )
    RequestIdFilter().filter(record)
    RedactingFilter().filter(record)
    assert record.getMessage() == "volunteer 138****5678 called with secret=***"
    assert record.extra_field == "session_key=***"
