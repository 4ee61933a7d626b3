"""What views need from the running app, in one place: the WeChat client, signing keys."""

from flask import current_app

from miniprogram_api.wechat import WechatGateway


def wechat() -> WechatGateway:
    return current_app.extensions["wechat"]


def qr_signing_key() -> bytes:
    """Return the key that signs station QR scenes."""
    return current_app.config["QR_SIGNING_KEY"].encode()
