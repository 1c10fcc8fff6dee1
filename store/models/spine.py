"""Tables of the spine: templates, projects, people, memberships, plan steps, history, audit.

Datetimes are stored in UTC (SQLModel's UTC-aware type); due dates are plain calendar dates in
the project's local time (Europe/Paris). Personal data is limited to what the workflow needs.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from planning.calendar import HolidayZone
from project_templates.phases import ProjectPhase
from store.clock import now
from store.models.columns import EnumText


class StepStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


#: Steps still to do. A step is *overdue* when it is open and its due date has passed
#: (``store.plans.is_overdue``, the one definition).
OPEN_STATUSES: frozenset[StepStatus] = frozenset({StepStatus.PLANNED, StepStatus.IN_PROGRESS})

#: The only moves a step may make. Reopening a done step (e.g. the charter changed) is allowed.
STEP_TRANSITIONS: dict[StepStatus, frozenset[StepStatus]] = {
    StepStatus.PLANNED: frozenset({StepStatus.IN_PROGRESS, StepStatus.DONE, StepStatus.SKIPPED}),
    StepStatus.IN_PROGRESS: frozenset({StepStatus.DONE, StepStatus.SKIPPED, StepStatus.PLANNED}),
    StepStatus.DONE: frozenset({StepStatus.IN_PROGRESS, StepStatus.PLANNED}),
    StepStatus.SKIPPED: frozenset({StepStatus.PLANNED}),
}


class TemplateRecord(SQLModel, table=True):
    """The exact template text a project was created from."""

    __tablename__ = "template_record"
    __table_args__ = (UniqueConstraint("template_id", "version", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: str = Field(index=True, max_length=60)
    version: int
    content_hash: str = Field(max_length=64)
    content: str
    source: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=now)


class Project(SQLModel, table=True):
    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=80)
    name: str = Field(max_length=200)
    structure: str = Field(index=True, max_length=200, description="MSP, CPTS, ESP, hospital…")
    holiday_zone: HolidayZone = Field(
        default=HolidayZone.METROPOLE,
        sa_type=EnumText(HolidayZone, length=20),
        sa_column_kwargs={"server_default": HolidayZone.METROPOLE.value},
        description="the structure's public holidays: metropole, or alsace-moselle (two more days)",
    )
    template_record_id: int = Field(foreign_key="template_record.id")
    start: date
    end: date
    phase: ProjectPhase = Field(default=ProjectPhase.AVANT, max_length=10)
    phase_changed_at: datetime = Field(default_factory=now)
    language: str = Field(default="fr", max_length=5)
    team_channel: str | None = Field(default=None, max_length=500, description="Apprise URL for coordinator alerts")
    created_at: datetime = Field(default_factory=now)


class Person(SQLModel, table=True):
    """Someone taking part in a project. Contact details are used only to notify.

    An identity belongs to the project that added it (``project_id``): adding the same email to
    another project makes another row, so that nothing done in one project changes what another
    sees. A person with an account manages their own identity and may be a member of several
    projects; ``project_id`` then names where they were first added, or is empty.
    """

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("project_id", "email", name="uq_person_project_email"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, index=True, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    apprise_url: str | None = Field(default=None, max_length=500)
    language: str = Field(default="fr", max_length=5)
    availability: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    quiet_hours: str | None = Field(default=None, max_length=11, description="HH:MM-HH:MM, local time")
    unavailable: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="ISO dates or ranges 'YYYY-MM-DD..YYYY-MM-DD' the person cannot attend",
    )
    digest_time: str | None = Field(
        default=None, max_length=5, description="HH:MM, local time: the daily digest leaves at or after it"
    )
    channel: str = Field(
        default="both",
        max_length=10,
        sa_column_kwargs={"server_default": "both"},
        description="email, apprise (their own Apprise URL only) or both",
    )
    paused: bool = False
    paused_until: date | None = Field(default=None, description="last day of a pause; None: until resumed")
    opted_out: bool = False
    created_at: datetime = Field(default_factory=now)


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("project_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=60)
    joined_at: datetime = Field(default_factory=now)
    left_at: datetime | None = None


class PlanStep(SQLModel, table=True):
    """One dated step of a project's plan (recurring checkpoints give one row per occurrence)."""

    __tablename__ = "plan_step"
    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    key: str = Field(max_length=80, description="step id, or id-N for a recurring occurrence")
    template_step: str = Field(max_length=60)
    occurrence: int | None = None
    position: int
    phase: str = Field(max_length=10)
    kind: str = Field(max_length=30)
    owner_role: str = Field(max_length=60)
    due: date = Field(index=True)
    baseline_due: date
    pinned: bool = Field(default=False, description="moved by hand; kept unless a dependency pushes it")
    depends_on: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: StepStatus = Field(default=StepStatus.PLANNED, max_length=12)
    done_at: datetime | None = None
    note: str | None = None


class PlanChange(SQLModel, table=True):
    """History of the plan: every date change, with who and why."""

    __tablename__ = "plan_change"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    step_key: str = Field(max_length=80)
    old_due: date
    new_due: date
    changed_by: str = Field(max_length=200)
    reason: str
    moved_step: str = Field(max_length=80, description="the step that was moved; differs for dependents")
    at: datetime = Field(default_factory=now)


class AuditEvent(SQLModel, table=True):
    """What happened, when and by whom. Never holds message bodies or contact details."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60, index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    person_id: int | None = Field(default=None, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
