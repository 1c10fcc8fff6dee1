"""The restitution: the closing session with everyone involved (who came, what was presented,
what was said). Recording it marks the restitution step done."""

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, select

from evaluation.checkpoints import record_attendance, refuse_future
from project_templates.schema import StepKind
from store import audit, limits, plans
from store.exceptions import InvalidInput, Phrase, TransitionNotAllowed
from store.limits import check_length
from store.models import Project, Restitution, StepStatus


def restitution_step_key(session: Session, project: Project) -> str:
    for step in plans.plan_steps(session, project):
        if step.kind == StepKind.RESTITUTION:
            return step.key
    raise InvalidInput("error.evaluation.no_restitution_step", project=project.slug)


def record_restitution(
    session: Session,
    project: Project,
    *,
    held_on: date,
    attendees: Sequence[int],
    presented: str,
    discussion: str,
    actor: str,
    step_key: str | None = None,
) -> Restitution:
    """Record the restitution session and its attendance; mark its step done."""
    key = step_key or restitution_step_key(session, project)
    step = plans.get_step(session, project, key)
    if step.kind != StepKind.RESTITUTION:
        raise InvalidInput("error.evaluation.not_a_restitution", step=key)
    if get_restitution(session, project) is not None:
        raise TransitionNotAllowed("error.evaluation.restitution_recorded", project=project.slug)
    refuse_future(held_on, StepKind.RESTITUTION)
    if not presented.strip():
        raise InvalidInput("error.evaluation.presented_required")
    check_length(presented, field=Phrase("error.field.presented"), limit=limits.TEXT)
    if not attendees:
        raise InvalidInput("error.evaluation.attendee_required")
    assert project.id is not None
    record_attendance(session, project, step, held_on, attendees)
    row = Restitution(
        project_id=project.id,
        step_key=key,
        held_on=held_on,
        presented=presented.strip(),
        discussion=discussion.strip(),
        recorded_by=actor,
    )
    session.add(row)
    if step.status != StepStatus.DONE:
        plans.mark_done(session, project, key, actor=actor, note="restitution enregistrée")
    audit.record(session, actor=actor, action="restitution.recorded", project_id=project.id, attendees=len(attendees))
    session.flush()
    return row


def get_restitution(session: Session, project: Project) -> Restitution | None:
    return session.exec(select(Restitution).where(Restitution.project_id == project.id)).first()
