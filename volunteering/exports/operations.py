"""Build an export as xlsx bytes: counted first, refused above the cap, written row by row.

openpyxl's write-only mode streams rows to the file instead of keeping a cell tree, so memory
stays flat; the cap (EXPORT_MAX_ROWS, 100,000 by default) bounds the time one request takes.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import regions
from core.errors import DomainError
from volunteering.exports.errors import ExportTooLarge
from volunteering.exports.sheets import SHEETS

KINDS = tuple(SHEETS)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BATCH = 1000


class UnknownExport(DomainError):
    code = "NOT_FOUND"
    message = "没有这种导出"


class InvalidDateRange(DomainError):
    code = "VALIDATION_ERROR"
    message = "开始日期不能晚于结束日期"


def export(
    session: Session,
    kind: str,
    *,
    scope: str,
    first: date | None = None,
    last: date | None = None,
    max_rows: int = 100_000,
) -> bytes:
    """Return the *kind* sheet of region *scope* (days *first*..*last*, Beijing) as xlsx bytes."""
    sheet = SHEETS.get(kind)
    if sheet is None:
        raise UnknownExport()
    regions.get(scope)
    if first and last and first > last:
        raise InvalidDateRange(first=first.isoformat(), to=last.isoformat())
    query = sheet.query(scope, first, last)
    rows = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if rows > max_rows:
        raise ExportTooLarge(
            f"导出数据共 {rows} 行，超过单次上限 {max_rows} 行，请缩小日期范围后重试",
            rows=rows,
            max_rows=max_rows,
        )
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.title)
    worksheet.append(list(sheet.headers))
    for row in session.execute(query.execution_options(yield_per=_BATCH)):
        worksheet.append(sheet.row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(kind: str, scope: str, today: date) -> str:
    return f"{kind}-{scope}-{today:%Y%m%d}.xlsx"
