"""Tables of a person's say over their participation: reminders stopped per project, pause links.

A pause itself is two fields of :class:`~store.models.spine.Person` (``paused``, ``paused_until``):
it covers all of the person's projects. Stopping reminders for *one* project is a row here. A pause
link is the one-click link carried by every email: whoever holds it may pause or stop that person's
reminders, nothing else; the store keeps its SHA-256 only.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import now


class ReminderStop(SQLModel, table=True):
    """No more reminders to this person for this project (until they ask again)."""

    __tablename__ = "reminder_stop"
    __table_args__ = (UniqueConstraint("person_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    stopped_at: datetime = Field(default_factory=now)


class PauseLink(SQLModel, table=True):
    """The link in an email that lets its recipient pause or stop reminders without logging in."""

    __tablename__ = "pause_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", description="None: a digest of several")
    created_at: datetime = Field(default_factory=now)
    expires_at: datetime
