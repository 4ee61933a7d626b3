"""The rules identity use cases can refuse."""

from core.errors import DomainError


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"
    message = "用户名或密码错误"


class InvalidStaffRole(DomainError):
    code = "VALIDATION_ERROR"
    message = "角色与所属行政区划不匹配"


class UsernameTaken(DomainError):
    code = "CONFLICT"
    message = "用户名已存在"
