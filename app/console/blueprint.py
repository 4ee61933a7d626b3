"""The console's blueprint, its roles, and the small helpers every page uses."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from flask import Blueprint, g, request

from core.errors import DomainError
from miniprogram_api.pagination import decode_cursor, encode_cursor

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
)

ADMINS = ("province_admin", "city_admin", "county_admin")
READERS = (*ADMINS, "auditor")
STATION_READERS = (*READERS, "station_manager")
REVIEWERS = (*ADMINS, "station_manager")
PAGE_SIZE = 20

ROLE_NAMES = {
    "province_admin": "省级管理员",
    "city_admin": "市级管理员",
    "county_admin": "县级管理员",
    "station_manager": "站点管理员",
    "auditor": "审计员",
}


class InvalidForm(DomainError):
    """A form field the console could not accept; shown to the user, never a 500."""

    code = "VALIDATION_ERROR"
    message = "表单填写有误"


def has_role(*roles: str) -> bool:
    """Return True when the signed-in staff member holds one of *roles*."""
    staff = g.get("staff")
    return staff is not None and bool(set(roles) & set(staff.roles))


def text(name: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
    """Return the trimmed form field *name*, refusing an empty or too long one."""
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise InvalidForm(f"请填写{label}", field=name)
    if len(value) > max_length:
        raise InvalidForm(f"{label}不能超过 {max_length} 个字", field=name)
    return value


def integer(
    name: str,
    label: str,
    *,
    required: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Return the form field *name* as an integer within bounds (None when optional and empty)."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise InvalidForm(f"请填写{label}", field=name)
        return None
    if not re.fullmatch(r"-?\d{1,12}", raw):
        raise InvalidForm(f"{label}必须是整数", field=name)
    value = int(raw)
    if minimum is not None and value < minimum:
        raise InvalidForm(f"{label}不能小于 {minimum}", field=name)
    if maximum is not None and value > maximum:
        raise InvalidForm(f"{label}不能大于 {maximum}", field=name)
    return value


def decimal(name: str, label: str, *, minimum: float, maximum: float) -> float:
    """Return the form field *name* as a number within bounds."""
    raw = (request.form.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise InvalidForm(f"{label}必须是数字", field=name) from None
    if not minimum <= value <= maximum:  # also refuses NaN
        raise InvalidForm(f"{label}必须在 {minimum} 到 {maximum} 之间", field=name)
    return value


def checkbox(name: str) -> bool:
    return request.form.get(name) in {"on", "1", "true", "y"}


def after_id() -> int | None:
    """Return the id the ``?cursor=`` of a list page points after (None on the first page)."""
    token = request.args.get("cursor")
    if not token:
        return None
    try:
        value = decode_cursor(token[:512]).get("id")
    except ma.ValidationError:
        value = None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidForm("分页游标无效，请从第一页重新浏览")
    return value


def page_of(rows: list[Any], key=lambda row: row.id) -> tuple[list[Any], str | None]:
    """Split PAGE_SIZE + 1 fetched rows into this page and the next page's cursor."""
    items = rows[:PAGE_SIZE]
    more = len(rows) > PAGE_SIZE
    return items, (encode_cursor({"id": key(items[-1])}) if more else None)


def back_to(default: str) -> str:
    """Return where to go after a failed form: the page it came from, if it is a console page."""
    referrer = urlsplit(request.referrer or "")
    if referrer.path.startswith(bp.url_prefix + "/") and referrer.netloc == request.host:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return default
