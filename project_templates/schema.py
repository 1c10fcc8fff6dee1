"""What a project template *is*: the pydantic schema of the YAML files.

A template describes the co-construction method for one kind of project: the roles it needs,
its three phases (``avant``, ``pendant``, ``apres``) and their steps, how each step is dated,
which reminders people receive, which indicators the project will be judged on, and which
charter the partners sign. Cross-references (roles, steps, indicators) are checked by
:func:`project_templates.loader.semantic_problems`, so that every problem is reported at once.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from project_templates.phases import PHASE_ORDER, ProjectPhase
from project_templates.phrases import WrongValue

SLUG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=2, max_length=60)]


class Lang(StrEnum):
    FR = "fr"
    EN = "en"


def _template_phase(phase: ProjectPhase) -> ProjectPhase:
    if phase not in PHASE_ORDER:
        raise WrongValue("error.templates.not_a_phase", phase=str(phase))
    return phase


#: A phase a template describes (``clos`` is a project's state, not a part of the method).
TemplatePhase = Annotated[
    ProjectPhase,
    AfterValidator(_template_phase),
    WithJsonSchema({"type": "string", "enum": [phase.value for phase in PHASE_ORDER]}),
]


class StepKind(StrEnum):
    ACTOR_MAPPING = "actor-mapping"
    MEETING = "meeting"
    CHARTER = "charter"
    INDICATORS = "indicators"
    TASK = "task"
    CHECKPOINT = "checkpoint"
    CONVIVIALITY = "conviviality"
    EVALUATION = "evaluation"
    RESTITUTION = "restitution"
    THANKS = "thanks"
    FEEDBACK = "feedback"


#: The participants keyword meaning "every member of the project" (``participants: [tous]``).
EVERYONE = "tous"

#: Kinds of step where people gather: their date avoids days most participants cannot come.
GATHERING_KINDS = frozenset(
    {StepKind.MEETING, StepKind.CHECKPOINT, StepKind.CONVIVIALITY, StepKind.RESTITUTION}
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text users read: French first, English optional (French is shown when absent)."""

    fr: str = Field(min_length=1)
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_french(cls, value: Any) -> Any:
        return {"fr": value} if isinstance(value, str) else value

    def get(self, lang: str = "fr") -> str:
        return self.en if lang == Lang.EN and self.en else self.fr


# --- durations and date rules -------------------------------------------------------------

DurationUnit = Literal["d", "wd", "w", "m"]
_DURATION = re.compile(r"^\s*(\d{1,4})\s*(wd|d|w|m)\s*$")


@dataclass(frozen=True)
class Duration:
    """``10d`` calendar days, ``3wd`` working days, ``2w`` weeks, ``3m`` calendar months."""

    amount: int
    unit: DurationUnit

    @classmethod
    def parse(cls, text: str) -> "Duration":
        match = _DURATION.match(text)
        if not match:
            raise WrongValue("error.templates.duration_format", value=text)
        return cls(int(match.group(1)), match.group(2))  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Duration(value, "d")
    if isinstance(value, str):
        return Duration.parse(value)
    raise WrongValue("error.templates.duration_written")


_RULE_ANCHOR = re.compile(
    r"^\s*(?P<anchor>start|end|after\s+(?P<step>[a-z][a-z0-9-]*))"
    r"\s*(?:(?P<sign>[+-])\s*(?P<offset>\S+))?\s*$"
)
_RULE_EVERY = re.compile(r"^\s*every\s+(?P<every>\S+)\s*$")


@dataclass(frozen=True)
class DateRule:
    """When a step is due.

    ``start``/``end`` plus or minus a duration (``end - 90d``), ``after STEP + 10d`` (which also
    makes STEP a dependency), or ``every 4w`` for checkpoints recurring through ``pendant``.
    """

    anchor: Literal["start", "end", "after", "every"]
    step: str | None = None
    sign: int = 1
    offset: Duration | None = None

    @classmethod
    def parse(cls, text: str) -> "DateRule":
        every = _RULE_EVERY.match(text)
        if every:
            period = Duration.parse(every.group("every"))
            if period.amount < 1:
                raise WrongValue("error.templates.rule_period", rule=text)
            return cls("every", offset=period)
        match = _RULE_ANCHOR.match(text)
        if not match:
            raise WrongValue("error.templates.rule_format", rule=text)
        anchor = "after" if match.group("step") else match.group("anchor")
        offset = Duration.parse(match.group("offset")) if match.group("offset") else None
        if match.group("sign") and offset is None:
            raise WrongValue("error.templates.rule_no_duration", rule=text)
        sign = -1 if match.group("sign") == "-" else 1
        if anchor == "after" and sign < 0:
            raise WrongValue("error.templates.rule_after_forward", rule=text)
        return cls(anchor,  # type: ignore[arg-type]
                   step=match.group("step"), sign=sign, offset=offset)

    @property
    def recurring(self) -> bool:
        return self.anchor == "every"

    def __str__(self) -> str:
        if self.anchor == "every":
            return f"every {self.offset}"
        head = f"after {self.step}" if self.anchor == "after" else self.anchor
        if self.offset is None:
            return head
        return f"{head} {'-' if self.sign < 0 else '+'} {self.offset}"


