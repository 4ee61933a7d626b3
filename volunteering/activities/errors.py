"""The rules sign-up can refuse, with API.md's codes."""

from core.errors import DomainError


class ActivityFull(DomainError):
    code = "ACTIVITY_FULL"
    message = "活动名额已满"


class SignupClosed(DomainError):
    code = "SIGNUP_CLOSED"
    message = "活动报名已截止"
