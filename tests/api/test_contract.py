"""Every endpoint API.md fixes is served and described in the generated OpenAPI document."""

import pytest

# (method, path) as API.md writes them; {id} stands for any path parameter.
CONTRACT = [
    ("POST", "/api/v1/auth/wechat/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/staff/login"),
    ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"),
    ("POST", "/api/v1/me/phone"),
    ("GET", "/api/v1/me/sessions"),
    ("GET", "/api/v1/me/ledger"),
    ("GET", "/api/v1/stations"),
    ("GET", "/api/v1/activities"),
    ("POST", "/api/v1/activities/{id}/signups"),
    ("DELETE", "/api/v1/activities/{id}/signups/me"),
    ("POST", "/api/v1/checkins"),
    ("POST", "/api/v1/checkouts"),
    ("GET", "/api/v1/perks"),
    ("POST", "/api/v1/redemptions"),
    ("GET", "/api/v1/redemptions/{id}"),
    ("DELETE", "/api/v1/redemptions/{id}"),
    ("POST", "/api/v1/merchant/bind"),
    ("POST", "/api/v1/merchant/redemptions/confirm"),
    ("GET", "/api/v1/merchant/redemptions"),
    ("GET", "/api/v1/merchant/summary"),
    ("POST", "/api/v1/admin/stations"),
    ("GET", "/api/v1/admin/stations"),
    ("GET", "/api/v1/admin/stations/{id}"),
    ("PATCH", "/api/v1/admin/stations/{id}"),
    ("GET", "/api/v1/admin/stations/{id}/qrcode"),
    ("GET", "/api/v1/admin/stations/{id}/qrcode.png"),
    ("POST", "/api/v1/admin/stations/{id}/qrcode/rotate"),
    ("POST", "/api/v1/admin/activities"),
    ("GET", "/api/v1/admin/sessions"),
    ("POST", "/api/v1/admin/sessions/{id}/approve"),
    ("POST", "/api/v1/admin/sessions/{id}/reject"),
    ("POST", "/api/v1/admin/sessions/{id}/void"),
    ("POST", "/api/v1/admin/merchants"),
    ("POST", "/api/v1/admin/perks"),
    ("PATCH", "/api/v1/admin/perks/{id}"),
    ("POST", "/api/v1/admin/perks/{id}/restock"),
    ("GET", "/api/v1/admin/earning-rules"),
    ("PUT", "/api/v1/admin/earning-rules"),
    ("POST", "/api/v1/admin/ledger/adjustments"),
    ("GET", "/api/v1/admin/ledger/summary"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]


def _normalise(path: str) -> str:
    parts = ["{id}" if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


@pytest.fixture(scope="module")
def documented(app_factory_module):
    spec = app_factory_module.test_client().get("/api/openapi.json").get_json()
    return {
        (method.upper(), _normalise(path))
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


@pytest.fixture(scope="module")
def app_factory_module(tmp_path_factory):
    from app import create_app
    from tests.conftest import BASE_OVERRIDES

    db_file = tmp_path_factory.mktemp("contract") / "contract.sqlite"
    return create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})


@pytest.mark.parametrize(("method", "path"), CONTRACT, ids=[f"{m} {p}" for m, p in CONTRACT])
def test_contract_endpoint_is_served_and_documented(documented, method, path):
    assert (method, path) in documented


def test_every_documented_operation_has_a_summary(app_factory_module):
    spec = app_factory_module.test_client().get("/api/openapi.json").get_json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"} and not operation.get("summary")
    ]
    assert missing == []
