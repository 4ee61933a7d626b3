"""A stand-in for WeChat's server API, reached by wechatpy over HTTP in development and tests.

Run ``python -m app.wechat_standin --host 127.0.0.1 --port 5001`` and set
``WECHAT_API_BASE_URL=http://127.0.0.1:5001/``. It accepts ``WECHAT_APPID`` and ``WECHAT_SECRET``
(defaults as in ``app.config``). Errors are HTTP 200 ``{"errcode", "errmsg"}``, as WeChat sends.

Endpoints (paths relative to the base URL):

- ``GET sns/jscode2session?appid&secret&js_code&grant_type=authorization_code`` →
  ``{openid, session_key}``, plus ``unionid`` when the user part starts with ``union``.
  The user part is the code before the first ``.``: one user, one openid. Codes are single use.
- ``GET cgi-bin/token?grant_type=client_credential&appid&secret`` → ``{access_token,
  expires_in: 7200}``; every call issues a new token and revokes this endpoint's previous one.
- ``POST cgi-bin/stable_token {grant_type, appid, secret, force_refresh}`` → the current token;
  ``force_refresh`` issues a new one (the old one stays valid).
  For all three: wrong appid 40013, wrong secret 40125, missing or wrong grant_type 40002.
- These need ``?access_token=``: missing 41001, unknown or revoked 40001, expired 42001.

  - ``POST wxa/business/getuserphonenumber {code}`` → ``{phone_info}``: code
    ``phone-13812345678`` gives that number, any other 13800138000. Phone codes are reusable.
  - ``POST wxa/getwxacodeunlimit {scene, page?, check_path?, env_version?, width?}`` → a PNG.
    Scene empty, over 32 characters or outside ``0-9a-zA-Z!#$&'()*+,/:;=?@-._~`` 40169;
    ``page`` not a known page while ``check_path`` (default true) 41030; ``env_version`` not
    release/trial/develop 40097.
  - ``POST cgi-bin/message/subscribe/send {touser, template_id, data, …}`` → ok; ``touser``
    not starting with ``o`` 40003; ``template_id`` prefix ``invalid`` 40037, ``refused`` 43101.

- Test controls: ``GET __standin/stats`` (calls per endpoint, tokens issued, jscode2session
  calls that carried an access_token), ``GET __standin/session-keys/<openid>`` (the last
  session_key issued), ``POST __standin/expire-tokens`` (→ 42001), ``POST __standin/revoke-tokens``
  (→ 40001). Unknown paths: HTTP 404 ``{"errcode": 404, …}``.

Prefixes of ``js_code`` and of the phone code: ``invalid`` 40029, ``used`` 40163, ``ratelimit``
45011, ``risky`` 40226, ``busy`` -1, ``slow`` (sleep ``slow_seconds``, then answer), ``http500``
(a plain HTTP 500).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import logging
import os
import re
import secrets
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import run_simple

from app.config import DEV_WECHAT_APPID, DEV_WECHAT_SECRET
from app.logs import RedactingFilter

DEFAULT_KNOWN_PAGES = frozenset({"pages/index/index", "pages/checkin/checkin"})
TOKEN_LIFETIME_SECONDS = 7200
DEFAULT_PHONE = "13800138000"

SCENE = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")
ENV_VERSIONS = {"release", "trial", "develop"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# (errcode, errmsg) as WeChat words them.
INVALID_CODE = (40029, "invalid code")
CODE_USED = (40163, "code been used")
MINUTE_QUOTA = (45011, "api minute-quota reach limit  mustslower  retry next minute")
HIGH_RISK = (40226, "high risk user")
SYSTEM_ERROR = (-1, "system error")
INVALID_APPID = (40013, "invalid appid")
INVALID_SECRET = (40125, "invalid appsecret")
APPID_MISSING = (41002, "appid missing")
SECRET_MISSING = (41004, "appsecret missing")
CODE_MISSING = (41008, "missing code")
INVALID_GRANT_TYPE = (40002, "invalid grant_type")
TOKEN_MISSING = (41001, "access_token missing")
TOKEN_INVALID = (40001, "invalid credential, access_token is invalid or not latest")
TOKEN_EXPIRED = (42001, "access_token expired")
DATA_FORMAT = (47001, "data format error")
INVALID_SCENE = (40169, "invalid length for scene, or the data is not json")
INVALID_PAGE = (41030, "invalid page")
INVALID_ARGS = (40097, "invalid args")
INVALID_OPENID = (40003, "invalid openid")
INVALID_TEMPLATE = (40037, "invalid template_id")
USER_REFUSED = (43101, "user refuse to accept the msg")

# Code prefixes that make jscode2session and getuserphonenumber fail the way WeChat does.
CODE_TRIGGERS = {
    "invalid": INVALID_CODE,
    "used": CODE_USED,
    "ratelimit": MINUTE_QUOTA,
    "risky": HIGH_RISK,
    "busy": SYSTEM_ERROR,
}

# werkzeug logs each request line with its query string, which carries the secret and codes.
_REDACT_REQUEST_LINES = RedactingFilter()

blp = Blueprint("wechat_standin", __name__)


class WechatError(Exception):
    """An answer of HTTP 200 ``{"errcode", "errmsg"}``."""

    def __init__(self, error: tuple[int, str]) -> None:
        super().__init__(error[1])
        self.errcode, self.errmsg = error


class PlainServerError(Exception):
    """A bare HTTP 500, as a load balancer in front of WeChat might send."""


class StandinState:
    """Everything the stand-in remembers; one per app, guarded by one lock."""

    def __init__(self, appid: str, secret: str, slow_seconds: float, known_pages: frozenset[str]):
        self.appid = appid
        self.secret = secret
        self.slow_seconds = slow_seconds
        self.known_pages = known_pages
        self.lock = threading.Lock()
        self.token_expiry: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.current_stable_token: str | None = None
        self.current_classic_token: str | None = None
        self.used_codes: set[str] = set()
        self.session_keys: dict[str, str] = {}  # openid -> last session_key issued
        self.calls: Counter[str] = Counter()
        self.tokens_issued = 0
        self.jscode2session_with_access_token = 0

    def issue_token(self) -> str:
        """Create a token valid for two hours (call with the lock held)."""
        token = secrets.token_urlsafe(96)
        self.token_expiry[token] = time.time() + TOKEN_LIFETIME_SECONDS
        self.tokens_issued += 1
        return token

    def is_live(self, token: str | None) -> bool:
        """Tell whether *token* is known and unexpired (call with the lock held)."""
        return token is not None and self.token_expiry.get(token, 0) > time.time()

    def stats(self) -> dict:
        """Return the counters tests read (a snapshot)."""
        with self.lock:
            return {
                "calls": dict(self.calls),
                "tokens_issued": self.tokens_issued,
                "live_tokens": sum(1 for token in self.token_expiry if self.is_live(token)),
                "jscode2session_with_access_token": self.jscode2session_with_access_token,
            }


def _state() -> StandinState:
    return current_app.extensions["wechat_standin"]


def _json_body() -> dict:
    """Read the JSON body whatever its Content-Type (wechatpy sends none); 47001 if no object."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise WechatError(DATA_FORMAT)
    return body


