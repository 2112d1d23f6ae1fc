"""An OAuth2 token endpoint and the bearer tokens it knows.

``POST /token`` (also ``/oauth2/v4/token``) takes a form-encoded body, as
Google's token endpoint does:

* ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT``
  (service accounts): the JWT's payload is decoded WITHOUT checking its
  signature, and must carry ``iss``, ``scope``, ``aud`` and an ``exp`` in the
  future.  The token's identity is ``sub`` when present (domain-wide
  delegation acts as that user), else ``iss`` (the service account's email).
* ``grant_type=refresh_token&refresh_token=...&client_id=...`` (user OAuth):
  the identity is the email registered for that refresh token, if any.

The answer is ``{"access_token": "emu-<random>", "expires_in": 3600,
"token_type": "Bearer"}``; errors use OAuth's shape, ``{"error":
"invalid_grant", "error_description": "..."}``.

Any other non-empty bearer token (``test-token``) is accepted with no known
identity, unless registered with an identity or revoked.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from .server import EmuRequest

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True)
class TokenInfo:
    """An access token the emulator issued (or a test registered)."""

    token: str
    identity: str | None  # who acts: sub, else iss; the registered user for refresh grants
    issuer: str | None = None  # the JWT's iss, or the OAuth client id
    subject: str | None = None  # the JWT's sub (domain-wide delegation)
    scope: str | None = None
    grant_type: str | None = None
    expires_at: float | None = None


def oauth_error(error: str, description: str, status: int = 400) -> tuple[int, Any]:
    return status, {"error": error, "error_description": description}


def _jwt_payload(assertion: str) -> dict[str, Any] | None:
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        payload = json.loads(raw)
    except (ValueError, binascii.Error):
        return None
    return payload if isinstance(payload, dict) else None


class Tokens:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.known: dict[str, TokenInfo] = {}
        self.revoked: set[str] = set()  # access tokens and refresh tokens
        self.users: dict[str, str] = {}  # refresh token -> email
        self.issued: list[TokenInfo] = []

    def identify(self, token: str) -> tuple[bool, str | None]:
        """(valid, identity) for a bearer token."""
        with self.lock:
            if token in self.revoked:
                return False, None
            info = self.known.get(token)
        if info is None:
            return True, None
        if info.expires_at is not None and info.expires_at < time.time():
            return False, None
        return True, info.identity

    def issue(self, **fields: Any) -> tuple[int, Any]:
        token = "emu-" + secrets.token_urlsafe(24)
        info = TokenInfo(token=token, expires_at=time.time() + 3600, **fields)
        with self.lock:
            self.known[token] = info
            self.issued.append(info)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def handle(self, req: EmuRequest) -> tuple[int, Any]:
        form = {k: v[0] for k, v in req.form.items() if v}
        if not form and isinstance(req.json, dict):
            form = {k: str(v) for k, v in req.json.items()}
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            payload = _jwt_payload(form.get("assertion", ""))
            if payload is None:
                return oauth_error("invalid_grant", "Invalid JWT Signature.")
            missing = [k for k in ("iss", "scope", "aud", "exp") if not payload.get(k)]
            if missing:
                return oauth_error("invalid_grant", f"Invalid JWT: missing {', '.join(missing)}")
            if not isinstance(payload["exp"], int | float) or payload["exp"] < time.time():
                return oauth_error(
                    "invalid_grant",
                    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                    "reasonable timeframe. Check your iat and exp values in the JWT claim.",
                )
            subject = payload.get("sub")
            return self.issue(
                identity=subject or payload["iss"], issuer=payload["iss"], subject=subject,
                scope=payload["scope"], grant_type=grant,
            )  # fmt: skip
        if grant == "refresh_token":
            refresh = form.get("refresh_token")
            if not refresh or not form.get("client_id"):
                return oauth_error("invalid_request", "Missing required parameter: refresh_token")
            with self.lock:
                revoked = refresh in self.revoked
                user = self.users.get(refresh)
            if revoked:
                return oauth_error("invalid_grant", "Token has been expired or revoked.")
            return self.issue(
                identity=user, issuer=form.get("client_id"), scope=form.get("scope"),
                grant_type=grant,
            )  # fmt: skip
        return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant or ''}")
