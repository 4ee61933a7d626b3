"""Configuration read from the environment (API.md, "Configuration")."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

# Development defaults: long enough for PyJWT, and refused in production (see check_production).
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"  # noqa: S105
DEV_JWT_SECRET_KEY = "dev-only-jwt-secret-key-change-me-0123456789"  # noqa: S105

DEV_WECHAT_APPID = "wx0000000000000000"
DEV_WECHAT_SECRET = "dev-only-wechat-secret"  # noqa: S105
DEFAULT_WECHAT_API_BASE_URL = "https://api.weixin.qq.com/"


class ConfigError(RuntimeError):
    """The environment does not describe a safe, complete configuration."""


def database_url_for_driver(url: str) -> str:
    """Map the URL an operator writes (postgresql://…) to the driver the app uses (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "volunteer.db")
    redis_url = env.get("REDIS_URL") or None
    return {
        "APP_ENV": env.get("APP_ENV") or env.get("FLASK_ENV") or "development",
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        "JWT_SECRET_KEY": env.get("JWT_SECRET_KEY", DEV_JWT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url_for_driver(env.get("DATABASE_URL", default_db)),
        # A pooled connection idle this long is pinged before use (core.pool.ping_when_idle).
        "DATABASE_PING_AFTER_IDLE_SECONDS": float(
            env.get("DATABASE_PING_AFTER_IDLE_SECONDS", "10")
        ),
        "REDIS_URL": redis_url,
        # Signs station QR scenes; derived from SECRET_KEY when unset (create_app).
        "QR_SIGNING_KEY": env.get("QR_SIGNING_KEY") or None,
        "WECHAT_APPID": env.get("WECHAT_APPID", DEV_WECHAT_APPID),
        "WECHAT_SECRET": env.get("WECHAT_SECRET", DEV_WECHAT_SECRET),
        "WECHAT_API_BASE_URL": env.get("WECHAT_API_BASE_URL", DEFAULT_WECHAT_API_BASE_URL),
        "WECHAT_TIMEOUT_SECONDS": float(env.get("WECHAT_TIMEOUT_SECONDS", "5")),
        # Station codes: "wechat" draws mini-program codes (getwxacodeunlimit), "plain" a QR.
        "WECHAT_QR_MODE": env.get("WECHAT_QR_MODE", "wechat").strip().lower(),
        "WECHAT_QR_PAGE": env.get("WECHAT_QR_PAGE", "pages/checkin/checkin"),
        # An unpublished mini-program needs check_path off and env_version trial or develop.
        "WECHAT_QR_CHECK_PATH": _env_bool("WECHAT_QR_CHECK_PATH", True),
        "WECHAT_QR_ENV_VERSION": env.get("WECHAT_QR_ENV_VERSION", "release"),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(
            seconds=int(env.get("JWT_ACCESS_TOKEN_EXPIRES_SECONDS", "7200"))
        ),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(
            days=int(env.get("JWT_REFRESH_TOKEN_EXPIRES_DAYS", "30"))
        ),
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_ALGORITHM": "HS256",
        # Rate limits: Redis when configured, memory otherwise; fall back to memory if Redis dies.
        # RATELIMIT_STORAGE_URI follows REDIS_URL; create_app sets it after any overrides.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "volunteer-api"),
        "STAFF_LOGIN_RATE_LIMIT": env.get("STAFF_LOGIN_RATE_LIMIT", "10 per minute"),
        "STAFF_LOGIN_PER_USER_RATE_LIMIT": env.get(
            "STAFF_LOGIN_PER_USER_RATE_LIMIT", "5 per minute"
        ),
        "WECHAT_LOGIN_RATE_LIMIT": env.get("WECHAT_LOGIN_RATE_LIMIT", "30 per minute"),
        # Bind codes are long, but guessing them should still be slow.
        "MERCHANT_BIND_RATE_LIMIT": env.get("MERCHANT_BIND_RATE_LIMIT", "10 per minute"),
        # How long a redemption code holds the points and the unit of stock.
        "REDEMPTION_HOLD_MINUTES": int(env.get("REDEMPTION_HOLD_MINUTES", "15")),
        # Printed as the issuing organization on service-record certificates (志愿服务记录证明).
        "CERTIFICATE_ISSUER": env.get("CERTIFICATE_ISSUER", "浙江省生态环境志愿服务平台"),
        "CERTIFICATE_VERIFY_RATE_LIMIT": env.get("CERTIFICATE_VERIFY_RATE_LIMIT", "30 per minute"),
        # Exports larger than this are refused (422): narrow the dates instead.
        "EXPORT_MAX_ROWS": int(env.get("EXPORT_MAX_ROWS", "100000")),
        # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT", "0")),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # JSON lines in production (for the log pipeline), readable text on a developer's screen.
        "LOG_JSON": _env_bool(
            "LOG_JSON", (env.get("APP_ENV") or env.get("FLASK_ENV")) == "production"
        ),
        # flask-smorest / OpenAPI
        "API_TITLE": "生态环境志愿服务 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        # Served from the swagger-ui-bundle package: no CDN, works offline and inside China.
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/static/",
        "MAX_CONTENT_LENGTH": 1 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
    }


def check_production(config: dict) -> None:
    """Refuse to run in production with development secrets or a throwaway database."""
    if config.get("APP_ENV") != "production":
        return
    problems = []
    if config["SECRET_KEY"] == DEV_SECRET_KEY or len(config["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if config["JWT_SECRET_KEY"] == DEV_JWT_SECRET_KEY or len(config["JWT_SECRET_KEY"]) < 32:
        problems.append("JWT_SECRET_KEY must be set to a random value of at least 32 characters")
    if config["WECHAT_SECRET"] == DEV_WECHAT_SECRET:
        problems.append("WECHAT_SECRET must be set")
    if problems:
        raise ConfigError("refusing to start in production: " + "; ".join(problems))
