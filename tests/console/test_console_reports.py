"""Certificates and exports from the console, through the same use cases as the API."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from miniprogram_api.extensions import db
from tests.console.conftest import NINGBO
from volunteering.certificates.models import Certificate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(console_as):
    return console_as("county_admin", "330106")


@pytest.fixture
def served(make_volunteer, make_station, serve):
    """A named volunteer of 西湖区 with two hours of approved service."""
    volunteer = make_volunteer("小满", "330106", phone="13812345678", real_name="林小满")
    serve(volunteer, make_station("330106"), 120)
    return volunteer


def test_an_admin_downloads_a_volunteers_certificate_from_the_volunteer_page(admin, served):
    page = html(admin.get(f"/console/volunteers/{served.id}"))
    assert "下载服务记录证明" in page
    response = admin.post(f"/console/volunteers/{served.id}/certificate")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    number = response.headers["X-Certificate-Number"]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificate-{number}.pdf"'
    )
    record = db.session.scalars(select(Certificate)).one()
    assert (record.number, record.volunteer_id, record.issued_by) == (
        number,
        served.id,
        admin.staff_id,
    )


def test_a_certificate_the_domain_refuses_is_a_chinese_message(admin, make_volunteer):
    unnamed = make_volunteer("无名", "330106")
    response = admin.post(
        f"/console/volunteers/{unnamed.id}/certificate",
        headers={"Referer": f"http://localhost/console/volunteers/{unnamed.id}"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "开具志愿服务记录证明需要真实姓名" in html(response)
    named = make_volunteer("新人", "330106", real_name="王新")
    response = admin.post(f"/console/volunteers/{named.id}/certificate", follow_redirects=True)
    assert "暂无可证明的志愿服务时长" in html(response)


def test_certificates_outside_the_region_are_404_and_auditors_get_none(
    console_as, make_volunteer, make_station, serve, served
):
    ningbo = make_volunteer("宁波人", "330203", real_name="李四光")
    serve(ningbo, make_station("330203", NINGBO, name="宁波站点"), 60)
    city = console_as("city_admin", "330100")
    assert city.post(f"/console/volunteers/{ningbo.id}/certificate").status_code == 404
    assert city.post(f"/console/volunteers/{served.id}/certificate").status_code == 200
    auditor = console_as("auditor", "330100")
    assert "下载服务记录证明" not in html(auditor.get(f"/console/volunteers/{served.id}"))
    assert auditor.post(f"/console/volunteers/{served.id}/certificate").status_code == 403


def test_the_certificate_form_needs_its_csrf_token(admin, served):
    response = admin.post(f"/console/volunteers/{served.id}/certificate", token=False)
    assert response.status_code == 400
    assert db.session.scalars(select(Certificate)).first() is None


def sheet(response) -> list[tuple]:
    assert response.status_code == 200, html(response)
    assert response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


@pytest.mark.parametrize("role", ["county_admin", "auditor"])
def test_admins_and_auditors_export_their_regions_volunteers_as_xlsx(
    console_as, make_volunteer, served, role
):
    make_volunteer("宁波人", "330203", real_name="李四光")
    console = console_as(role, "330106")
    assert "下载 xlsx" in html(console.get("/console/exports"))
    rows = sheet(console.get("/console/exports/download?kind=volunteers"))
    assert len(rows) == 2  # the header and the one volunteer of 西湖区
    flat = " ".join(str(cell) for cell in rows[1])
    assert "林**" in flat and "林小满" not in flat and "李" not in flat


def test_each_kind_downloads_with_dates(admin, served):
    for kind in ("volunteers", "sessions", "ledger", "redemptions"):
        response = admin.get(f"/console/exports/download?kind={kind}&from=2020-01-01&to=2099-12-31")
        assert sheet(response)[0], kind
        assert f'filename="{kind}-330106-' in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("kind=everything", "请选择导出内容"),
        ("kind=sessions&from=2026-13-01", "开始日期格式应为 YYYY-MM-DD"),
        ("kind=sessions&from=2026-06-05&to=2026-06-01", "开始日期不能晚于结束日期"),
    ],
)
def test_bad_export_choices_come_back_on_the_form(admin, query, message):
    response = admin.get(f"/console/exports/download?{query}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert message in html(response)


def test_an_export_over_the_cap_is_a_message_with_the_count(app, admin, make_volunteer):
    make_volunteer("一", "330106")
    make_volunteer("二", "330106")
    app.config["EXPORT_MAX_ROWS"] = 1
    response = admin.get("/console/exports/download?kind=volunteers")
    assert response.status_code == 422
    assert "导出数据共 2 行，超过单次上限 1 行" in html(response)


def test_station_managers_cannot_export(console_as):
    manager = console_as("station_manager", "330106")
    assert manager.get("/console/exports").status_code == 403
    assert manager.get("/console/exports/download?kind=volunteers").status_code == 403
