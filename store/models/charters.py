"""Tables of the charters of engagement: versions, signatures and signing links.

A version stores the exact Markdown text that was shown, with its SHA-256; a signature stores
its own hash over (version hash, person, time, method), so that editing either row afterwards
is detected by ``cocon charter verify``. Signing links are kept only as the SHA-256 of the token.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import now


class SignatureMethod(StrEnum):
    PAPER = "paper"
    LINK = "link"


class CharterVersion(SQLModel, table=True):
    """One distinct text of a project's charter, in one language (numbered 1, 2, … per language)."""

    __tablename__ = "charter_version"
    __table_args__ = (UniqueConstraint("project_id", "language", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    template: str = Field(max_length=60)
    language: str = Field(max_length=5)
    text: str
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=now)
    created_by: str = Field(max_length=200)


class CharterSignature(SQLModel, table=True):
    """A person's signature of one version (on paper, recorded by the coordinator, or by link)."""

    __tablename__ = "charter_signature"
    __table_args__ = (UniqueConstraint("version_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="charter_version.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    method: SignatureMethod = Field(max_length=10)
    signed_at: datetime = Field(default_factory=now)
    recorded_by: str = Field(max_length=200)
    signature_hash: str = Field(max_length=64, description="SHA-256 over version hash, person, time and method")


class SigningToken(SQLModel, table=True):
    """A single-use signing link. Only the SHA-256 of the token is stored, never the token."""

    __tablename__ = "signing_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    version_id: int | None = Field(default=None, foreign_key="charter_version.id")
    created_at: datetime = Field(default_factory=now)
    created_by: str = Field(max_length=200)
    expires_at: datetime
    used_at: datetime | None = None
