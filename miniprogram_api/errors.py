"""One error format for every layer: ``{"code", "message", "details"?}`` (API.md, "Errors")."""

from __future__ import annotations

import logging
import re
from typing import Any

import marshmallow as ma
from flask import jsonify
from flask_smorest import Api as SmorestApi
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from core.errors import DomainError

log = logging.getLogger(__name__)

# HTTP status for each domain error code; anything not listed is a 409 conflict.
DOMAIN_STATUS = {
    "VALIDATION_ERROR": 422,
    "NOT_FOUND": 404,
    "FORBIDDEN": 403,
    "UNAUTHENTICATED": 401,
    "INVALID_CREDENTIALS": 401,
    "IDEMPOTENCY_KEY_REUSED": 422,
    # check-in and check-out
    "QR_INVALID": 400,
    "OUT_OF_RANGE": 422,
    "LOCATION_INACCURATE": 422,
    # perks and redemption
    "STAR_LEVEL_TOO_LOW": 403,
    "WRONG_MERCHANT": 403,
    "REDEMPTION_CODE_INVALID": 404,
    "REDEMPTION_EXPIRED": 410,
    "EXPORT_TOO_LARGE": 422,
}

_HTTP_CODES = {
    400: ("BAD_REQUEST", "请求格式不正确"),
    401: ("UNAUTHENTICATED", "请先登录"),
    403: ("FORBIDDEN", "没有权限执行此操作"),
    404: ("NOT_FOUND", "请求的资源不存在"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    409: ("CONFLICT", "操作与当前状态冲突"),
    413: ("PAYLOAD_TOO_LARGE", "请求内容过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "请求内容类型不受支持，请使用 application/json"),
    422: ("VALIDATION_ERROR", "请求参数校验失败"),
    429: ("RATE_LIMITED", "请求过于频繁，请稍后再试"),
    500: ("INTERNAL_ERROR", "服务器内部错误，请稍后再试"),
    503: ("SERVICE_UNAVAILABLE", "服务暂时不可用，请稍后再试"),
}

# marshmallow's and webargs's stock messages, in words a volunteer reads.
_MESSAGES_ZH = {
    "Missing data for required field.": "此项为必填项",
    "Field may not be null.": "此项不能为空",
    "Invalid value.": "值无效",
    "Not a valid string.": "必须是字符串",
    "Not a valid integer.": "必须是整数",
    "Not a valid number.": "必须是数字",
    "Not a valid boolean.": "必须是布尔值",
    "Not a valid datetime.": "不是有效的时间（RFC 3339）",
    "Not a valid date.": "不是有效的日期",
    "Not a valid list.": "必须是数组",
    "Not a valid mapping type.": "必须是对象",
    "Not a valid email address.": "不是有效的邮箱地址",
    "Not a valid URL.": "不是有效的网址",
    "Unknown field.": "未知字段",
    "Invalid input type.": "输入类型无效，应为 JSON 对象",
    "Invalid JSON body.": "请求体不是合法的 JSON",
    "Special numeric values (nan or infinity) are not permitted.": "不允许 NaN 或无穷大",
    "Number too large.": "数值过大",
}
_PATTERNS_ZH = [
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"长度必须在 \1 到 \2 之间"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"长度不能少于 \1"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"长度不能超过 \1"),
    (re.compile(r"^Length must be (\d+)\.$"), r"长度必须为 \1"),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        r"必须在 \1 到 \2 之间",
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"不能小于 \1"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), r"不能大于 \1"),
    (re.compile(r"^Must be greater than (\S+)\.$"), r"必须大于 \1"),
    (re.compile(r"^Must be one of: (.+)\.$"), r"必须是以下之一：\1"),
    (re.compile(r"^String does not match expected pattern\.$"), "格式不正确"),
]


class ApiError(Exception):
    """An error the HTTP layer answers directly, in the API.md format."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class ErrorSchema(ma.Schema):
    """The error body every endpoint returns on failure."""

    code = ma.fields.String(
        required=True, metadata={"description": "Stable UPPER_SNAKE code", "example": "NOT_FOUND"}
    )
    message = ma.fields.String(required=True, metadata={"description": "Chinese text for people"})
    details = ma.fields.Dict(metadata={"description": "Machine-readable specifics"})


def error_response(status: int, code: str, message: str, details: dict | None = None, headers=None):
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def translate(message: str) -> str:
    """Return the Chinese wording of a stock validation message (unknown ones unchanged)."""
    if message in _MESSAGES_ZH:
        return _MESSAGES_ZH[message]
    for pattern, replacement in _PATTERNS_ZH:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def _translate_tree(messages: Any) -> Any:
    if isinstance(messages, dict):
        return {str(key): _translate_tree(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_translate_tree(item) for item in messages]
    return translate(messages) if isinstance(messages, str) else messages


def _validation_fields(messages: dict) -> dict:
    """Merge webargs's per-location messages (json, query, …) into one field → messages map."""
    fields: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            fields.update(location_messages)
        else:
            fields["_body"] = location_messages
    return _translate_tree(fields)


class Api(SmorestApi):
    """flask-smorest's Api answering every HTTP error in the API.md format."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        code, message = _HTTP_CODES.get(status, (f"HTTP_{status}", error.name))
        data = getattr(error, "data", None) or {}
        details = None
        messages = data.get("messages") or data.get("errors")
        if status == 400 and messages and "json" in messages:
            code, message = "MALFORMED_JSON", "请求体不是合法的 JSON"
        elif status == 422 and isinstance(messages, dict):
            fields = _validation_fields(messages)
            details = {"fields": fields}
            message = _first_field_message(fields) or message
        if status == 500:
            original = getattr(error, "original_exception", None)
            if original is not None:
                log.error("unhandled exception", exc_info=original)
        headers = dict(data.get("headers") or {})
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_response(status, code, message, details, headers)


def _first_field_message(fields: dict) -> str | None:
    for name, value in fields.items():
        while isinstance(value, dict) and value:
            value = next(iter(value.values()))
        if isinstance(value, list) and value and isinstance(value[0], str):
            return f"{name}：{value[0]}" if not name.startswith("_") else value[0]
    return None


def register_error_handlers(app, api: Api) -> None:
    """Map domain errors, ApiErrors and anything unexpected to the API.md format."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        status = DOMAIN_STATUS.get(error.code, 409)
        return error_response(status, error.code, error.message, error.details)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error)
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            # The database went away under a pooled connection (core.pool): SQLAlchemy has
            # dropped the pool, so a retry (safe with an Idempotency-Key) gets a fresh one.
            log.warning("database connection lost: %s", type(error.orig).__name__)
            code, message = _HTTP_CODES[503]
            return error_response(503, code, message)
        log.exception("unhandled exception")
        code, message = _HTTP_CODES[500]
        return error_response(500, code, message)