# --- reminders ------------------------------------------------------------------------------


class ReminderPolicy(Strict):
    """Few, kind, well-timed reminders. Durations count back from, or on from, the due date."""

    before: list[str] = Field(default_factory=lambda: ["7d", "1d"])
    overdue_every: str | None = "3wd"
    overdue_max: int = Field(default=3, ge=0, le=10)
    escalate_to: str | None = None
    invitation: str | None = None
    notes_follow_up: str | None = None

    @field_validator("before")
    @classmethod
    def _check_before(cls, values: list[str]) -> list[str]:
        for value in values:
            _duration(value)
        return values

    @field_validator("overdue_every", "invitation", "notes_follow_up")
    @classmethod
    def _check_duration(cls, value: str | None) -> str | None:
        if value is not None:
            _duration(value)
        return value

    @field_validator("overdue_every")
    @classmethod
    def _check_period(cls, value: str | None) -> str | None:
        if value is not None and _duration(value).amount < 1:
            raise WrongValue("error.templates.reminder_period", value=value)
        return value

    def before_durations(self) -> list[Duration]:
        return [_duration(v) for v in self.before]

    def duration(self, field: Literal["overdue_every", "invitation", "notes_follow_up"]) -> Duration | None:
        value = getattr(self, field)
        return None if value is None else _duration(value)


class Reminders(Strict):
    default: ReminderPolicy = Field(default_factory=ReminderPolicy)
    by_kind: dict[StepKind, ReminderPolicy] = Field(default_factory=dict)


# --- roles, steps, phases -------------------------------------------------------------------


class Role(Strict):
    label: Text
    description: Text | None = None
    limits: Text | None = Field(default=None, description="What this role does not do.")
    min: int = Field(default=0, ge=0, le=50)
    volunteer: bool = False
    signer: bool = False
    coordinator: bool = Field(
        default=False, description="Receives escalations and alerts for the project."
    )


# --- gatherings: when and where ------------------------------------------------------------

_CLOCK = re.compile(r"^\s*([01]?\d|2[0-3])[:hH]([0-5]\d)\s*$")
_SPAN = re.compile(r"^\s*(?:(?P<h>\d{1,2})\s*h\s*(?P<hm>[0-5]?\d)?|(?P<m>\d{1,3})\s*min)\s*$")
#: The longest a gathering may last (a whole day of work, or a long evening).
MAX_GATHERING_MINUTES = 12 * 60


