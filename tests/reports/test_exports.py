"""xlsx exports: Chinese headers, masked personal data, the caller's region only."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook

from ledger import operations as ledger_ops
from miniprogram_api.extensions import db
from rewards.merchants import operations as merchants
from rewards.perks import operations as perks
from rewards.redemptions import operations as redemptions
from tests.reports.conftest import HANGZHOU_WEST_LAKE, NINGBO_HAISHU

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def column(rows: list[tuple], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def two_cities(make_volunteer, make_station, serve):
    """A volunteer with service in 杭州 and another in 宁波, with points and a redemption each."""
    hangzhou = make_volunteer("张三丰", HANGZHOU_WEST_LAKE, phone="13812345678")
    ningbo = make_volunteer("李四光", NINGBO_HAISHU, phone="13987654321")
    serve(hangzhou, make_station("西湖生态文明教育馆", HANGZHOU_WEST_LAKE), 120, date(2026, 3, 5))
    serve(hangzhou, make_station("西溪湿地宣教中心", HANGZHOU_WEST_LAKE), 60, date(2026, 6, 5))
    serve(ningbo, make_station("天一阁生态站", NINGBO_HAISHU), 90, date(2026, 6, 5))
    codes = {}
    for volunteer, region, shop in (
        (hangzhou, HANGZHOU_WEST_LAKE, "西湖边咖啡馆"),
        (ningbo, NINGBO_HAISHU, "月湖书店"),
    ):
        ledger_ops.earn(db.session, volunteer.id, 300, reference=f"test:{uuid.uuid4().hex}")
        merchant = merchants.create_merchant(
            db.session, name=shop, region_code=region, staff_id=None
        )
        perk = perks.create_perk(
            db.session,
            merchant_id=merchant.id,
            stock=5,
            staff_id=None,
            title=f"{shop}优待",
            description="凭码兑换",
            cost_points=100,
        )
        codes[region] = redemptions.reserve(
            db.session, volunteer_id=volunteer.id, perk_id=perk.id, star_level=0
        ).code
    return {"hangzhou": hangzhou, "ningbo": ningbo, "codes": codes}


def test_a_city_admin_exports_only_the_volunteers_of_its_city_masked(
    client, make_staff, two_cities
):
    response = client.get(
        "/api/v1/admin/exports/volunteers.xlsx", headers=make_staff("city_admin", "330100")
    )

    rows = sheet_rows(response)
    assert rows[0] == (
        "志愿者编号",
        "昵称（脱敏）",
        "姓名（脱敏）",
        "手机号（脱敏）",
        "所属地区",
        "系统时长（小时）",
        "补录时长（小时）",
        "累计时长（小时）",
        "积分余额",
        "注册时间（北京时间）",
    )
    assert column(rows, "志愿者编号") == [two_cities["hangzhou"].id]
    assert column(rows, "姓名（脱敏）") == ["张**"]
    assert column(rows, "手机号（脱敏）") == ["138****5678"]
    assert column(rows, "所属地区") == ["浙江省杭州市西湖区"]
    assert column(rows, "累计时长（小时）") == [3.0]
    assert column(rows, "积分余额") == [300]
    assert 'filename="volunteers-330100-' in response.headers["Content-Disposition"]
    cells = {str(value) for row in rows for value in row}
    assert "张三丰" not in cells and "13812345678" not in cells


def test_the_province_exports_sessions_of_every_city(client, make_staff, two_cities):
    rows = sheet_rows(
        client.get("/api/v1/admin/exports/sessions.xlsx", headers=make_staff("province_admin"))
    )

    assert rows[0][:4] == ("记录编号", "志愿者编号", "姓名（脱敏）", "服务站点")
    assert column(rows, "服务站点") == ["西湖生态文明教育馆", "西溪湿地宣教中心", "天一阁生态站"]
    assert column(rows, "状态") == ["已通过"] * 3
    assert column(rows, "计入时长（分钟）") == [120, 60, 90]


def test_sessions_are_filtered_by_service_day(client, make_staff, two_cities):
    rows = sheet_rows(
        client.get(
            "/api/v1/admin/exports/sessions.xlsx?from=2026-06-01&to=2026-06-30",
            headers=make_staff("city_admin", "330100"),
        )
    )

    assert column(rows, "服务站点") == ["西溪湿地宣教中心"]
    assert column(rows, "服务日期") == ["2026-06-05"]


def test_a_county_admin_exports_the_ledger_of_its_volunteers_only(client, make_staff, two_cities):
    rows = sheet_rows(
        client.get(
            "/api/v1/admin/exports/ledger.xlsx", headers=make_staff("county_admin", NINGBO_HAISHU)
        )
    )

    assert rows[0] == (
        "分录编号",
        "交易编号",
        "志愿者编号",
        "类型",
        "积分变动",
        "变动后余额",
        "摘要",
        "记账时间（北京时间）",
    )
    assert set(column(rows, "志愿者编号")) == {two_cities["ningbo"].id}
    assert column(rows, "类型") == ["服务获得"]
    assert column(rows, "积分变动") == [300]


def test_redemptions_are_scoped_by_merchant_and_never_show_codes(client, make_staff, two_cities):
    rows = sheet_rows(
        client.get(
            "/api/v1/admin/exports/redemptions.xlsx", headers=make_staff("auditor", "330100")
        )
    )

    assert rows[0][:4] == ("兑换编号", "志愿者编号", "优待服务", "商户")
    assert column(rows, "商户") == ["西湖边咖啡馆"]
    assert column(rows, "状态") == ["待核销"]
    assert column(rows, "消耗积分") == [100]
    cells = {str(value) for row in rows for value in row}
    assert not any(code in cell for code in two_cities["codes"].values() for cell in cells)


def test_an_export_above_the_row_cap_is_refused_in_chinese(app_factory, make_staff, two_cities):
    small = app_factory(EXPORT_MAX_ROWS=2)
    client = small.test_client()
    with small.app_context():
        headers = make_staff("province_admin")

    response = client.get("/api/v1/admin/exports/sessions.xlsx", headers=headers)

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "EXPORT_TOO_LARGE"
    assert "3 行" in body["message"] and "上限 2 行" in body["message"]
    assert body["details"] == {"rows": 3, "max_rows": 2}


def test_an_empty_region_exports_just_the_headers(client, make_staff, two_cities):
    rows = sheet_rows(
        client.get(
            "/api/v1/admin/exports/sessions.xlsx", headers=make_staff("city_admin", "330300")
        )
    )

    assert len(rows) == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/admin/exports/passwords.xlsx", 404),
        ("/api/v1/admin/exports/sessions.xlsx?from=2026-07-01&to=2026-06-01", 422),
        ("/api/v1/admin/exports/sessions.xlsx?from=yesterday", 422),
    ],
)
def test_unknown_kinds_and_bad_dates_are_client_errors(client, make_staff, path, status):
    response = client.get(path, headers=make_staff("province_admin"))

    assert response.status_code == status
    assert response.get_json()["code"] in {"NOT_FOUND", "VALIDATION_ERROR"}


def test_station_managers_and_volunteers_cannot_export(client, make_staff, volunteer_headers):
    path = "/api/v1/admin/exports/volunteers.xlsx"

    assert client.get(path, headers=make_staff("station_manager", "330106")).status_code == 403
    assert client.get(path, headers=volunteer_headers).status_code == 403
