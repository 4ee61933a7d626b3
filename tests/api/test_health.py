def test_healthz_answers_while_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_database_does_not_answer(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == "NOT_READY"
    assert body["details"]["checks"]["database"] == "unavailable"


def test_readyz_is_503_when_a_configured_redis_does_not_answer(app_factory):
    app = app_factory(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["details"]["checks"]["redis"] == "unavailable"


def test_openapi_document_is_generated_and_docs_load_offline(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in (
        "/api/v1/auth/wechat/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/staff/login",
        "/api/v1/me",
        "/api/v1/me/phone",
        "/healthz",
        "/readyz",
    ):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert spec["components"]["schemas"]["Error"]["properties"].keys() >= {"code", "message"}
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/static/swagger-ui-bundle.js" in page
    with client.get("/api/docs/static/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
