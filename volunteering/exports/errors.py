"""What an export can refuse."""

from core.errors import DomainError


class ExportTooLarge(DomainError):
    code = "EXPORT_TOO_LARGE"
    message = "导出数据过多，请缩小日期范围后重试"
