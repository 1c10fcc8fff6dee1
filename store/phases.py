"""Phase gates: what must be true to leave ``avant``, ``pendant`` and ``apres``."""

from sqlmodel import Session

from project_templates.schema import StepKind
from store import audit
from store.clock import now
from store.exceptions import PhaseGateClosed, TransitionNotAllowed
from store.models import PlanStep, Project, ProjectPhase, StepStatus
from store.people import role_coverage
from store.plans import plan_steps

NEXT_PHASE = {
    ProjectPhase.AVANT: ProjectPhase.PENDANT,
    ProjectPhase.PENDANT: ProjectPhase.APRES,
    ProjectPhase.APRES: ProjectPhase.CLOS,
}

_FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)


def _open_steps(steps: list[PlanStep], phase: ProjectPhase, *, recurring: bool) -> list[PlanStep]:
    return [
        s for s in steps
        if s.phase == phase.value and s.status not in _FINISHED and (s.occurrence is not None) == recurring
    ]


def gate_problems(session: Session, project: Project) -> list[str]:
    """What is missing before the project can leave its current phase (empty when it can)."""
    if project.phase == ProjectPhase.CLOS:
        return ["le projet est clos"]
    steps = plan_steps(session, project)
    missing: list[str] = []
    if project.phase == ProjectPhase.AVANT:
        for coverage in role_coverage(session, project):
            if coverage.missing:
                missing.append(f"rôle « {coverage.label} » : {coverage.count}/{coverage.minimum} personne(s)")
        for kind, label in ((StepKind.CHARTER, "charte signée"), (StepKind.INDICATORS, "indicateurs choisis")):
            for step in steps:
                if step.kind == kind.value and step.status != StepStatus.DONE:
                    missing.append(f"étape « {step.key} » ({label}) pas encore faite")
    else:
        for step in _open_steps(steps, project.phase, recurring=False):
            missing.append(f"étape « {step.key} » pas encore faite ni abandonnée")
    return missing


def advance_phase(session: Session, project: Project, *, actor: str) -> ProjectPhase:
    """Move the project to its next phase, or raise :class:`PhaseGateClosed` listing what is missing."""
    if project.phase == ProjectPhase.CLOS:
        raise TransitionNotAllowed(f"Le projet « {project.slug} » est clos : il n'a plus de phase suivante.")
    missing = gate_problems(session, project)
    target = NEXT_PHASE[project.phase]
    if missing:
        raise PhaseGateClosed(
            f"Le projet ne peut pas passer en phase « {target.value} » : " + " ; ".join(missing) + ".", missing
        )
    skipped = []
    for step in _open_steps(plan_steps(session, project), project.phase, recurring=True):
        step.status = StepStatus.SKIPPED
        session.add(step)
        skipped.append(step.key)
    old = project.phase
    project.phase = target
    project.phase_changed_at = now()
    session.add(project)
    audit.record(session, actor=actor, action="phase.advanced", project_id=project.id, old=old.value,
                 new=target.value, skipped_checkpoints=skipped)
    session.flush()
    return target
