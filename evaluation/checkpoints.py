"""Checkpoints (points d'étape) and meetings: who came, what was decided, what moves.

Recording a checkpoint writes its minutes (decisions, actions, the status of each open step),
the attendance of everyone expected (partners included), applies the re-planning decided
through the planner (so dependents move and the plan history keeps the reason) and marks the
checkpoint step done. The minutes are rendered from ``templates/minutes.txt.j2``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from sqlmodel import Session, col, select

from evaluation.exceptions import EvaluationError, ReasonRequired
from evaluation.messages import AttendeeLine, MinutesContext, StepLine
from evaluation.participants import Member, expected, group_members, is_partner
from evaluation.rendering import render
from locales import gettext, has
from project_templates.schema import StepKind
from store import audit, plans
from store.clock import now, today
from store.exceptions import InvalidInput, PersonNotFound, TransitionNotAllowed
from store.models import Attendance, Gathering, Membership, Occasion, Person, PlanStep, Project, StepStatus
from store.projects import template_of
from store.wording import long_date

#: Step kinds whose minutes are recorded here (the restitution has its own record).
RECORDED_KINDS = frozenset({StepKind.CHECKPOINT, StepKind.MEETING, StepKind.CONVIVIALITY})

OPEN_STATUSES = frozenset({StepStatus.PLANNED, StepStatus.IN_PROGRESS})


@dataclass(frozen=True)
class ActionItem:
    """Something to do after the checkpoint: what, by whom (free text), by when."""

    what: str
    who: str | None = None
    due: date | None = None


@dataclass(frozen=True)
class Replanning:
    """A date change decided at the checkpoint; the reason goes into the plan history."""

    step: str
    to: date
    reason: str


@dataclass(frozen=True)
class CheckpointRecord:
    held_on: date
    attendees: Sequence[int]
    decisions: Sequence[str] = ()
    actions: Sequence[ActionItem] = ()
    step_statuses: Mapping[str, StepStatus] = field(default_factory=dict)
    replanning: Sequence[Replanning] = ()
    notes: str | None = None


def all_members(session: Session, project: Project) -> list[Member]:
    """Every member of the project, including those who have left (they took part)."""
    rows = session.exec(
        select(Person, Membership)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.project_id == project.id)
        .order_by(col(Membership.id))
    ).all()
    return group_members([(p, m) for p, m in rows])


def record_attendance(
    session: Session, project: Project, step: PlanStep, held_on: date, attendees: Sequence[int]
) -> list[Attendance]:
    """One row per expected member (present or not) and per unexpected member who came."""
    template = template_of(session, project)
    members = all_members(session, project)
    known = {m.id for m in members}
    unknown = sorted(set(attendees) - known)
    if unknown:
        raise PersonNotFound("error.evaluation.attendee_not_member", id=unknown[0], project=project.slug)
    participants = template.step(step.template_step).participants
    invited = {m.id for m in expected(members, participants)}
    present = set(attendees)
    rows = []
    assert project.id is not None
    for member in members:
        if member.id in invited or member.id in present:
            row = Attendance(
                project_id=project.id,
                step_key=step.key,
                person_id=member.id,
                held_on=held_on,
                invited=member.id in invited,
                present=member.id in present,
            )
            session.add(row)
            rows.append(row)
    return rows


#: The sentence refusing to record each kind of gathering before it is held.
FUTURE_GATHERING: dict[str, str] = {
    StepKind.CHECKPOINT: "error.evaluation.future_checkpoint",
    StepKind.MEETING: "error.evaluation.future_meeting",
    StepKind.CONVIVIALITY: "error.evaluation.future_conviviality",
    StepKind.RESTITUTION: "error.evaluation.future_restitution",
}


def refuse_future(held_on: date, kind: str) -> None:
    """A gathering is recorded once held: a date after today (``COCON_NOW`` honoured) is refused,
    so that no step is marked done and no attendance counted before it happened."""
    if held_on <= today():
        return
    raise InvalidInput(FUTURE_GATHERING.get(kind, "error.evaluation.future_gathering"), day=partial(long_date, held_on))


def record_checkpoint(
    session: Session, project: Project, step_key: str, record: CheckpointRecord, *, actor: str
) -> Gathering:
    """Record a checkpoint or meeting that was held, apply its decisions and mark it done."""
    step = plans.get_step(session, project, step_key)
    if step.kind not in RECORDED_KINDS:
        raise InvalidInput("error.evaluation.not_a_checkpoint", step=step_key, kind=step.kind)
    if find_gathering(session, project, step_key) is not None:
        raise TransitionNotAllowed("error.evaluation.minutes_recorded", step=step_key, project=project.slug)
    refuse_future(record.held_on, step.kind)
    if not record.attendees:
        raise InvalidInput("error.evaluation.attendee_required")
    for change in record.replanning:
        if not change.reason.strip():
            raise ReasonRequired("error.evaluation.replanning_reason", step=change.step)
    steps = {s.key: s for s in plans.plan_steps(session, project)}
    for key in [*record.step_statuses, *(c.step for c in record.replanning)]:
        if key not in steps:
            raise InvalidInput("error.evaluation.plan_has_no_step", project=project.slug, step=key)

    assert project.id is not None
    record_attendance(session, project, step, record.held_on, record.attendees)
    for key, status in record.step_statuses.items():
        if steps[key].status != status:
            plans.set_status(session, project, key, status, actor=actor, note=f"décidé au point d'étape {step_key}")
    moved: list[dict[str, str]] = []
    for change in record.replanning:
        plans.move_step(session, project, change.step, change.to, reason=change.reason, actor=actor)
        moved.append({"step": change.step, "to": change.to.isoformat(), "reason": change.reason})
    statuses = {
        s.key: str(record.step_statuses.get(s.key, s.status))
        for s in steps.values()
        if s.key != step_key and (s.status in OPEN_STATUSES or s.key in record.step_statuses)
    }
    gathering = Gathering(
        project_id=project.id,
        step_key=step_key,
        kind=str(step.kind),
        held_on=record.held_on,
        decisions=[d.strip() for d in record.decisions if d.strip()],
        actions=[{"what": a.what, "who": a.who, "due": a.due.isoformat() if a.due else None} for a in record.actions],
        step_statuses=statuses,
        replanning=moved,
        notes=record.notes,
        recorded_by=actor,
    )
    session.add(gathering)
    if step.status != StepStatus.DONE:
        plans.mark_done(session, project, step_key, actor=actor, note="compte rendu enregistré")
    audit.record(
        session,
        actor=actor,
        action="checkpoint.recorded",
        project_id=project.id,
        step=step_key,
        attendees=len(record.attendees),
        decisions=len(gathering.decisions),
        moved=len(moved),
    )
    session.flush()
    return gathering


def find_gathering(session: Session, project: Project, step_key: str) -> Gathering | None:
    return session.exec(
        select(Gathering).where(Gathering.project_id == project.id, Gathering.step_key == step_key)
    ).first()


def get_gathering(session: Session, project: Project, step_key: str) -> Gathering:
    gathering = find_gathering(session, project, step_key)
    if gathering is None:
        raise EvaluationError("error.evaluation.no_minutes", step=step_key, project=project.slug)
    return gathering


def attendance_of(session: Session, project: Project, step_key: str | None = None) -> list[Attendance]:
    query = select(Attendance).where(Attendance.project_id == project.id)
    if step_key is not None:
        query = query.where(Attendance.step_key == step_key)
    return list(session.exec(query.order_by(col(Attendance.held_on), col(Attendance.id))))


# --- minutes ------------------------------------------------------------------------------


def minutes_context(session: Session, project: Project, gathering: Gathering, lang: str = "fr") -> MinutesContext:
    """The typed context of a checkpoint's minutes."""
    template = template_of(session, project)
    members = {m.id: m for m in all_members(session, project)}
    rows = attendance_of(session, project, gathering.step_key)
    steps = {s.key: s for s in plans.plan_steps(session, project)}
    step = steps[gathering.step_key]

    step_titles = plans.titles(session, project, lang)

    def title(key: str) -> str:
        return step_titles.get(key, key)

    def action_line(action: dict[str, str | None]) -> str:
        line = str(action["what"])
        if action.get("who"):
            line += f" — {action['who']}"
        if action.get("due"):
            due = date.fromisoformat(str(action["due"]))
            line += " (" + gettext("minutes.action_due", lang, day=long_date(due, lang)) + ")"
        return line

    def status(value: str) -> str:
        key = f"minutes.status.{value}"
        return gettext(key, lang) if has(key) else value

    return MinutesContext(
        lang=lang,
        project_name=project.name,
        step_title=title(step.key),
        held_on=long_date(gathering.held_on, lang),
        present=[
            AttendeeLine(name=members[r.person_id].name, partner=is_partner(template, members[r.person_id]))
            for r in rows
            if r.present
        ],
        excused=[members[r.person_id].name for r in rows if r.invited and not r.present],
        decisions=list(gathering.decisions),
        actions=[action_line(a) for a in gathering.actions],
        steps=[
            StepLine(
                key=key,
                title=title(key),
                status=status(status_value),
                due=long_date(steps[key].due, lang) if key in steps else "",
            )
            for key, status_value in gathering.step_statuses.items()
        ],
        replanning=[
            gettext(
                "minutes.replanning_line", lang,
                step=title(c["step"]), day=long_date(date.fromisoformat(c["to"]), lang), reason=c["reason"],
            )
            for c in gathering.replanning
        ],
        notes=gathering.notes,
    )


