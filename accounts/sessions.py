"""Logged-in browsers. The cookie holds a 256-bit token; the store keeps its SHA-256 only.

Sessions expire when idle (``SESSION_IDLE``) and at a fixed age (``SESSION_MAX_AGE``).
"""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from store.clock import now
from store.models import WebSession
from store.tokens import new_token, token_hash

SESSION_IDLE = timedelta(days=2)
SESSION_MAX_AGE = timedelta(days=14)


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
    session.execute(delete(WebSession).where(col(WebSession.token_hash) == token_hash(token)))


def close_other_sessions(session: Session, *, person_id: int, keep_id: int | None) -> int:
    """End every session of a person but ``keep_id`` (after a password change); returns how many."""
    statement = delete(WebSession).where(col(WebSession.person_id) == person_id)
    if keep_id is not None:
        statement = statement.where(col(WebSession.id) != keep_id)
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]
