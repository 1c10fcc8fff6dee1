"""Tables of the "pendant" and "après" halves: checkpoints, attendance, contributions,
proposals, indicators, the participant questionnaire and the restitution.

Anonymity of the questionnaire is a property of the schema: ``feedback_response`` has no
column that points to a person or to an invitation, and no timestamp; the invitation only
records *that* it was answered, so reminders can stop.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import now


class ContributionKind(StrEnum):
    """What a contribution was: time given, or an expense to reimburse (défraiement)."""

    MEETING = "reunion"
    PREPARATION = "preparation"
    ACTION = "action"
    TRAINING = "formation"
    TRAVEL = "deplacement"
    CARE = "garde"
    OTHER = "autre"


class ProposalSource(StrEnum):
    CHECKPOINT = "point-etape"
    MEETING = "reunion"
    IDEA_BOX = "boite-a-idees"
    MESSAGE = "message"
    QUESTIONNAIRE = "questionnaire"
    OTHER = "autre"


class ProposalStatus(StrEnum):
    PENDING = "en-attente"
    ADOPTED = "adoptee"
    ADAPTED = "adaptee"
    NOT_RETAINED = "non-retenue"


class RoleGroup(StrEnum):
    """The only thing an anonymous answer keeps about its author, for breakdowns."""

    PARTNER = "partenaire"
    PROFESSIONAL = "professionnel"


class Gathering(SQLModel, table=True):
    """A checkpoint or meeting that was held, with what was decided (the minutes)."""

    __tablename__ = "gathering"
    __table_args__ = (UniqueConstraint("project_id", "step_key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    kind: str = Field(max_length=30)
    held_on: date
    decisions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    step_statuses: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    replanning: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str | None = None
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=now)
    minutes_sent_at: datetime | None = None


class Restitution(SQLModel, table=True):
    """The closing session with everyone involved: what was presented and what was said."""

    __tablename__ = "restitution"
    __table_args__ = (UniqueConstraint("project_id", "step_key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    held_on: date
    presented: str
    discussion: str
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=now)


class Attendance(SQLModel, table=True):
    """Who was expected at a gathering (checkpoint, meeting, restitution) and who came."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("project_id", "step_key", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    person_id: int = Field(foreign_key="person.id", index=True)
    held_on: date
    invited: bool = True
    present: bool = False


class Contribution(SQLModel, table=True):
    """Time given and expenses incurred by one person; amounts in euro cents."""

    __tablename__ = "contribution"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    on: date
    kind: ContributionKind = Field(max_length=20)
    hours: float = 0.0
    amount_cents: int = 0
    receipt_ref: str | None = Field(default=None, max_length=120)
    description: str | None = Field(default=None, max_length=500)
    reimbursed_on: date | None = None
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=now)


class Proposal(SQLModel, table=True):
    """What a participant proposed, where, and what became of it."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    text: str
    source: ProposalSource = Field(max_length=20)
    step_key: str | None = Field(default=None, max_length=80)
    proposed_on: date
    status: ProposalStatus = Field(default=ProposalStatus.PENDING, max_length=12)
    outcome: str | None = Field(default=None, description="how it was adapted, or why it was not retained")
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)


class ProjectIndicator(SQLModel, table=True):
    """One indicator chosen for a project, with its own baseline, target and minimum."""

    __tablename__ = "project_indicator"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    code: str = Field(max_length=60)
    definition: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="the IndicatorDefinition as chosen (name, definition, unit, direction, source…)",
    )
    baseline: float | None = None
    target: float | None = None
    minimum: float | None = None
    active: bool = True
    chosen_at: datetime = Field(default_factory=now)


class IndicatorChange(SQLModel, table=True):
    """History of the chosen indicators; changes after ``avant`` carry a reason."""

    __tablename__ = "indicator_change"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    code: str = Field(max_length=60)
    change: str = Field(max_length=200, description="e.g. 'target: 75 → 60', 'added', 'removed'")
    phase: str = Field(max_length=10)
    reason: str | None = None
    changed_by: str = Field(max_length=200)
    at: datetime = Field(default_factory=now)


class IndicatorValue(SQLModel, table=True):
    """A measurement of an indicator at one time point."""

    __tablename__ = "indicator_value"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    code: str = Field(max_length=60)
    phase: str = Field(max_length=10)
    value: float | None = None
    note: str | None = None
    computed: bool = False
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=now)


class FeedbackInvitation(SQLModel, table=True):
    """An invitation to the questionnaire. Knows only *whether* it was answered, never what."""

    __tablename__ = "feedback_invitation"
    __table_args__ = (UniqueConstraint("project_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role_group: RoleGroup = Field(max_length=15)
    lang: str = Field(default="fr", max_length=5)
    token_hash: str = Field(unique=True, max_length=64)
    invited_at: datetime = Field(default_factory=now)
    expires_at: datetime
    answered: bool = False


class FeedbackResponse(SQLModel, table=True):
    """One anonymous set of answers: no person, no invitation, no timestamp; a random id."""

    __tablename__ = "feedback_response"

    id: str = Field(primary_key=True, max_length=32)
    project_id: int = Field(foreign_key="project.id", index=True)
    questionnaire: str = Field(max_length=60)
    role_group: RoleGroup = Field(max_length=15)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
