"""Draw a certificate as an A4 PDF with reportlab.

The font is reportlab's built-in CID font STSong-Light (Adobe-GB1): the PDF names it and the
reader supplies the glyphs, so no font file ships with the app, and text extracts back as
Unicode (the tests parse it with pypdf).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from volunteering.certificates.content import CertificateContent

FONT = "STSong-Light"
TITLE = "志愿服务记录证明"


def hours_text(minutes: int) -> str:
    """Return *minutes* as hours with two decimals, rounded half-up: 750 → "12.50"."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
    }


def render(
    content: CertificateContent, *, number: str, issued_on: date, verify_url: str | None
) -> bytes:
    """Return the certificate as PDF bytes."""
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=24 * mm,
        bottomMargin=20 * mm,
        title=f"{TITLE} {number}",
        author=content.issuer,
        subject=TITLE,
    )
    story = [
        Paragraph(TITLE, styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(f"证书编号：{number}", styles["small"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"兹证明 {content.real_name} 同志在{content.issuer}记录的生态环境志愿服务情况如下。",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _facts_table(content, styles),
        Spacer(1, 6 * mm),
        Paragraph("服务内容（按服务时长排列的主要服务站点）", styles["body"]),
        Spacer(1, 2 * mm),
        _stations_table(content, styles),
        Spacer(1, 8 * mm),
        Paragraph(
            "本证明依据平台记录的志愿服务信息出具（谁组织谁记录，谁记录谁证明）。"
            "系统时长为扫码签到签退并经审核的时长，补录时长为工作人员补录并经复核的时长。",
            styles["small"],
        ),
        Spacer(1, 8 * mm),
        Paragraph(f"出具单位：{content.issuer}", styles["body"]),
        Paragraph(f"出具日期：{day_text(issued_on)}", styles["body"]),
    ]
    if verify_url:
        story += [
            Spacer(1, 6 * mm),
            _qr(verify_url),
            Paragraph(f"扫码或访问以下网址核验本证明：{verify_url}", styles["small"]),
        ]
    document.build(story)
    return buffer.getvalue()


def _facts_table(content: CertificateContent, styles) -> Table:
    span = "暂无"
    if content.first_day and content.last_day:
        span = f"{day_text(content.first_day)} 至 {day_text(content.last_day)}"
    rows = [
        ("姓名", content.real_name),
        ("志愿者编号", str(content.volunteer_id)),
        ("手机号（已脱敏）", content.phone_masked or "未绑定"),
        ("系统记录时长", f"{hours_text(content.system_minutes)} 小时"),
        ("补录时长", f"{hours_text(content.manual_minutes)} 小时"),
        ("累计服务时长", f"{hours_text(content.total_minutes)} 小时"),
        ("服务次数", f"{content.sessions} 次"),
        ("服务期间", span),
    ]
    table = Table(
        [[Paragraph(k, styles["cell"]), Paragraph(v, styles["cell"])] for k, v in rows],
        colWidths=[45 * mm, 115 * mm],
    )
    table.setStyle(_grid())
    return table


def _stations_table(content: CertificateContent, styles) -> Table:
    rows = [["服务站点", "时长（小时）", "次数"]]
    rows += [[s.name, hours_text(s.minutes), str(s.sessions)] for s in content.top_stations]
    if content.other_stations:
        rows.append([f"其他 {content.other_stations} 个站点", "", ""])
    if len(rows) == 1:
        rows.append(["暂无扫码服务记录", "", ""])
    table = Table(
        [[Paragraph(cell, styles["cell"]) for cell in row] for row in rows],
        colWidths=[100 * mm, 35 * mm, 25 * mm],
    )
    table.setStyle(_grid(header=True))
    return table


def _grid(header: bool = False) -> TableStyle:
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
    ]
    if header:
        commands[-1] = ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)
    return TableStyle(commands)


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url)
    left, bottom, right, top = widget.getBounds()
    size = 28 * mm
    scale = [size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    drawing = Drawing(size, size, transform=scale)
    drawing.add(widget)
    return drawing