def parse_clock(value: Any) -> str:
    """``18:00``, ``18h00`` or YAML's reading of an unquoted ``18:00`` (1080, minutes) → ``"18:00"``."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise WrongValue("error.templates.time_format", value=str(value))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_span(value: Any) -> int:
    """``2h``, ``1h30``, ``90min`` → minutes (at most :data:`MAX_GATHERING_MINUTES`)."""
    match = _SPAN.match(value) if isinstance(value, str) else None
    if not match:
        raise WrongValue("error.templates.span_format", value=str(value))
    minutes = int(match.group("m")) if match.group("m") else int(match.group("h")) * 60 + int(match.group("hm") or 0)
    if not 0 < minutes <= MAX_GATHERING_MINUTES:
        raise WrongValue("error.templates.span_range", value=str(value), hours=MAX_GATHERING_MINUTES // 60)
    return minutes


def check_video_url(value: str) -> str:
    """A video link people open: an https address."""
    text = value.strip()
    if not re.fullmatch(r"https://[^\s<>\"]{4,490}", text):
        raise WrongValue("error.templates.video_url", value=value)
    return text


class GatheringSpec(Strict):
    """When and where a gathering (meeting, checkpoint, get-together, restitution) takes place by
    default; each occurrence may change it (``cocon step where``)."""

    time: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "pattern": "^([01]?[0-9]|2[0-3])[:hH][0-5][0-9]$",
                        "description": "start time, local (Europe/Paris), e.g. 18:00"}),
    ] = None
    duration: str = Field(default="2h", description="e.g. 2h, 1h30 or 90min")
    place: str | None = Field(default=None, max_length=300, description="an address")
    video: str | None = Field(default=None, max_length=500, description="a video-conference link (https)")

    @field_validator("time", mode="before")
    @classmethod
    def _check_time(cls, value: Any) -> Any:
        return None if value is None else parse_clock(value)

    @field_validator("duration")
    @classmethod
    def _check_duration(cls, value: str) -> str:
        parse_span(value)
        return value

    @field_validator("video")
    @classmethod
    def _check_video(cls, value: str | None) -> str | None:
        return None if value is None else check_video_url(value)

    @property
    def minutes(self) -> int:
        return parse_span(self.duration)


class Step(Strict):
    id: Slug
    kind: StepKind
    title: Text
    description: Text | None = None
    agenda: Text | None = None
    owner: str
    participants: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)
    due: str
    required: bool = True
    reminders: ReminderPolicy | None = None
    gathering: GatheringSpec | None = Field(
        default=None, description="Default time and place of a gathering (meeting, checkpoint, conviviality, restitution)."
    )

    @field_validator("due")
    @classmethod
    def _check_rule(cls, value: str) -> str:
        DateRule.parse(value)
        return value

    @property
    def rule(self) -> DateRule:
        return DateRule.parse(self.due)

    @property
    def dependencies(self) -> list[str]:
        """Declared dependencies plus the step named by an ``after`` rule."""
        deps = list(self.after)
        rule = self.rule
        if rule.anchor == "after" and rule.step and rule.step not in deps:
            deps.append(rule.step)
        return deps


class Phase(Strict):
    title: Text | None = None
    steps: list[Step] = Field(default_factory=list)


class Phases(Strict):
    avant: Phase
    pendant: Phase
    apres: Phase

    def by_name(self) -> dict[ProjectPhase, Phase]:
        return {ProjectPhase.AVANT: self.avant, ProjectPhase.PENDANT: self.pendant, ProjectPhase.APRES: self.apres}


# --- indicators and charter -----------------------------------------------------------------

IndicatorUnit = Literal["count", "percent", "hours", "score", "yesno"]
IndicatorSource = Literal["auto", "manual", "questionnaire"]


class IndicatorDefinition(Strict):
    """One indicator of the catalogue, or a project-specific one."""

    code: Slug
    name: Text
    definition: Text
    unit: IndicatorUnit
    direction: Literal["higher", "lower"] = "higher"
    baseline: float | None = None
    target: float | None = None
    minimum: float | None = None
    source: IndicatorSource = "manual"
    collect_at: list[TemplatePhase] = Field(default_factory=lambda: [ProjectPhase.APRES])


class IndicatorChoice(Strict):
    """An indicator named by a template: a catalogue code, with values it may override."""

    code: Slug
    name: Text | None = None
    definition: Text | None = None
    unit: IndicatorUnit | None = None
    direction: Literal["higher", "lower"] | None = None
    baseline: float | None = None
    target: float | None = None
    minimum: float | None = None
    source: IndicatorSource | None = None
    collect_at: list[TemplatePhase] | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_code(cls, value: Any) -> Any:
        return {"code": value} if isinstance(value, str) else value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # a plain catalogue code is accepted too (``_plain_code``): editors must not flag it
        return {"anyOf": [{"type": "string", "pattern": SLUG_PATTERN}, handler(core_schema)]}

    def resolve(self, catalogue: dict[str, IndicatorDefinition]) -> IndicatorDefinition:
        """The full definition: the catalogue entry with this choice's values on top."""
        base = catalogue.get(self.code)
        own = self.model_dump(exclude_none=True)
        if base is None:
            return IndicatorDefinition.model_validate(own)
        return IndicatorDefinition.model_validate({**base.model_dump(), **own})


class CharterSection(Strict):
    title: Text
    body: Text


class CharterSpec(Strict):
    template: Slug = "charte-engagement"
    sections: dict[str, CharterSection] = Field(
        default_factory=dict, description="Sections added to, or replacing, the charter's own."
    )
    compensation: Text | None = None
    meeting_rhythm: Text | None = None


class ProjectTemplate(Strict):
    """A declarative project template (one YAML file)."""

    id: Slug
    version: int = Field(ge=1)
    title: Text
    description: Text
    tags: list[str] = Field(default_factory=list)
    typical_duration: str | None = Field(default=None, description="e.g. 6m; used when no start is given")
    roles: dict[Slug, Role]
    phases: Phases
    reminders: Reminders = Field(default_factory=Reminders)
    indicators: list[IndicatorChoice] = Field(default_factory=list)
    charter: CharterSpec = Field(default_factory=CharterSpec)

    @field_validator("typical_duration")
    @classmethod
    def _check_typical(cls, value: str | None) -> str | None:
        if value is not None:
            _duration(value)
        return value

    def steps(self) -> list[tuple[ProjectPhase, Step]]:
        """Every step with its phase, in declaration order."""
        return [(name, step) for name, phase in self.phases.by_name().items() for step in phase.steps]

    def step(self, step_id: str) -> Step:
        for _, step in self.steps():
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def coordinator_roles(self) -> list[str]:
        return [role_id for role_id, role in self.roles.items() if role.coordinator]

    def reminder_policy(self, step: Step) -> ReminderPolicy:
        """The policy for a step: its own, else its kind's, else the template default."""
        if step.reminders is not None:
            return step.reminders
        return self.reminders.by_kind.get(step.kind, self.reminders.default)