def _check_app_credentials(
    appid: str | None, secret: str | None, grant_type: str | None, wanted_grant_type: str
) -> None:
    """Refuse a wrong or missing appid, secret or grant_type as WeChat does."""
    state = _state()
    if not appid:
        raise WechatError(APPID_MISSING)
    if appid != state.appid:
        raise WechatError(INVALID_APPID)
    if not secret:
        raise WechatError(SECRET_MISSING)
    if not secrets.compare_digest(secret.encode(), state.secret.encode()):
        raise WechatError(INVALID_SECRET)
    if grant_type != wanted_grant_type:
        raise WechatError(INVALID_GRANT_TYPE)


def _require_token() -> None:
    token = request.args.get("access_token")
    if not token:
        raise WechatError(TOKEN_MISSING)
    state = _state()
    with state.lock:
        if token not in state.token_expiry:
            raise WechatError(TOKEN_INVALID)
        if not state.is_live(token):
            raise WechatError(TOKEN_EXPIRED)


def _apply_code_triggers(code: str) -> None:
    """Fail, sleep or break as the code's prefix asks (see the module docstring)."""
    for prefix, error in CODE_TRIGGERS.items():
        if code.startswith(prefix):
            raise WechatError(error)
    if code.startswith("http500"):
        raise PlainServerError
    if code.startswith("slow"):
        time.sleep(_state().slow_seconds)


