"""The rollup table: integer totals per region, business month, metric and slot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

# Concurrent events in one county spread over this many rows per metric and month; readers
# sum the slots. Eight keeps a burst of approvals from queueing on one hot row.
SLOTS = 8


class RegionStat(Base):
    """One slot of one metric of one region in one business month (first day of the month).

    Months, not days: the dashboard reads years and all time, and the number of rows it reads
    is then bounded by regions x months x metrics x slots, whatever the number of sessions.
    """

    __tablename__ = "region_month_stats"
    __table_args__ = (CheckConstraint(f"slot >= 0 AND slot < {SLOTS}", name="slot_in_range"),)

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)

    def __repr__(self) -> str:
        return (
            f"<RegionStat {self.region_code} {self.month} {self.metric}[{self.slot}]={self.value}>"
        )
