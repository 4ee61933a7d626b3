"""The console in a real browser: headless Chromium against the app on a loopback port."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from miniprogram_api.extensions import db
from rewards.perks.models import Perk
from tests.console.conftest import PASSWORD
from tests.support.servers import serve_in_thread
from volunteering.sessions.models import ServiceSession


@pytest.fixture
def served(app):
    """The app under test on a real port (the same database the test arranges)."""
    running = serve_in_thread(app)
    yield running.url.rstrip("/")
    running.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())  # the confirm() before risky actions
    yield opened
    context.close()


def test_a_county_admin_signs_in_creates_a_perk_approves_a_session_and_opens_the_dashboard(
    served,
    page,
    screenshot,
    make_console_staff,
    make_station,
    make_volunteer,
    make_pending_session,
    make_merchant,
):
    username = make_console_staff("county_admin", "330106")
    station = make_station("330106")
    pending = make_pending_session(make_volunteer("林小满", "330106"), station)
    merchant = make_merchant("330106", "西湖书店")

    page.goto(f"{served}/console/review")
    assert "/console/login" in page.url
    screenshot(page, "01-login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{served}/console/review")
    screenshot(page, "02-review-queue")

    # Approve the pending session from the queue, with corrected minutes, in bulk.
    page.get_by_label(f"选择服务记录 {pending}").check()
    page.get_by_label(f"服务记录 {pending} 核定分钟").fill("45")
    page.get_by_label("操作", exact=True).select_option("approve")
    page.get_by_role("button", name="执行").click()
    expect(page.get_by_role("status").first).to_contain_text("已通过 1 条服务记录")
    screenshot(page, "03-review-approved")
    record = db.session.get(ServiceSession, pending, populate_existing=True)
    assert (record.status, record.credited_minutes) == ("approved", 45)

    # Create a perk for the merchant.
    page.get_by_role("link", name="优待服务").click()
    page.get_by_role("link", name="新建优待服务").click()
    page.get_by_label("商家", exact=True).select_option(str(merchant.id))
    page.get_by_label("名称", exact=True).fill("书店九折")
    page.get_by_label("所需积分", exact=True).fill("30")
    page.get_by_label("初始库存", exact=True).fill("12")
    screenshot(page, "04-perk-form")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("status").first).to_contain_text("已创建优待服务「书店九折」")
    screenshot(page, "05-perk-created")
    perk = db.session.scalars(select(Perk).where(Perk.title == "书店九折")).one()
    assert (perk.cost_points, perk.stock_left, perk.merchant_id) == (30, 12, merchant.id)

    # The station page, its printable poster, and the dashboard.
    page.get_by_role("link", name="站点").click()
    page.get_by_role("link", name=station.name).click()
    screenshot(page, "06-station")
    page.get_by_role("link", name="打印签到海报").click()
    poster = page.get_by_role("img", name=f"{station.name} 的签到码")
    assert poster.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
    screenshot(page, "07-station-poster")

    answer = page.goto(f"{served}/console/dashboard")
    assert answer.status == 200, page.get_by_role("main").inner_text()
    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
    screenshot(page, "08-dashboard")


def test_the_browser_runs_the_pages_without_csp_violations(
    served, page, make_console_staff, screenshot
):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security" in message.text
        else None,
    )
    page.goto(f"{served}/console/login")
    page.get_by_label("用户名", exact=True).fill(make_console_staff())
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    for path in (
        "/console/ledger",
        "/console/rules",
        "/console/exports",
        "/console/manual-hours",
        "/console/recognition",
        "/console/recognition/nominations",
        "/console/recognition/cases",
        "/console/projects",
    ):
        page.goto(f"{served}{path}")
    screenshot(page, "09-projects")
    page.goto(f"{served}/console/ledger")
    screenshot(page, "10-ledger")
    assert violations == []


def test_a_county_admin_downloads_a_certificate_and_an_export_and_nominates_from_the_ranking(
    served, page, screenshot, make_console_staff, make_station, make_volunteer, serve
):
    from openpyxl import load_workbook

    from volunteering.recognition.models import Nomination

    username = make_console_staff("county_admin", "330106")
    volunteer = make_volunteer("小满", "330106", real_name="林小满")
    serve(volunteer, make_station("330106"), 150, rating=5)
    page.goto(f"{served}/console/login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{served}/console/volunteers/{volunteer.id}")
    with page.expect_download() as certificate:
        page.get_by_role("button", name="下载服务记录证明").click()
    assert Path(certificate.value.path()).read_bytes().startswith(b"%PDF")
    screenshot(page, "11-volunteer-certificate")

    page.get_by_role("link", name="数据导出").click()
    page.get_by_label("导出内容").select_option("sessions")
    screenshot(page, "12-exports")
    with page.expect_download() as export:
        page.get_by_role("button", name="下载 xlsx").click()
    assert export.value.suggested_filename.startswith("sessions-330106-")
    workbook = load_workbook(io.BytesIO(Path(export.value.path()).read_bytes()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert len(rows) == 2  # the header and the one session

    page.get_by_role("link", name="百名排行").click()
    expect(page.get_by_role("heading", name="百名生态环境志愿者 · 排行")).to_be_visible()
    page.get_by_label(f"推荐 {volunteer.id} 的理由").fill("坚持巡河三年")
    screenshot(page, "13-recognition-ranking")
    page.get_by_role("button", name="推荐").click()
    expect(page.get_by_role("status").first).to_contain_text(f"已推荐志愿者 {volunteer.id}")
    screenshot(page, "14-nominations")
    nomination = db.session.scalars(select(Nomination)).one()
    assert (nomination.volunteer_id, nomination.reason) == (volunteer.id, "坚持巡河三年")
