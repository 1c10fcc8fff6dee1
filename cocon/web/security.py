"""Secrets of the web face: cookie names, the app secret and CSRF tokens.

Passwords, sessions, login links and throttling live in the ``accounts`` service package.

- CSRF: every browser gets a random ``cocon_csrf`` cookie; each form carries
  ``HMAC(app secret, cookie)``, which a cross-site page can neither read nor compute. Every POST
  is checked (see :func:`csrf_valid`).
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SESSION_COOKIE = "cocon_session"
CSRF_COOKIE = "cocon_csrf"
LANG_COOKIE = "cocon_lang"
CSRF_FIELD = "csrf_token"


def load_secret(data_dir: Path) -> bytes:
    """The key that signs CSRF tokens: ``COCON_SECRET_KEY``, else a file made once (mode 0600)."""
    configured = os.environ.get("COCON_SECRET_KEY")
    if configured:
        return configured.encode("utf-8")
    path = data_dir / "web-secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def csrf_token(secret: bytes, seed: str) -> str:
    """The token a form must send back for the browser holding ``seed`` in its CSRF cookie."""
    return hmac.new(secret, seed.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, seed: str | None, sent: str | None) -> bool:
    if not seed or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, seed), sent)
