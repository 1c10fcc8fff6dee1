"""A project's plan in the store: its steps, moves (with history) and step statuses."""

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, and_, case, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from locales import gettext
from locales.labels import LabelTable, label
from locales.stored import written
from planning.planner import Attendee, PlanError, PlannedStep, avoid_unavailability, replan
from project_templates.phases import ProjectPhase
from project_templates.phrases import from_table
from project_templates.schema import GATHERING_KINDS, StepKind
from store import audit, limits
from store.clock import now, today
from store.exceptions import InvalidInput, Phrase, StepNotFound, TransitionNotAllowed
from store.limits import check_length
from store.members import members, unavailable_days
from store.models import OPEN_STATUSES, STEP_TRANSITIONS, PlanChange, PlanStep, Project, StepStatus
from store.projects import template_of


def status_label(status: StepStatus | str, lang: str = "fr") -> str:
    """How a step's status is named (``label.step_status.<value>``): ``à venir``, ``faite`` (une étape)."""
    return label("step_status", StepStatus(status), lang)


#: The same labels as a table, ``STATUS_LABELS[lang][status]``, for callers not yet on :func:`status_label`.
STATUS_LABELS = LabelTable("step_status", StepStatus)


def plan_steps(session: Session, project: Project) -> list[PlanStep]:
    """The project's steps in date order."""
    return list(
        session.exec(
            select(PlanStep).where(PlanStep.project_id == project.id).order_by(col(PlanStep.due), col(PlanStep.position))
        )
    )


