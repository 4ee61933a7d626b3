"""Why a session went to review instead of being approved at check-out."""

TOO_SHORT = "too_short"
TOO_LONG = "too_long"
POOR_ACCURACY = "poor_accuracy"
FORGOT_CHECKOUT = "forgot_checkout"
OUTSIDE_ACTIVITY = "outside_activity_window"
STATION_INACTIVE = "station_inactive"

LABELS = {
    TOO_SHORT: "服务时长短于最短时长",
    TOO_LONG: "服务时长超过最长时长",
    POOR_ACCURACY: "签退时定位精度不足",
    FORGOT_CHECKOUT: "未签退，系统按最长时长关闭",
    OUTSIDE_ACTIVITY: "签退时间超出活动时间",
    STATION_INACTIVE: "签退时站点已停用",
}
