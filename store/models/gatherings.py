"""Tables of gatherings as events people put in their calendars: when and where, who comes, what
each invitee's calendar was last told, and the secret addresses of calendar subscriptions.

A gathering is a plan step of a gathering kind (meeting, checkpoint, conviviality, restitution);
its date is the step's ``due``. Its time and place come from the template
(``Step.gathering``) unless :class:`GatheringDetails` says otherwise for this occurrence. Its
calendar ``SEQUENCE`` is the number of date changes (``plan_change`` rows) plus
``GatheringDetails.revision`` (time or place changes): it only grows, as RFC 5545 requires.
Tokens are kept as their SHA-256 only (``store.tokens``).
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import now


class GatheringDetails(SQLModel, table=True):
    """One occurrence's own time and place, when the coordination changed the template's."""

    __tablename__ = "gathering_details"
    __table_args__ = (UniqueConstraint("project_id", "step_key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    start_time: str | None = Field(default=None, max_length=5, description="HH:MM, Europe/Paris; None: all day")
    minutes: int | None = Field(default=None, description="how long it lasts")
    place: str | None = Field(default=None, max_length=300, description="an address")
    video_url: str | None = Field(default=None, max_length=500, description="a video-conference link")
    revision: int = Field(default=0, description="how many times its time or place changed")
    changed_by: str = Field(max_length=200)
    changed_at: datetime = Field(default_factory=now)


class GatheringAnswer(SQLModel, table=True):
    """A person's answer to an invitation: coming or not (the last answer counts)."""

    __tablename__ = "gathering_answer"
    __table_args__ = (UniqueConstraint("project_id", "step_key", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    person_id: int = Field(foreign_key="person.id", index=True)
    coming: bool
    via: str = Field(max_length=20, description="email, page or coordination")
    answered_at: datetime = Field(default_factory=now)


class GatheringInvitation(SQLModel, table=True):
    """What one invitee's calendar was last sent about a gathering: its SEQUENCE, or its cancellation."""

    __tablename__ = "gathering_invitation"
    __table_args__ = (UniqueConstraint("project_id", "step_key", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    person_id: int = Field(foreign_key="person.id", index=True)
    sequence: int = 0
    cancelled: bool = False
    invited_at: datetime = Field(default_factory=now)


class AnswerLink(SQLModel, table=True):
    """The secret of an invitation's "je viens / je ne viens pas" links; reusable until it expires
    (a person may change their answer), good for that person and gathering only."""

    __tablename__ = "answer_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=now)
    expires_at: datetime


class CalendarFeed(SQLModel, table=True):
    """A calendar subscription address: a person's (their gatherings and steps) or a project's
    team calendar (``person_id`` empty). Revoked feeds answer 404."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=now)
    revoked_at: datetime | None = None
