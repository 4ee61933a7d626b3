"""The WeChat client: wechatpy over HTTP, every URL based on ``WECHAT_API_BASE_URL``.

wechatpy 1.8 hard-codes the token URL, has no timeout by default, fetches an access token
even for ``jscode2session`` and does not wrap ``stable_token`` or the phone-number call; this
module closes those gaps and turns WeChat's answers into the API.md error codes.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from dataclasses import dataclass

import requests
from redis.exceptions import RedisError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from miniprogram_api.errors import ApiError

log = logging.getLogger(__name__)

# WeChat errcodes that mean "your access token is stale": fetch a fresh one and retry once.
_STALE_TOKEN_ERRCODES = {40001, 40014, 42001}
# Refresh a little before WeChat's expiry so a token never dies mid-request.
_TOKEN_EXPIRY_MARGIN_SECONDS = 300


# urllib3 logs request URLs; WeChat wants the secret and js_code in the query string.
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


class _HideQueryStrings(logging.Filter):
    """Cut query strings out of URL log lines at the source, before any handler sees them."""

    _QUERY = re.compile(r"\?[^\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = self._QUERY.sub("?…", message), None
        return True


_HIDE_QUERY_STRINGS = _HideQueryStrings()


@dataclass(frozen=True)
class WechatSessionInfo:
    openid: str
    session_key: str
    unionid: str | None = None

    def __repr__(self) -> str:  # keep session_key out of any log or traceback
        return f"WechatSessionInfo(openid={self.openid[:6]}…)"


_LOGIN_CODE_INVALID = "微信登录凭证无效或已使用，请重新进入小程序"
_PHONE_CODE_INVALID = "手机号授权凭证无效或已过期，请重新授权"


def wechat_error(errcode: int | None, errmsg: str | None = None) -> ApiError:
    """Map a WeChat errcode (None for transport failures) to the API.md error."""
    if errcode in (40029, 40163):
        return ApiError(401, "WECHAT_CODE_INVALID", _LOGIN_CODE_INVALID)
    if errcode == 45011:
        return ApiError(429, "WECHAT_RATE_LIMITED", "微信登录过于频繁，请一分钟后再试")
    if errcode == 40226:
        return ApiError(403, "WECHAT_RISKY_USER", "微信判定当前账号存在风险，暂时无法登录")
    if errcode not in (-1, None):
        # Anything else (bad appid/secret, bad token) is our misconfiguration, not the user's.
        log.error("wechat refused a call", extra={"wechat_errcode": errcode, "errmsg": errmsg})
    # No errcode in the answer: WeChat's internals are for our logs, not for clients.
    return ApiError(503, "WECHAT_UNAVAILABLE", "微信服务暂时不可用，请稍后再试")


class _ForgivingRedisStorage(RedisStorage):
    """wechatpy's RedisStorage that treats Redis being down as a cache miss."""

    def get(self, key, default=None):
        try:
            return super().get(key, default)
        except RedisError:
            log.warning("redis unavailable: wechat token cache miss")
            return default

    def set(self, key, value, ttl=None):
        try:
            super().set(key, value, ttl)
        except RedisError:
            log.warning("redis unavailable: wechat token not cached")

    def delete(self, key):
        with contextlib.suppress(RedisError):
            super().delete(key)


class _Client(WeChatClient):
    """WeChatClient whose base URLs and token endpoint follow the configured base URL."""

    def __init__(self, appid, secret, base_url, timeout, session):
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.base_url = base_url
        self.API_BASE_URL = base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = base_url

    def fetch_access_token(self, force_refresh: bool = False):
        """Get the token from ``cgi-bin/stable_token``, which other workers' calls don't revoke."""
        response = self._http.post(
            self.base_url + "cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
            timeout=self.timeout,
        )
        response.raise_for_status()  # a proxy's HTML error page is not JSON: don't parse it
        result = self._handle_result(response)
        if not isinstance(result, dict) or "access_token" not in result:
            raise WeChatClientException(None, "stable_token answered without an access_token")
        expires_in = int(result.get("expires_in", 7200))
        ttl = max(expires_in - _TOKEN_EXPIRY_MARGIN_SECONDS, 60)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        self.expires_at = int(time.time()) + ttl
        return result

    @property
    def access_token(self):
        """The cached token, or a fresh one (wechatpy re-reads the cache, which may be down)."""
        token = self.session.get(self.access_token_key)
        if token and (not self.expires_at or self.expires_at - time.time() > 60):
            return token
        return self.fetch_access_token()["access_token"]


