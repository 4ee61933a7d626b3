"""One-time codes people read out and type: redemption codes and merchant bind codes.

The alphabet leaves out 0/O, 1/I/L and U (Crockford's reasons), so a code read over a counter
or typed from a phone screen cannot be misread. 30 symbols: 10 of them carry 49 bits.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_SEPARATORS = str.maketrans("", "", " -_")


def new_code(length: int) -> str:
    """Return a random code of *length* symbols from a cryptographic source.

    One draw of a number below 30**length, written in base 30: uniform like a draw per
    symbol, at one call to the system's random source instead of one per symbol.
    """
    number = secrets.randbelow(len(ALPHABET) ** length)
    symbols = []
    for _ in range(length):
        number, digit = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[digit])
    return "".join(symbols)


def normalize(text: str, length: int) -> str | None:
    """Return *text* in canonical form (upper case, no separators), or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 4 * length:
        return None
    code = text.translate(_SEPARATORS).upper()
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code


def grouped(code: str, size: int = 5) -> str:
    """Return *code* in groups of *size* joined by hyphens: ABCDE-FGHJK."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))
