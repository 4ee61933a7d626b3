"""Service-record certificates: the PDF says who, how long, where, by whom, with a number."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.clock import business_time, now
from identity.models import Volunteer
from miniprogram_api.extensions import db
from tests.reports.conftest import NINGBO_HAISHU
from volunteering.certificates.models import Certificate


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def today_text() -> str:
    today = business_time(now()).date()
    return f"{today.year}年{today.month}月{today.day}日"


@pytest.fixture
def alice(login_volunteer):
    """A signed-in volunteer who has given her real name and phone."""
    login = login_volunteer("alice")
    volunteer = db.session.get(Volunteer, login["volunteer"]["id"])
    volunteer.real_name = "张三丰"
    volunteer.phone = "13812345678"
    volunteer.region_code = "330106"
    db.session.commit()
    login["model"] = volunteer
    return login


@pytest.fixture
def alice_served(alice, make_station, serve, add_manual):
    """Alice served 10 hours at two stations and had 2.5 hours entered by staff."""
    museum = make_station("西湖生态文明教育馆")
    wetland = make_station("西溪湿地宣教中心")
    serve(alice["model"], museum, 240, date(2026, 3, 5), rating=5)
    serve(alice["model"], museum, 120, date(2026, 4, 1))
    serve(alice["model"], wetland, 240, date(2026, 6, 5), rating=4)
    add_manual(alice["model"], 150, date(2026, 2, 1))
    return alice


def test_a_volunteer_downloads_a_certificate_naming_her_hours_places_issuer_and_number(
    client, alice_served
):
    response = client.get("/api/v1/me/certificate", headers=alice_served["headers"])

    text = pdf_text(response)
    number = response.headers["X-Certificate-Number"]
    assert number.startswith(f"ZJEV-{business_time(now()).year}-")
    assert number in text
    assert "志愿服务记录证明" in text
    assert "张三丰" in text
    assert str(alice_served["volunteer"]["id"]) in text
    assert "138****5678" in text
    assert "13812345678" not in text
    assert "10.00 小时" in text  # system: 600 minutes
    assert "2.50 小时" in text  # manual: 150 minutes
    assert "12.50 小时" in text  # total
    assert "西湖生态文明教育馆" in text and "西溪湿地宣教中心" in text
    assert "2026年2月1日 至 2026年6月5日" in text
    assert "浙江省生态环境志愿服务平台" in text
    assert today_text() in text
    assert f"/verify/certificates/{number}" in text
    assert f'filename="certificate-{number}.pdf"' in response.headers["Content-Disposition"]


def test_the_certificate_is_recorded_with_its_minutes_and_content_hash(client, alice_served):
    response = client.get("/api/v1/me/certificate", headers=alice_served["headers"])

    record = db.session.scalars(
        select(Certificate).where(Certificate.number == response.headers["X-Certificate-Number"])
    ).one()
    assert record.volunteer_id == alice_served["volunteer"]["id"]
    assert (record.system_minutes, record.manual_minutes) == (600, 150)
    assert record.holder_name_masked == "张**"
    assert len(record.content_hash) == 64
    assert record.issued_by is None


def test_asking_again_the_same_day_keeps_the_number_until_the_hours_change(
    client, alice_served, make_station, serve
):
    headers = alice_served["headers"]
    first = client.get("/api/v1/me/certificate", headers=headers)
    again = client.get("/api/v1/me/certificate", headers=headers)
    serve(alice_served["model"], make_station("钱塘江护水站"), 60, date(2026, 7, 1))
    after_more_service = client.get("/api/v1/me/certificate", headers=headers)

    assert again.headers["X-Certificate-Number"] == first.headers["X-Certificate-Number"]
    assert (
        after_more_service.headers["X-Certificate-Number"] != first.headers["X-Certificate-Number"]
    )
    assert "13.50 小时" in pdf_text(after_more_service)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


def test_a_certificate_needs_a_real_name(client, alice_served):
    alice_served["model"].real_name = None
    db.session.commit()

    response = client.get("/api/v1/me/certificate", headers=alice_served["headers"])

    assert response.status_code == 409
    assert response.get_json()["code"] == "REAL_NAME_REQUIRED"


def test_a_certificate_needs_recorded_service(client, alice):
    response = client.get("/api/v1/me/certificate", headers=alice["headers"])

    assert response.status_code == 409
    assert response.get_json()["code"] == "NO_SERVICE_RECORDED"


def test_the_issuer_comes_from_configuration(app_factory, login_volunteer, make_station, serve):
    custom = app_factory(CERTIFICATE_ISSUER="杭州市生态环境局西湖分局")
    client = custom.test_client()
    with custom.app_context():
        login = client.post("/api/v1/auth/wechat/login", json={"code": "bob.0123456789ab"})
        volunteer_id = login.get_json()["volunteer"]["id"]
        volunteer = db.session.get(Volunteer, volunteer_id)
        volunteer.real_name = "李四"
        db.session.commit()
        serve(volunteer, make_station(), 90)
        headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}

        response = client.get("/api/v1/me/certificate", headers=headers)
        page = client.get(f"/verify/certificates/{response.headers['X-Certificate-Number']}")

    assert "杭州市生态环境局西湖分局" in pdf_text(response)
    assert "杭州市生态环境局西湖分局" in page.get_data(as_text=True)


def test_staff_issue_certificates_for_volunteers_of_their_region(
    client, make_staff, make_volunteer, make_station, serve
):
    volunteer = make_volunteer("王小明", "330106")
    serve(volunteer, make_station(), 180)
    hangzhou = make_staff("city_admin", "330100")

    response = client.get(f"/api/v1/admin/volunteers/{volunteer.id}/certificate", headers=hangzhou)

    text = pdf_text(response)
    assert "王小明" in text and "3.00 小时" in text
    record = db.session.scalars(select(Certificate)).one()
    assert record.issued_by is not None


@pytest.mark.parametrize(
    ("role", "region"),
    [("city_admin", "330200"), ("county_admin", "330105"), ("county_admin", NINGBO_HAISHU)],
)
def test_staff_outside_the_volunteers_region_get_a_404(
    client, make_staff, make_volunteer, make_station, serve, role, region
):
    volunteer = make_volunteer("王小明", "330106")
    serve(volunteer, make_station(), 180)

    response = client.get(
        f"/api/v1/admin/volunteers/{volunteer.id}/certificate", headers=make_staff(role, region)
    )

    assert response.status_code == 404
    assert response.get_json()["code"] == "NOT_FOUND"


def test_a_volunteer_without_a_region_belongs_to_the_province(
    client, make_staff, make_volunteer, make_station, serve
):
    volunteer = make_volunteer("赵六", None)
    serve(volunteer, make_station(), 60)
    path = f"/api/v1/admin/volunteers/{volunteer.id}/certificate"

    assert client.get(path, headers=make_staff("city_admin", "330100")).status_code == 404
    assert client.get(path, headers=make_staff("province_admin", "330000")).status_code == 200


def test_auditors_volunteers_and_unknown_ids_cannot_get_staff_certificates(
    client, make_staff, make_volunteer, volunteer_headers
):
    volunteer = make_volunteer()
    path = f"/api/v1/admin/volunteers/{volunteer.id}/certificate"

    assert client.get(path, headers=make_staff("auditor", "330000")).status_code == 403
    assert client.get(path, headers=volunteer_headers).status_code == 403
    unknown = client.get(
        "/api/v1/admin/volunteers/999999/certificate", headers=make_staff("province_admin")
    )
    assert unknown.status_code == 404
