"""Time in one place: aware UTC for storage, Asia/Shanghai for business days."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def business_time(moment: datetime) -> datetime:
    """Return *moment* as seen on a clock in Zhejiang."""
    return moment.astimezone(BUSINESS_TZ)