class WechatGateway:
    """The calls this backend makes to WeChat, with errors mapped for the HTTP layer."""

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        base_url: str,
        timeout: float = 5.0,
        redis=None,
    ) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        storage = _ForgivingRedisStorage(redis, prefix="wechat") if redis else MemoryStorage()
        for name in _URL_LOGGERS:  # the same filter object: adding it again is a no-op
            logging.getLogger(name).addFilter(_HIDE_QUERY_STRINGS)
        self.appid = appid
        self.client = _Client(appid, secret, base_url, timeout, storage)

    def code_to_session(self, code: str) -> WechatSessionInfo:
        """Exchange a ``wx.login`` code at ``sns/jscode2session`` (no access token needed)."""
        result = self._call(
            self.client.get,
            "sns/jscode2session",
            api_base_url=self.client.base_url,
            params={
                "appid": self.client.appid,
                "secret": self.client.secret,
                "js_code": code,
                "grant_type": "authorization_code",
                # present but None: wechatpy then adds no token and requests drops the key
                "access_token": None,
            },
        )
        return WechatSessionInfo(
            openid=result["openid"],
            session_key=result["session_key"],
            unionid=result.get("unionid"),
        )

    def get_phone_number(self, code: str) -> str:
        """Exchange a ``getPhoneNumber`` code for the user's phone number."""
        try:
            result = self._with_token(
                self.client.post,
                "wxa/business/getuserphonenumber",
                api_base_url=self.client.base_url,
                data={"code": code},
            )
        except ApiError as error:
            if error.code == "WECHAT_CODE_INVALID":  # same code, but about the phone, not login
                raise ApiError(401, error.code, _PHONE_CODE_INVALID) from None
            raise
        info = result.get("phone_info") or {}
        return info.get("purePhoneNumber") or info.get("phoneNumber")

    def get_wxa_code_unlimited(
        self,
        scene: str,
        *,
        page: str | None = None,
        check_path: bool = True,
        env_version: str = "release",
        width: int = 430,
    ) -> bytes:
        """Return the PNG of a mini-program code for *scene* (``wxa/getwxacodeunlimit``)."""
        body = {
            "scene": scene,
            "check_path": check_path,
            "env_version": env_version,
            "width": width,
        }
        if page:
            body["page"] = page
        response = self._with_token(
            self.client.post,
            "wxa/getwxacodeunlimit",
            api_base_url=self.client.base_url,
            data=body,
        )
        if isinstance(response, requests.Response):
            return response.content
        raise wechat_error(None)

    def send_subscribe_message(
        self, openid: str, template_id: str, data: dict, page: str | None = None
    ) -> None:
        body = {"touser": openid, "template_id": template_id, "data": data}
        if page:
            body["page"] = page
        self._with_token(
            self.client.post,
            "message/subscribe/send",
            data=body,
        )

    def _with_token(self, method, endpoint, **kwargs):
        """Call an endpoint that needs the access token; on a stale token, refresh once."""
        try:
            return self._raw_call(method, endpoint, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in _STALE_TOKEN_ERRCODES:
                raise wechat_error(exc.errcode, exc.errmsg) from None
        self._call(self.client.fetch_access_token, force_refresh=True)
        return self._call(method, endpoint, **kwargs)

    def _call(self, method, *args, **kwargs):
        try:
            return self._raw_call(method, *args, **kwargs)
        except WeChatClientException as exc:
            raise wechat_error(exc.errcode, exc.errmsg) from None

    @staticmethod
    def _raw_call(method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except requests.RequestException as exc:
            # Timeouts and refused connections: WeChat is away, not the user's fault.
            log.warning("wechat unreachable: %s", type(exc).__name__)
            raise wechat_error(None) from None
