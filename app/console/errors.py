"""Errors on console pages: a Chinese page or a flash message, never a JSON body or a 500."""

from __future__ import annotations

import logging

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.console.blueprint import back_to, bp
from core.errors import DomainError
from miniprogram_api.errors import DOMAIN_STATUS, ApiError
from miniprogram_api.extensions import db

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    400: "请求有误",
    403: "您的角色无权访问此页面",
    404: "页面不存在，或不在您的管辖区域内",
    405: "不支持该请求方法",
    413: "提交的内容过大",
    429: "操作过于频繁，请稍后再试",
}


def _refuse(status: int, message: str):
    """Answer a refused request: back to the form with a message, or an error page."""
    db.session.rollback()
    if request.method == "POST" and status not in (403, 404, 429) and g.get("staff"):
        flash(message, "error")
        return redirect(back_to(url_for("console.home")))
    return render_template("console/error.html", status=status, message=message), status


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return _refuse(DOMAIN_STATUS.get(error.code, 409), _with_field(error.message, error.details))


def _with_field(message: str, details: dict) -> str:
    """Add the first field's problem when the message alone is generic (规则不合法 → why)."""
    fields = details.get("fields")
    if isinstance(fields, dict) and fields:
        problem = next(iter(fields.values()))
        problem = problem[0] if isinstance(problem, list) and problem else problem
        if isinstance(problem, str) and problem not in message:
            return f"{message}：{problem}"
    return message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return _refuse(error.status, error.message)


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    db.session.rollback()
    message = "页面已过期或表单来源无法验证，请刷新页面后重试"
    return render_template("console/error.html", status=400, message=message), 400


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = error.code or 500
    return _refuse(status, _HTTP_MESSAGES.get(status, error.name))


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    log.exception("unhandled exception in the console")
    db.session.rollback()
    message = "服务器内部错误，请稍后再试"
    return render_template("console/error.html", status=500, message=message), 500
