"""Access tokens a process has already verified, kept with their claims until they expire."""

from __future__ import annotations

import time

EXTENSION = "verified_access_tokens"


class VerifiedTokens:
    """The claims of access tokens this app verified, keyed by the exact token string.

    The mini-program sends the same access token with every request of its two-hour life,
    and flask-jwt-extended verifies it afresh each time: it decodes the token twice (once
    unverified, to choose the key) and costs several times a bare signature check. A string
    that verified once verifies again until it expires: the signature covers every byte of
    it, and nothing here revokes a token early (tokens are stateless; a deactivated staff
    member loses access at the next refresh). So only the expiry is checked again.

    One per app (``app.extensions``): another app in the same process may trust another key.
    Bounded: when full it starts afresh; a forgotten token costs one verification.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self._claims: dict[str, dict] = {}

    def get(self, token: str) -> dict | None:
        """Return the claims of *token* if it verified before and has not expired since."""
        claims = self._claims.get(token)
        if claims is not None and claims["exp"] > time.time():
            return claims
        return None

    def remember(self, token: str, claims: dict) -> None:
        """Keep the claims of *token*, which has just been verified as an access token."""
        if "exp" not in claims:
            return  # a token that never expires is verified every time
        if len(self._claims) >= self.LIMIT:
            self._claims.clear()
        self._claims[token] = claims
