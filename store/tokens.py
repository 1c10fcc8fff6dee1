"""Secret tokens of links and cookies: 256 random bits, kept in the store as their SHA-256 only."""

import hashlib
import secrets


def new_token() -> str:
    """A fresh secret for a link or a cookie (``secrets.token_urlsafe(32)``: 256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
