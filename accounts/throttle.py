"""Throttling of password guessing.

Failures are counted per *login and client address together*, and per address alone. Someone
who types five wrong passwords for Claire from their own machine must wait; Claire, from hers,
is not locked out (and a login link always works). The login is kept as a SHA-256 so that the
attempts table holds no contact details.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from accounts.staff import normalise_email
from store.clock import now
from store.models import LoginAttempt, MagicLink, WebSession

#: Failed attempts allowed in THROTTLE_WINDOW before a login from an address, or an address, must wait.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_IP = 20
#: How long login attempts and expired links are kept (for the audit of recent abuse) before pruning.
KEEP_ATTEMPTS = timedelta(days=7)


@dataclass(frozen=True)
class Throttle:
    blocked: bool
    retry_after_minutes: int = 0


def login_key(email: str) -> str:
    """What the attempts table keeps of a login: the SHA-256 of its normal form."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def throttle_state(session: Session, *, email: str, ip: str) -> Throttle:
    """Whether a password attempt for this login from this address must wait."""
    since = now() - THROTTLE_WINDOW
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.at) >= since, col(LoginAttempt.succeeded).is_(False), LoginAttempt.ip == ip[:64])
    )
    per_login = session.exec(failures.where(LoginAttempt.login_hash == login_key(email))).one()
    per_ip = session.exec(failures).one()
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