def openid_for(appid: str, user: str) -> str:
    """Derive the openid of *user* under *appid*: stable, 28 characters, starting with ``o``."""
    digest = hashlib.sha256(f"{appid}:{user}".encode()).digest()
    return ("o" + base64.urlsafe_b64encode(digest).decode())[:28]


def unionid_for(user: str) -> str:
    """Derive the unionid of *user*: the same across every appid."""
    digest = hashlib.sha256(f"union:{user}".encode()).digest()
    return ("o" + base64.urlsafe_b64encode(digest).decode())[:28]


@blp.before_app_request
def _count_call():
    if request.url_rule is not None and not request.path.startswith("/__standin/"):
        state = _state()
        with state.lock:
            state.calls[request.path.lstrip("/")] += 1


@blp.get("/sns/jscode2session")
def jscode2session():
    """Exchange a wx.login code for the user's openid and a fresh session_key."""
    state = _state()
    args = request.args
    with state.lock:
        if "access_token" in args:
            state.jscode2session_with_access_token += 1
    _check_app_credentials(
        args.get("appid"), args.get("secret"), args.get("grant_type"), "authorization_code"
    )
    code = args.get("js_code")
    if not code:
        raise WechatError(CODE_MISSING)
    _apply_code_triggers(code)
    user = code.split(".", 1)[0]
    openid = openid_for(state.appid, user)
    session_key = base64.b64encode(secrets.token_bytes(16)).decode()
    with state.lock:
        if code in state.used_codes:
            raise WechatError(CODE_USED)
        state.used_codes.add(code)
        state.session_keys[openid] = session_key
    answer = {"openid": openid, "session_key": session_key}
    if user.startswith("union"):
        answer["unionid"] = unionid_for(user)
    return answer


@blp.get("/cgi-bin/token")
def classic_token():
    """Issue a new token and revoke the one this endpoint issued before (WeChat's old way)."""
    args = request.args
    _check_app_credentials(
        args.get("appid"), args.get("secret"), args.get("grant_type"), "client_credential"
    )
    state = _state()
    with state.lock:
        state.token_expiry.pop(state.current_classic_token, None)
        state.current_classic_token = state.issue_token()
        token = state.current_classic_token
    return {"access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS}


@blp.post("/cgi-bin/stable_token")
def stable_token():
    """Return the current stable token; a new one on ``force_refresh`` or when none is live."""
    body = _json_body()
    _check_app_credentials(
        body.get("appid"), body.get("secret"), body.get("grant_type"), "client_credential"
    )
    state = _state()
    with state.lock:
        if body.get("force_refresh") is True or not state.is_live(state.current_stable_token):
            state.current_stable_token = state.issue_token()
        token = state.current_stable_token
        expires_in = round(state.token_expiry[token] - time.time())
    return {"access_token": token, "expires_in": expires_in}


@blp.post("/wxa/business/getuserphonenumber")
def get_user_phone_number():
    """Tell the phone number behind a getPhoneNumber code."""
    _require_token()
    code = _json_body().get("code")
    if not code or not isinstance(code, str):
        raise WechatError(CODE_MISSING)
    _apply_code_triggers(code)
    requested = code.removeprefix("phone-")
    phone = requested if code.startswith("phone-") and requested.isdigit() else DEFAULT_PHONE
    return {
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"timestamp": int(time.time()), "appid": _state().appid},
        },
    }


@blp.post("/wxa/getwxacodeunlimit")
def get_wxa_code_unlimited():
    """Draw the mini-program code of a scene as a PNG."""
    _require_token()
    body = _json_body()
    scene = body.get("scene")
    if not isinstance(scene, str) or not SCENE.fullmatch(scene):
        raise WechatError(INVALID_SCENE)
    if body.get("env_version", "release") not in ENV_VERSIONS:
        raise WechatError(INVALID_ARGS)
    page = body.get("page")
    if body.get("check_path", True) and page is not None and page not in _state().known_pages:
        raise WechatError(INVALID_PAGE)
    try:
        width = int(body.get("width", 430))
    except (TypeError, ValueError):
        raise WechatError(DATA_FORMAT) from None
    width = min(max(width, 280), 1280)  # WeChat clamps rather than refuses
    return Response(png_for_scene(scene, width), mimetype="image/png")


