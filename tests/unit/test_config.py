import pytest

from app import config as app_config


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("postgresql://app@db:5432/volunteer", "postgresql+psycopg://app@db:5432/volunteer"),
        ("postgres://app@db/volunteer", "postgresql+psycopg://app@db/volunteer"),
        ("postgresql+psycopg://app@db/v", "postgresql+psycopg://app@db/v"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_as_operators_write_it_maps_to_the_driver(written, used):
    assert app_config.database_url_for_driver(written) == used


def test_production_refuses_development_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    for name in ("SECRET_KEY", "JWT_SECRET_KEY", "WECHAT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = app_config.from_environment(str(tmp_path))
    with pytest.raises(app_config.ConfigError) as raised:
        app_config.check_production(settings)
    for name in ("SECRET_KEY", "JWT_SECRET_KEY", "WECHAT_SECRET"):
        assert name in str(raised.value)


def test_production_starts_with_real_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("JWT_SECRET_KEY", "j" * 40)
    monkeypatch.setenv("WECHAT_SECRET", "real-secret")
    settings = app_config.from_environment(str(tmp_path))
    app_config.check_production(settings)
    assert settings["LOG_JSON"] is True


def test_create_app_refuses_production_with_default_secrets(monkeypatch):
    from app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(app_config.ConfigError):
        create_app()


def test_redis_url_drives_rate_limit_storage(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"
    monkeypatch.delenv("REDIS_URL")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "memory://"
