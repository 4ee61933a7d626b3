"""What issuing a certificate can refuse."""

from core.errors import DomainError


class RealNameRequired(DomainError):
    code = "REAL_NAME_REQUIRED"
    message = "开具志愿服务记录证明需要真实姓名，请先在个人资料中填写"


class NoServiceRecorded(DomainError):
    code = "NO_SERVICE_RECORDED"
    message = "暂无可证明的志愿服务时长"
