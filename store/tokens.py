"""Secret tokens of links and cookies: 256 random bits, kept in the store as their SHA-256 only."""

import hashlib
import secrets
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, SQLModel


def new_token() -> str:
    """A fresh secret for a link or a cookie (``secrets.token_urlsafe(32)``: 256 bits).

    Never one that starts with ``-``: a person pasting it after a CLI command (``cocon feedback
    answer <token>``) would otherwise see it read as an option, one time in 64. Drawing again costs
    under 0.03 bit of the 256.
    """
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def claim_once(session: Session, table: type[SQLModel], row_id: int, *, column: str, value: Any) -> bool:
    """Use a token row up: one conditional ``UPDATE … SET column = value WHERE id = … AND column
    IS NULL``. True for exactly one caller, however many redeem the same token at the same moment.
    """
    columns = table.__table__.c  # type: ignore[attr-defined]
    statement = update(table).where(columns.id == row_id, columns[column].is_(None)).values({column: value})
    return int(session.execute(statement).rowcount or 0) == 1  # type: ignore[attr-defined]


def claim_flag(session: Session, table: type[SQLModel], row_id: int, *, column: str) -> bool:
    """Like :func:`claim_once` for a boolean column: set it True where it was False."""
    columns = table.__table__.c  # type: ignore[attr-defined]
    statement = update(table).where(columns.id == row_id, columns[column].is_(False)).values({column: True})
    return int(session.execute(statement).rowcount or 0) == 1  # type: ignore[attr-defined]
