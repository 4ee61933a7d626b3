"""The rules check-in, check-out and review can refuse, with API.md's codes."""

from core.errors import DomainError


class QrInvalid(DomainError):
    code = "QR_INVALID"
    message = "二维码无效或已过期，请扫描站点现场的最新二维码"


class StationInactive(DomainError):
    code = "STATION_INACTIVE"
    message = "该站点已停用，暂不能签到"


class OutOfRange(DomainError):
    code = "OUT_OF_RANGE"
    message = "不在签到范围内"


class LocationInaccurate(DomainError):
    code = "LOCATION_INACCURATE"
    message = "定位精度不足，请到开阔处或开启精确定位后重试"


class AlreadyCheckedIn(DomainError):
    code = "ALREADY_CHECKED_IN"
    message = "您已在服务中，请先签退"


class NotCheckedIn(DomainError):
    code = "NOT_CHECKED_IN"
    message = "您当前没有进行中的服务，请先签到"


class WrongStation(DomainError):
    code = "WRONG_STATION"
    message = "请在签到的站点签退"


class SignupRequired(DomainError):
    code = "SIGNUP_REQUIRED"
    message = "当前活动需要先报名才能签到"


class SessionNotReviewable(DomainError):
    code = "CONFLICT"
    message = "该服务记录当前状态不能执行此操作"
