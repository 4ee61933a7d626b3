"""The public verification page shows only what a certificate's reader needs."""

from __future__ import annotations

from datetime import date

import pytest

from core.clock import business_time, now
from volunteering.certificates.operations import new_number


@pytest.fixture
def issued(client, make_staff, make_volunteer, make_station, serve):
    """A certificate issued to 张三丰 (13812345678) for 12.50 hours at 西湖生态文明教育馆."""
    volunteer = make_volunteer("张三丰", "330106", phone="13812345678")
    serve(volunteer, make_station("西湖生态文明教育馆"), 750, date(2026, 6, 5), rating=5)
    response = client.get(
        f"/api/v1/admin/volunteers/{volunteer.id}/certificate",
        headers=make_staff("province_admin"),
    )
    assert response.status_code == 200
    return {"number": response.headers["X-Certificate-Number"], "volunteer": volunteer}


def test_a_known_number_shows_valid_masked_name_hours_date_and_issuer(client, issued):
    response = client.get(f"/verify/certificates/{issued['number']}")

    page = response.get_data(as_text=True)
    today = business_time(now()).date()
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "有效" in page
    assert "张**" in page
    assert "12.50 小时" in page
    assert f"{today.year}年{today.month}月{today.day}日" in page
    assert "浙江省生态环境志愿服务平台" in page


def test_the_page_shows_nothing_else(client, issued):
    page = client.get(f"/verify/certificates/{issued['number']}").get_data(as_text=True)

    for private in ("张三丰", "13812345678", "138****5678", "西湖生态文明教育馆", "330106"):
        assert private not in page
    assert f">{issued['volunteer'].id}<" not in page


def test_the_page_is_kept_out_of_caches_and_search_engines(client, issued):
    response = client.get(f"/verify/certificates/{issued['number']}")

    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_numbers_are_read_case_insensitively(client, issued):
    response = client.get(f"/verify/certificates/{issued['number'].lower()}")

    assert response.status_code == 200


@pytest.mark.parametrize("number", [new_number(2026), "ZJEV-2026-1", "anything", "%3Cscript%3E"])
def test_an_unknown_number_is_a_404_page(client, number):
    response = client.get(f"/verify/certificates/{number}")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "未找到该证书编号" in response.get_data(as_text=True)


def test_the_page_is_rate_limited(app_factory):
    client = app_factory(CERTIFICATE_VERIFY_RATE_LIMIT="3 per minute").test_client()
    number = new_number(2026)

    statuses = [client.get(f"/verify/certificates/{number}").status_code for _ in range(4)]

    assert statuses == [404, 404, 404, 429]
    limited = client.get(f"/verify/certificates/{number}")
    assert limited.mimetype == "text/html"
    assert "查询过于频繁" in limited.get_data(as_text=True)
