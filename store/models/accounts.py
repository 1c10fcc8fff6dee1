"""Tables of web access: accounts, magic links, login attempts and web sessions.

An account belongs to one :class:`~store.models.spine.Person`. Staff (coordinators, facilitators,
professionals) log in with a password; patient partners and user representatives receive magic
links by email and may set a password if they wish (their account is then of kind ``partner``).
Secrets are never stored: passwords as argon2 hashes, link and session tokens as SHA-256.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from store.clock import now


class AccountKind(StrEnum):
    COORDINATOR = "coordinator"
    FACILITATOR = "facilitator"
    PROFESSIONAL = "professional"
    PARTNER = "partner"


#: Kinds of account that may change a project they can see (add people, move steps…).
MANAGING_KINDS = frozenset({AccountKind.COORDINATOR, AccountKind.FACILITATOR})


class Account(SQLModel, table=True):
    """A person's personal login. Facilitators also see the projects of the structures they follow."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, index=True)
    email: str = Field(unique=True, index=True, max_length=320, description="lower-case login")
    kind: AccountKind = Field(max_length=15)
    password_hash: str | None = Field(default=None, max_length=200)
    structures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    disabled: bool = False
    created_at: datetime = Field(default_factory=now)
    last_login_at: datetime | None = None


class MagicLink(SQLModel, table=True):
    """A single-use, expiring login link sent by email; only the token's SHA-256 is kept."""

    __tablename__ = "magic_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    next_path: str = Field(default="/", max_length=300, description="where the link lands after login")
    created_at: datetime = Field(default_factory=now)
    expires_at: datetime
    used_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """One password attempt, to throttle guessing per account and per address.

    The login is kept as a SHA-256 so that this table holds no contact details.
    """

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    login_hash: str = Field(index=True, max_length=64)
    ip: str = Field(index=True, max_length=64)
    succeeded: bool = False


class WebSession(SQLModel, table=True):
    """A logged-in browser. The cookie holds the token; the store holds its SHA-256."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now)
    last_seen_at: datetime = Field(default_factory=now)
    expires_at: datetime
    via: str = Field(default="password", max_length=20, description="password or magic-link")
