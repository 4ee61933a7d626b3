"""The names of what is counted. Points metrics are gross flows; outstanding is derived."""

from __future__ import annotations

MINUTES_SYSTEM = "minutes_system"  # credited by check-in/check-out (net of voids)
MINUTES_MANUAL = "minutes_manual"  # credited by approved manual hours (补录)
SESSIONS_APPROVED = "sessions_approved"  # approved sessions (net of voids)
POINTS_ISSUED = "points_issued"  # minted for service (sessions and manual hours)
POINTS_REVERSED = "points_reversed"  # taken back when an approved session is voided
POINTS_ADJUSTED = "points_adjusted"  # staff adjustments, either sign
POINTS_REDEEMED = "points_redeemed"  # paid to merchants by fulfilled redemptions
POINTS_EXPIRED = "points_expired"  # moved to the expired account

ALL = (
    MINUTES_SYSTEM,
    MINUTES_MANUAL,
    SESSIONS_APPROVED,
    POINTS_ISSUED,
    POINTS_REVERSED,
    POINTS_ADJUSTED,
    POINTS_REDEEMED,
    POINTS_EXPIRED,
)


def outstanding(totals: dict[str, int]) -> int:
    """Return the points these flows leave in volunteers' hands."""
    return (
        totals.get(POINTS_ISSUED, 0)
        - totals.get(POINTS_REVERSED, 0)
        + totals.get(POINTS_ADJUSTED, 0)
        - totals.get(POINTS_REDEEMED, 0)
        - totals.get(POINTS_EXPIRED, 0)
    )
