"""Structured JSON logs with a request id; secrets and phone numbers never reach them."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from core.masking import mask_phones_in_text

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# key=value or "key": "value" pairs whose value must never be logged (urllib3 logs full URLs).
_SECRET_PAIRS = re.compile(
    r"""\b(?P<key>secret|access_token|refresh_token|js_code|session_key|password|code)"""
    r"""(?P<sep>["']?\s*[=:]\s*["']?)(?P<value>[^&\s"',}]+)""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Return *text* with secret values replaced and phone numbers masked."""
    text = _SECRET_PAIRS.sub(lambda m: f"{m['key']}{m['sep']}***", text)
    return mask_phones_in_text(text)


class RedactingFilter(logging.Filter):
    """Scrub every record's message and string extras before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "request_id"}


class _StderrHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is at emit time (servers and test capture swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(app: Flask) -> None:
    """Send JSON lines (or plain text for local reading) to stderr, redacted, with request ids."""
    handler = _StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    if app.config["LOG_JSON"]:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"levelname": "level", "asctime": "time"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_volunteer_api", False)]:
        root.removeHandler(existing)
    handler._volunteer_api = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])


def install_request_logging(app: Flask) -> None:
    """Give each request an id (accepted from the proxy if well-formed) and log one access line."""
    access_log = logging.getLogger("access")

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        if not access_log.isEnabledFor(logging.INFO):
            return response  # filtered out (LOG_LEVEL=WARNING and up): build nothing
        started = g.get("request_started")
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started
                else None,
            },
        )
        return response
