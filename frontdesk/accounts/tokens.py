"""Signed, single-use links for email verification and password reset.

A link carries a random nonce signed with the secret key (so a tampered or made-up link
is refused before touching the store); the store keeps only the nonce's hash, its expiry
and whether it was used, which makes each link single-use across every node.
"""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadSignature, URLSafeSerializer

VERIFY = "verify"
RESET = "reset"


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def sign(secret_key: str, purpose: str, nonce: str) -> str:
    return str(URLSafeSerializer(secret_key, salt=f"frontdesk.{purpose}").dumps(nonce))


def unsign(secret_key: str, purpose: str, token: str) -> str | None:
    """The nonce inside `token`, or None when the signature does not hold."""
    try:
        nonce = URLSafeSerializer(secret_key, salt=f"frontdesk.{purpose}").loads(token)
    except BadSignature:
        return None
    return nonce if isinstance(nonce, str) else None