def progress(session: Session, project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(finished steps, all steps) per project, in one query."""
    finished = func.sum(case((col(PlanStep.status).in_([StepStatus.DONE, StepStatus.SKIPPED]), 1), else_=0))
    rows = session.exec(
        select(PlanStep.project_id, finished, func.count())
        .where(col(PlanStep.project_id).in_(project_ids))
        .group_by(col(PlanStep.project_id))
    ).all()
    return {project_id: (int(done or 0), int(total)) for project_id, done, total in rows}


def get_step(session: Session, project: Project, key: str) -> PlanStep:
    step = session.exec(select(PlanStep).where(PlanStep.project_id == project.id, PlanStep.key == key)).first()
    if step is None:
        keys = ", ".join(s.key for s in plan_steps(session, project))
        raise StepNotFound("error.store.step_not_found", step=key, project=project.slug, steps=keys)
    return step


def _as_planned(step: PlanStep) -> PlannedStep:
    return PlannedStep(
        key=step.key,
        step_id=step.template_step,
        occurrence=step.occurrence,
        phase=ProjectPhase(step.phase),
        kind=StepKind(step.kind),
        owner=step.owner_role,
        due=step.due,
        depends_on=tuple(step.depends_on),
        position=step.position,
    )


def attendees(session: Session, project: Project) -> list[Attendee]:
    by_person: dict[int, Attendee] = {}
    for person, membership in members(session, project):
        assert person.id is not None
        known = by_person.get(person.id)
        roles = (known.roles if known else frozenset()) | {membership.role}
        by_person[person.id] = Attendee(frozenset(roles), unavailable_days(person))
    return list(by_person.values())


def move_step(
    session: Session, project: Project, key: str, to: date, *, reason: str, actor: str
) -> list[PlanChange]:
    """Move one step; its dependents shift with it; every change is kept in the history."""
    if not reason.strip():
        raise InvalidInput("error.store.move_reason_required")
    check_length(reason, field=Phrase("error.field.reason"), limit=limits.TEXT)
    steps = plan_steps(session, project)
    step = get_step(session, project, key)
    if step.status in (StepStatus.DONE, StepStatus.SKIPPED):
        raise TransitionNotAllowed("error.store.step_finished_no_move", step=key, status=from_table(STATUS_LABELS, step.status))
    if to == step.due:
        return []
    template = template_of(session, project)
    pins = {s.key: s.due for s in steps if s.pinned}
    try:
        new_dates = replan(
            template, project.start, project.end, [_as_planned(s) for s in steps], key, to,
            pins=pins, people=attendees(session, project), zone=project.holiday_zone,
        )
    except PlanError as exc:
        raise InvalidInput(exc.key, **exc.values) from None
    by_key = {s.key: s for s in steps}
    frozen = [k for k in new_dates if by_key[k].status in (StepStatus.DONE, StepStatus.SKIPPED)]
    if frozen:
        raise TransitionNotAllowed("error.store.move_shifts_finished", n=len(frozen), steps=frozen)
    changes: list[PlanChange] = []
    for changed_key, new_due in sorted(new_dates.items(), key=lambda item: by_key[item[0]].position):
        row = by_key[changed_key]
        change = PlanChange(project_id=project.id or 0, step_key=changed_key, old_due=row.due, new_due=new_due,
                            changed_by=actor, reason=reason.strip(), moved_step=key)
        # Conditional on the date read: if another move changed it meanwhile, the history would
        # record a stale "from" date, so this move stops and asks to start again.
        pinned = row.pinned or changed_key == key
        moved = session.execute(
            update(PlanStep)
            .where(col(PlanStep.id) == row.id, col(PlanStep.due) == row.due)
            .values(due=new_due, pinned=pinned)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise TransitionNotAllowed("error.store.moved_meanwhile", step=changed_key)
        set_committed_value(row, "due", new_due)
        set_committed_value(row, "pinned", pinned)
        session.add(change)
        changes.append(change)
    audit.record(session, actor=actor, action="plan.moved", project_id=project.id, step=key, to=to.isoformat(),
                 shifted=[c.step_key for c in changes if c.step_key != key])
    session.flush()
    return changes


def refresh_gatherings(session: Session, project: Project, *, actor: str = "cocon") -> list[PlanChange]:
    """Move upcoming meetings and checkpoints off days most of their participants cannot attend.

    Only steps nobody moved by hand are touched; their dependents shift with them as usual.
    """
    template = template_of(session, project)
    people = attendees(session, project)
    rows = {s.key: s for s in plan_steps(session, project)}  # updated in place as steps move
    gathering_kinds = {k.value for k in GATHERING_KINDS}
    changes: list[PlanChange] = []
    for step in list(rows.values()):
        if step.kind not in gathering_kinds or step.pinned or step.status != StepStatus.PLANNED or step.due < today():
            continue
        latest_dep = max((rows[d].due for d in step.depends_on), default=None)
        better = avoid_unavailability(step.due, template.step(step.template_step), people, latest_dep, project.holiday_zone)
        if better == step.due:
            continue
        current = [_as_planned(s) for s in rows.values()]
        pins = {s.key: s.due for s in rows.values() if s.pinned}
        try:
            new_dates = replan(
                template, project.start, project.end, current, step.key, better,
                pins=pins, people=people, zone=project.holiday_zone,
            )
        except PlanError:
            continue
        if any(rows[k].status != StepStatus.PLANNED for k in new_dates):
            continue
        for key, due in new_dates.items():
            change = PlanChange(project_id=project.id or 0, step_key=key, old_due=rows[key].due, new_due=due, changed_by=actor,
                                reason=written("stored.plan.most_away"), moved_step=step.key)
            rows[key].due = due
            session.add(rows[key])
            session.add(change)
            changes.append(change)
    session.flush()
    if changes:
        audit.record(session, actor=actor, action="plan.availability", project_id=project.id,
                     moved=sorted({c.step_key for c in changes}))
    return changes


def set_status(
    session: Session,
    project: Project,
    key: str,
    status: StepStatus,
    *,
    actor: str,
    note: str | None = None,
    by_hand: bool = False,
) -> PlanStep:
    """Change a step's status along the declared transitions.

    ``by_hand`` marks a person's direct action (CLI, web): a charter step cannot be completed that
    way, only by the signatures of every signer (``charters``), so the phase gate means something.
    """
    step = get_step(session, project, key)
    if status == step.status:
        return step
    if by_hand and status == StepStatus.DONE and step.kind == StepKind.CHARTER.value:
        raise TransitionNotAllowed("error.store.charter_step_by_signatures", step=key, project=project.slug)
    if status not in STEP_TRANSITIONS[step.status]:
        raise TransitionNotAllowed("error.store.step_transition", step=key, status=from_table(STATUS_LABELS, step.status),
                                   target=from_table(STATUS_LABELS, status))
    old = step.status
    step.status = status
    step.done_at = now() if status == StepStatus.DONE else None
    if note:
        step.note = note
    session.add(step)
    audit.record(session, actor=actor, action="step.status", project_id=project.id, step=key,
                 old=old.value, new=status.value)
    session.flush()
    return step


def mark_done(
    session: Session, project: Project, key: str, *, actor: str, note: str | None = None, by_hand: bool = False
) -> PlanStep:
    return set_status(session, project, key, StepStatus.DONE, actor=actor, note=note, by_hand=by_hand)


def complete_steps(
    session: Session, project: Project, kinds: Iterable[StepKind], *, actor: str, note: str
) -> list[str]:
    """Mark the planned or in-progress steps of these kinds done (the work they stand for has
    happened); skipped steps are left alone, the coordinator chose. Returns their keys."""
    wanted = {kind.value for kind in kinds}
    completed = []
    for step in plan_steps(session, project):
        if step.kind in wanted and step.status in (StepStatus.PLANNED, StepStatus.IN_PROGRESS):
            mark_done(session, project, step.key, actor=actor, note=note)
            completed.append(step.key)
    return completed


def plan_changes(session: Session, project: Project) -> list[PlanChange]:
    return list(session.exec(select(PlanChange).where(PlanChange.project_id == project.id).order_by(col(PlanChange.id))))


class Scheduled(Protocol):
    """A step as far as being overdue goes: a plan step, or a row of a page built from one."""

    @property
    def status(self) -> StepStatus: ...

    @property
    def due(self) -> date: ...


def is_overdue(step: Scheduled, on: date) -> bool:
    """The one definition of *overdue*: still open (planned or in progress) and due before ``on``."""
    return step.status in OPEN_STATUSES and step.due < on


def overdue_condition(on: date) -> ColumnElement[bool]:
    """:func:`is_overdue` as a SQL condition on ``plan_step``, for counts over many projects."""
    return and_(col(PlanStep.status).in_(OPEN_STATUSES), col(PlanStep.due) < on)


def step_title(template_step_title: str, step: PlanStep, lang: str = "fr") -> str:
    """A step's title for people; a recurring occurrence gets its number."""
    if step.occurrence is None:
        return template_step_title
    return gettext("label.step_occurrence", lang, title=template_step_title, occurrence=step.occurrence)


def titles(session: Session, project: Project, lang: str = "fr") -> dict[str, str]:
    """Every step's title, by key."""
    template = template_of(session, project)
    result: dict[str, str] = {}
    for step in plan_steps(session, project):
        base = template.step(step.template_step).title.get(lang)
        result[step.key] = step_title(base, step, lang)
    return result
