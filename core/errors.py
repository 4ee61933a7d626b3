"""Domain errors: named rules a use case refuses, each with a stable code and a Chinese message.

The HTTP layer maps codes to status codes; domain code never mentions HTTP.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule said no. Subclasses set ``code`` and a default ``message``."""

    code = "CONFLICT"
    message = "操作与当前状态冲突"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.message
        self.details = details
        super().__init__(self.message)


class NotFound(DomainError):
    code = "NOT_FOUND"
    message = "未找到该对象"


class InvalidRegion(DomainError):
    code = "VALIDATION_ERROR"
    message = "行政区划代码无效"