def minutes_text(session: Session, project: Project, gathering: Gathering, lang: str = "fr") -> str:
    """The minutes as plain text (Markdown-like), for the terminal and the email."""
    return render("minutes.txt.j2", minutes_context(session, project, gathering, lang))


def minutes_recipients(session: Session, project: Project, gathering: Gathering) -> list[Person]:
    """Everyone expected or present at the gathering who is still a member."""
    members = {m.id: m for m in all_members(session, project)}
    rows = attendance_of(session, project, gathering.step_key)
    return [members[r.person_id].person for r in rows if members[r.person_id].active]


MINUTES_OCCASION = Occasion.CHECKPOINT_MINUTES


def send_minutes(session: Session, project: Project, gathering: Gathering, *, actor: str) -> int:
    """Queue the minutes for everyone expected or present (each in their language)."""
    from evaluation.messages import MINUTES, MinutesMessage
    from notifications.messages import render_message
    from notifications.queue import enqueue

    assert project.id is not None
    queued = 0
    by_lang: dict[str, MinutesContext] = {}
    for person in minutes_recipients(session, project, gathering):
        lang = "en" if person.language == "en" else "fr"
        if lang not in by_lang:
            by_lang[lang] = minutes_context(session, project, gathering, lang)
        context = MinutesMessage(person_name=person.name, held_on=gathering.held_on, record=by_lang[lang])
        message = render_message(MINUTES, context, lang)
        row = enqueue(
            session,
            project_id=project.id,
            person_id=person.id,
            occasion=MINUTES_OCCASION,
            about=f"gathering:{gathering.step_key}",
            due_on=gathering.held_on,
            subject=message.subject,
            text=message.text,
            html=message.html,
        )
        queued += row is not None
    gathering.minutes_sent_at = now()
    session.add(gathering)
    audit.record(
        session,
        actor=actor,
        action="checkpoint.minutes_sent",
        project_id=project.id,
        step=gathering.step_key,
        queued=queued,
    )
    return queued
