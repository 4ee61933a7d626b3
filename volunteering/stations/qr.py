"""The scene string inside a station's QR code: signed, versioned, optionally time-bound.

WeChat allows at most 32 characters from ``0-9a-zA-Z!#$&'()*+,/:;=?@-._~`` in a scene.
Static scene:  ``{station_id}.{version}.{mac16}``           (base36 numbers; about 26 chars)
Dynamic scene: ``{station_id}.{version}.{minute}.{mac12}``   (changes every minute; about 30)
The MAC is HMAC-SHA256 over the fields, base64url, truncated: 96 bits for static scenes, 72
for dynamic ones, which also expire within two minutes. ``.`` never occurs in base64url, so
the fields split unambiguously. Rotation bumps the station's version: older scenes fail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from volunteering.errors import QrInvalid

MAX_SCENE_LENGTH = 32
_STATIC_MAC_CHARS = 16
_DYNAMIC_MAC_CHARS = 12
DYNAMIC_WINDOW_SECONDS = 60
# A dynamic scene is accepted in its own minute and the one after (clock skew, slow scans).
_DYNAMIC_GRACE_WINDOWS = 1


@dataclass(frozen=True)
class Scene:
    station_id: int
    version: int
    window: int | None  # the minute a dynamic scene belongs to; None for a static scene


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if number == 0:
        return "0"
    out = []
    while number:
        number, rest = divmod(number, 36)
        out.append(digits[rest])
    return "".join(reversed(out))


def _mac(key: bytes, message: str, chars: int) -> str:
    digest = hmac.new(key, message.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:chars]


def _window(at: datetime) -> int:
    return int(at.timestamp()) // DYNAMIC_WINDOW_SECONDS


def static_scene(key: bytes, station_id: int, version: int) -> str:
    """Return the printable scene for a station at its current key version."""
    fields = f"{_b36(station_id)}.{_b36(version)}"
    return f"{fields}.{_mac(key, 's.' + fields, _STATIC_MAC_CHARS)}"


def dynamic_scene(key: bytes, station_id: int, version: int, at: datetime) -> str:
    """Return the scene a station's screen shows during the minute containing *at*."""
    fields = f"{_b36(station_id)}.{_b36(version)}.{_b36(_window(at))}"
    return f"{fields}.{_mac(key, 'd.' + fields, _DYNAMIC_MAC_CHARS)}"


def verify(key: bytes, scene: str, *, at: datetime) -> Scene:
    """Return what a genuine *scene* says, or raise QrInvalid (forged, malformed or stale)."""
    if not isinstance(scene, str) or not 0 < len(scene) <= MAX_SCENE_LENGTH:
        raise QrInvalid()
    parts = scene.split(".")
    try:
        numbers = [int(part, 36) for part in parts[:-1]]
    except ValueError:
        raise QrInvalid() from None
    fields, mac = ".".join(parts[:-1]), parts[-1]
    if len(parts) == 3:
        expected, window = _mac(key, "s." + fields, _STATIC_MAC_CHARS), None
    elif len(parts) == 4:
        expected, window = _mac(key, "d." + fields, _DYNAMIC_MAC_CHARS), numbers[2]
    else:
        raise QrInvalid()
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        raise QrInvalid()
    if window is not None and not 0 <= _window(at) - window <= _DYNAMIC_GRACE_WINDOWS:
        raise QrInvalid("二维码已过期，请扫描站点屏幕上的最新二维码")
    return Scene(station_id=numbers[0], version=numbers[1], window=window)
