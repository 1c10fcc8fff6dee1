"""The plan's charter steps (``kind: charter``) follow the signatures.

They are done when every required signer has signed the current version, and go back to
``planned`` when a new version appears. Skipped steps are left alone: the coordinator chose.
"""

from sqlmodel import Session

from project_templates.schema import StepKind
from store.models import PlanStep, Project, StepStatus
from store.plans import plan_steps, set_status


def charter_steps(session: Session, project: Project) -> list[PlanStep]:
    return [step for step in plan_steps(session, project) if step.kind == StepKind.CHARTER]


def reopen_charter_steps(session: Session, project: Project, *, actor: str, reason: str) -> list[str]:
    """Send done charter steps back to ``planned``; returns their keys."""
    reopened = []
    for step in charter_steps(session, project):
        if step.status == StepStatus.DONE:
            set_status(session, project, step.key, StepStatus.PLANNED, actor=actor, note=reason)
            reopened.append(step.key)
    return reopened


def complete_charter_steps(session: Session, project: Project, *, actor: str, note: str) -> list[str]:
    """Mark planned or in-progress charter steps done; returns their keys."""
    completed = []
    for step in charter_steps(session, project):
        if step.status in (StepStatus.PLANNED, StepStatus.IN_PROGRESS):
            set_status(session, project, step.key, StepStatus.DONE, actor=actor, note=note)
            completed.append(step.key)
    return completed
