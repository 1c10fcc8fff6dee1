"""The outbox: every notification Cocon sends is first a row here.

A row is either a *standalone* message (subject and bodies rendered by whoever enqueued it, e.g. a
questionnaire invitation) or a *digest item* (a reminder, invitation or notice for one person,
rendered at send time together with the person's other items of the day, so each person gets one
message a day). The idempotency key makes planning twice, or two schedulers at once, harmless.

States::

    pending ──claim──▶ sending ──ok──▶ sent
       ▲                  │
       │                  ├─fail──▶ failed ──(back-off)──▶ sending … ──(N attempts)──▶ dead
       │                  └─no longer relevant──▶ cancelled
       └── `cocon outbox retry` (dead → pending)

Subject, bodies, attachments and the channel URL are cleared once a message is sent or cancelled: the
outbox keeps what happened, not what was said or to which address.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import AutoString, Field, SQLModel

from store.clock import now


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    CANCELLED = "cancelled"


class Occasion(StrEnum):
    """Why a message is sent: the one closed list (labels: ``label.occasion.<value>`` in the catalogue, read by ``notifications.messages.occasion_label``)."""

    # digest items, in the order a person's daily digest lists them
    INVITATION = "invitation"
    GATHERING_UPDATE = "gathering-update"
    GATHERING_CANCELLED = "gathering-cancelled"
    BEFORE = "before"
    CHARTER_UNSIGNED = "charter-unsigned"
    OVERDUE = "overdue"
    NOTES_FOLLOW_UP = "notes-follow-up"
    ESCALATION = "escalation"
    PHASE_CHANGE = "phase-change"
    # standalone messages
    TEAM_ESCALATION = "team-escalation"
    CHARTER_LINK = "charter-link"
    CHARTER_SIGNED = "charter-signed"
    LOGIN_LINK = "login-link"
    OUTBOX_DEAD = "outbox-dead"
    CHECKPOINT_MINUTES = "checkpoint-minutes"
    FEEDBACK_INVITATION = "feedback-invitation"
    FEEDBACK_REMINDER = "feedback-reminder"
    INDICATORS_REQUEST = "indicators-request"
    THANKS = "thanks"


#: The occasions of digest items, in the order a digest lists them.
DIGEST_OCCASIONS: tuple[Occasion, ...] = (
    Occasion.INVITATION,
    Occasion.GATHERING_UPDATE,
    Occasion.GATHERING_CANCELLED,
    Occasion.BEFORE,
    Occasion.CHARTER_UNSIGNED,
    Occasion.OVERDUE,
    Occasion.NOTES_FOLLOW_UP,
    Occasion.ESCALATION,
    Occasion.PHASE_CHANGE,
)

#: States from which a message may still be sent.
OPEN_STATES = frozenset({OutboxState.PENDING, OutboxState.FAILED, OutboxState.SENDING})


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(
        max_length=64, unique=True, description="sha256 of project, about, occasion, recipient, date"
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int | None = Field(default=None, index=True, description="None for a team channel message")
    # kept as text (not a database enum) so that a new occasion needs no migration
    occasion: Occasion = Field(sa_type=AutoString(length=40), max_length=40, description="an Occasion")
    about: str = Field(max_length=120, description="what the message is about, e.g. step:charte")
    due_on: date = Field(description="the day the notification belongs to (local date)")
    digest: bool = Field(default=False, description="rendered at send time with the person's other items")
    facts: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="what the notification was planned from (step due date…), re-checked at send time",
    )
    channel_url: str | None = Field(default=None, max_length=500, description="explicit Apprise URL (team channel)")
    subject: str | None = Field(default=None, max_length=300)
    text: str | None = None
    html: str | None = None
    attachments: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    state: OutboxState = Field(default=OutboxState.PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=now)
    claimed_by: str | None = Field(default=None, max_length=120, description="host:pid:token of the sender")
    claimed_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=300, description="never holds contact details")
    created_at: datetime = Field(default_factory=now)
    sent_at: datetime | None = Field(default=None, index=True)
