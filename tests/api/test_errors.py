"""Every layer answers errors as {code, message, details?} in Chinese; bad input is never a 5xx."""

import pytest

CJK = range(0x4E00, 0xA000)


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code
    assert any(ord(ch) in CJK for ch in body["message"]), body["message"]
    assert set(body) <= {"code", "message", "details"}
    return body


def test_unknown_route_is_a_json_404(client):
    assert_error(client.get("/api/v1/nowhere"), 404, "NOT_FOUND")


def test_wrong_method_is_a_json_405_with_allow_header(client):
    response = client.delete("/api/v1/auth/staff/login")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["Allow"]


def test_malformed_json_is_a_400(client):
    response = client.post(
        "/api/v1/auth/staff/login", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "MALFORMED_JSON")


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_a_validation_error(client, body):
    response = client.post("/api/v1/auth/staff/login", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.get_json()["code"] in ("VALIDATION_ERROR", "MALFORMED_JSON")


def test_missing_fields_are_listed_in_details_fields_in_chinese(client):
    body = assert_error(client.post("/api/v1/auth/staff/login", json={}), 422, "VALIDATION_ERROR")
    assert body["details"]["fields"]["username"] == ["此项为必填项"]
    assert body["details"]["fields"]["password"] == ["此项为必填项"]


def test_unknown_fields_are_refused_not_ignored(client):
    body = assert_error(
        client.post("/api/v1/auth/staff/login", json={"username": "a", "password": "b", "x": 1}),
        422,
        "VALIDATION_ERROR",
    )
    assert body["details"]["fields"]["x"] == ["未知字段"]


def test_wrong_types_are_validation_errors(client):
    body = assert_error(
        client.post("/api/v1/auth/staff/login", json={"username": 5, "password": ["x"]}),
        422,
        "VALIDATION_ERROR",
    )
    assert body["details"]["fields"]["username"] == ["必须是字符串"]


def test_body_without_json_content_type_is_a_validation_error(client):
    response = client.post("/api/v1/auth/staff/login", data="username=a&password=b")
    assert_error(response, 422, "VALIDATION_ERROR")


def test_oversized_body_is_a_413(client):
    response = client.post(
        "/api/v1/auth/staff/login",
        data='{"username": "' + "a" * (2 * 1024 * 1024) + '"}',
        content_type="application/json",
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_unexpected_exception_is_a_500_that_leaks_nothing(app_factory, caplog):
    app = app_factory()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/boom")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "hunter2" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert "details" not in body
    assert any("unhandled exception" in r.getMessage() for r in caplog.records)


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"
    assert len(generated.headers["X-Request-ID"]) == 32


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, make_staff):
    admin = make_staff()
    response = client.get("/api/v1/admin/sessions/9223372036854775808", headers=admin)
    assert_error(response, 404, "NOT_FOUND")
    largest = client.get("/api/v1/admin/sessions/9223372036854775807", headers=admin)
    assert_error(largest, 404, "NOT_FOUND")
