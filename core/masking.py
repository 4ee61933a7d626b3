"""Masks for personal data shown in responses and logs."""

from __future__ import annotations

import re

_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_phone(phone: str | None) -> str | None:
    """Return 138****5678 for a mainland mobile number; keep only the last 4 of anything else."""
    if not phone:
        return None
    digits = phone[-11:]
    if _PHONE_IN_TEXT.fullmatch(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_name(name: str | None) -> str | None:
    """Return the first character followed by asterisks: 张三丰 → 张**."""
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_phones_in_text(text: str) -> str:
    """Mask every mainland mobile number inside free text (used on log lines)."""
    return _PHONE_IN_TEXT.sub(r"\1****\3", text)
