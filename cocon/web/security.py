"""Secrets of the web app: passwords, session cookies, CSRF tokens, login throttling, magic links.

- Passwords are hashed with argon2id (argon2-cffi); an unknown login still costs one hash, so
  timing does not tell which emails have an account.
- Session and magic-link tokens are ``secrets.token_urlsafe(32)`` (256 bits); the store keeps
  only their SHA-256. Magic links are single use and expire; sessions expire when idle and at
  a fixed age.
- CSRF: every browser gets a random ``cocon_csrf`` cookie; each form carries
  ``HMAC(app secret, cookie)``, which a cross-site page can neither read nor compute. Every POST
  is checked (see :func:`csrf_valid`).
- Throttling counts failed password attempts in the store, per login and per IP address.
"""

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from store.clock import now
from store.models import Account, LoginAttempt, MagicLink, WebSession
from store.tokens import new_token, token_hash

SESSION_COOKIE = "cocon_session"
CSRF_COOKIE = "cocon_csrf"
LANG_COOKIE = "cocon_lang"
CSRF_FIELD = "csrf_token"

SESSION_IDLE = timedelta(days=2)
SESSION_MAX_AGE = timedelta(days=14)
MAGIC_LINK_LIFETIME = timedelta(days=7)
MIN_PASSWORD_LENGTH = 10

#: Failed attempts allowed in THROTTLE_WINDOW before a login, or an address, must wait.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_IP = 20
#: How long login attempts and expired links are kept (for the audit of recent abuse) before pruning.
KEEP_ATTEMPTS = timedelta(days=7)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: every `cocon` command imports this module (accounts).
    return _hasher.hash("cocon-dummy-password-for-timing")


def login_key(email: str) -> str:
    """The normal form of a login, and what the attempts table keeps of it (a hash)."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- passwords ------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, lang: str = "fr") -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        if lang == "en":
            return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    return None


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; always spends one argon2 verification, even without an account."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# --- app secret and CSRF --------------------------------------------------------------------


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


# --- login throttling -----------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    blocked: bool
    retry_after_minutes: int = 0


def throttle_state(session: Session, *, email: str, ip: str) -> Throttle:
    """Whether a password attempt for this login from this address must wait."""
    since = now() - THROTTLE_WINDOW
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.at) >= since, col(LoginAttempt.succeeded).is_(False))
    )
    per_login = session.exec(failures.where(LoginAttempt.login_hash == login_key(email))).one()
    per_ip = session.exec(failures.where(LoginAttempt.ip == ip)).one()
    if per_login >= MAX_FAILURES_PER_LOGIN or per_ip >= MAX_FAILURES_PER_IP:
        return Throttle(True, int(THROTTLE_WINDOW.total_seconds() // 60))
    return Throttle(False)


def record_attempt(session: Session, *, email: str, ip: str, succeeded: bool) -> None:
    session.add(LoginAttempt(login_hash=login_key(email), ip=ip[:64], succeeded=succeeded))


def prune(session: Session) -> None:
    """Forget what no longer serves: old attempts, ended sessions, links past their expiry."""
    moment = now()
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < moment - KEEP_ATTEMPTS))
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < moment))
    session.execute(delete(MagicLink).where(col(MagicLink.expires_at) < moment - KEEP_ATTEMPTS))


def find_account(session: Session, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == normalise_email(email))).first()


# --- sessions -------------------------------------------------------------------------------


def open_session(session: Session, *, person_id: int, account_id: int | None, via: str) -> str:
    """Start a web session; returns the cookie value (the only copy of the token)."""
    token = new_token()
    moment = now()
    session.add(
        WebSession(
            token_hash=token_hash(token),
            person_id=person_id,
            account_id=account_id,
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + SESSION_MAX_AGE,
            via=via,
        )
    )
    return token


def live_session(session: Session, token: str | None) -> WebSession | None:
    """The session a cookie names, if it is still valid (touches its idle timer)."""
    if not token:
        return None
    found = session.exec(select(WebSession).where(WebSession.token_hash == token_hash(token))).first()
    if found is None:
        return None
    moment = now()
    if found.expires_at <= moment or found.last_seen_at + SESSION_IDLE <= moment:
        session.delete(found)
        return None
    if moment - found.last_seen_at > timedelta(minutes=5):
        found.last_seen_at = moment
        session.add(found)
    return found


def close_session(session: Session, token: str | None) -> None:
    if not token:
        return
    found = session.exec(select(WebSession).where(WebSession.token_hash == token_hash(token))).first()
    if found is not None:
        session.delete(found)


# --- magic links ----------------------------------------------------------------------------


def create_magic_link(
    session: Session, *, person_id: int, next_path: str = "/", lifetime: timedelta = MAGIC_LINK_LIFETIME
) -> tuple[str, MagicLink]:
    """A new login link for a person; returns the token (to put in the email) and its row."""
    token = new_token()
    moment = now()
    link = MagicLink(
        token_hash=token_hash(token),
        person_id=person_id,
        next_path=safe_next(next_path),
        created_at=moment,
        expires_at=moment + lifetime,
    )
    session.add(link)
    session.flush()
    return token, link


class LinkRefused(Exception):
    """A magic link that is unknown, already used or expired (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def check_magic_link(session: Session, token: str) -> MagicLink:
    """The link a token names, if it can still be used (does not use it)."""
    link = session.exec(select(MagicLink).where(MagicLink.token_hash == token_hash(token))).first()
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= now():
        raise LinkRefused("expired")
    return link


def redeem_magic_link(session: Session, token: str) -> MagicLink:
    """Use a link once: later calls with the same token are refused."""
    link = check_magic_link(session, token)
    link.used_at = now()
    session.add(link)
    session.flush()
    return link


def safe_next(path: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path[:300]