@blp.post("/cgi-bin/message/subscribe/send")
def send_subscribe_message():
    """Accept a subscription message for an openid."""
    _require_token()
    body = _json_body()
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser.startswith("o"):
        raise WechatError(INVALID_OPENID)
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id or template_id.startswith("invalid"):
        raise WechatError(INVALID_TEMPLATE)
    if template_id.startswith("refused"):
        raise WechatError(USER_REFUSED)
    if not isinstance(body.get("data"), dict):
        raise WechatError(DATA_FORMAT)
    return {"errcode": 0, "errmsg": "ok"}


@blp.get("/__standin/stats")
def stats():
    """Counters for tests: calls per endpoint, tokens issued, token-carrying jscode2session."""
    return _state().stats()


@blp.get("/__standin/session-keys/<openid>")
def last_session_key(openid: str):
    """The last session_key issued to *openid*, so tests can compare what the API stored."""
    state = _state()
    with state.lock:
        session_key = state.session_keys.get(openid)
    if session_key is None:
        return {"errcode": 404, "errmsg": "no session for this openid"}, 404
    return {"openid": openid, "session_key": session_key}


@blp.post("/__standin/expire-tokens")
def expire_tokens():
    """Let every issued token expire now (its next use answers 42001)."""
    state = _state()
    with state.lock:
        for token in state.token_expiry:
            state.token_expiry[token] = 0.0
    return {"errcode": 0, "errmsg": "ok"}


@blp.post("/__standin/revoke-tokens")
def revoke_tokens():
    """Forget every issued token (its next use answers 40001)."""
    state = _state()
    with state.lock:
        state.token_expiry.clear()
        state.current_stable_token = state.current_classic_token = None
    return {"errcode": 0, "errmsg": "ok"}


def png_for_scene(scene: str, width: int, modules: int = 21) -> bytes:
    """Return a *width*-pixel square grayscale PNG: a grid of modules set by the scene's hash."""
    seed = hashlib.sha256(scene.encode()).digest()
    bits = int.from_bytes(seed * (modules * modules // 256 + 1), "big")
    module_of_pixel = [x * modules // width for x in range(width)]
    module_rows = []
    for row in range(modules):
        dark = [(bits >> (row * modules + col)) & 1 for col in range(modules)]
        module_rows.append(b"\x00" + bytes(0 if dark[m] else 255 for m in module_of_pixel))
    raw = b"".join(module_rows[y * modules // width] for y in range(width))
    header = struct.pack(">IIBBBBB", width, width, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _register_error_answers(app: Flask) -> None:
    @app.errorhandler(WechatError)
    def _wechat_error(error: WechatError):
        return jsonify(errcode=error.errcode, errmsg=error.errmsg)

    @app.errorhandler(PlainServerError)
    def _plain_500(_error):
        return Response("Internal Server Error", status=500, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        return jsonify(errcode=code, errmsg=f"{code} {error.name.lower()}"), code


def create_standin_app(
    appid: str | None = None,
    secret: str | None = None,
    slow_seconds: float = 3.0,
    known_pages: Iterable[str] | None = None,
) -> Flask:
    """Create the stand-in; *appid*/*secret* default to ``WECHAT_APPID``/``WECHAT_SECRET``."""
    app = Flask(__name__)
    app.extensions["wechat_standin"] = StandinState(
        appid=appid or os.environ.get("WECHAT_APPID", DEV_WECHAT_APPID),
        secret=secret or os.environ.get("WECHAT_SECRET", DEV_WECHAT_SECRET),
        slow_seconds=slow_seconds,
        known_pages=frozenset(known_pages) if known_pages is not None else DEFAULT_KNOWN_PAGES,
    )
    app.register_blueprint(blp)
    _register_error_answers(app)
    logging.getLogger("werkzeug").addFilter(_REDACT_REQUEST_LINES)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the stand-in until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the WeChat API stand-in.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument(
        "--known-page",
        action="append",
        dest="known_pages",
        help="a page getwxacodeunlimit accepts (repeatable; default: "
        f"{', '.join(sorted(DEFAULT_KNOWN_PAGES))})",
    )
    options = parser.parse_args(argv)
    app = create_standin_app(slow_seconds=options.slow_seconds, known_pages=options.known_pages)
    run_simple(options.host, options.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
