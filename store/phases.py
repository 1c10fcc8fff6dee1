"""Phase gates: what must be true to leave ``avant``, ``pendant`` and ``apres``."""

from sqlmodel import Session

from project_templates.phases import NEXT_PHASE
from project_templates.schema import StepKind
from store import audit
from store.clock import now
from store.exceptions import PhaseGateClosed, TransitionNotAllowed
from store.models import PlanStep, Project, ProjectPhase, StepStatus
from store.people import role_coverage
from store.plans import plan_steps

#: How each phase is named for people (the CLI and the web read it from here).
PHASE_LABELS: dict[str, dict[ProjectPhase, str]] = {
    "fr": {ProjectPhase.AVANT: "Avant", ProjectPhase.PENDANT: "Pendant", ProjectPhase.APRES: "Après", ProjectPhase.CLOS: "Clos"},
    "en": {ProjectPhase.AVANT: "Before", ProjectPhase.PENDANT: "During", ProjectPhase.APRES: "After", ProjectPhase.CLOS: "Closed"},
}

_FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)


def _open_steps(steps: list[PlanStep], phase: ProjectPhase, *, recurring: bool) -> list[PlanStep]:
    return [
        s for s in steps
        if s.phase == phase.value and s.status not in _FINISHED and (s.occurrence is not None) == recurring
    ]


def gate_problems(session: Session, project: Project, lang: str = "fr") -> list[str]:
    """What is missing before the project can leave its current phase (empty when it can)."""
    en = lang == "en"
    if project.phase == ProjectPhase.CLOS:
        return ["the project is closed" if en else "le projet est clos"]
    steps = plan_steps(session, project)
    missing: list[str] = []
    if project.phase == ProjectPhase.AVANT:
        for coverage in role_coverage(session, project, lang):
            if coverage.missing:
                missing.append(
                    f"role '{coverage.label}': {coverage.count}/{coverage.minimum} person(s)" if en
                    else f"rôle « {coverage.label} » : {coverage.count}/{coverage.minimum} personne(s)"
                )
        labels = {StepKind.CHARTER: ("charte signée", "charter signed"), StepKind.INDICATORS: ("indicateurs choisis", "indicators chosen")}
        for kind, (fr, english) in labels.items():
            for step in steps:
                if step.kind == kind.value and step.status != StepStatus.DONE:
                    missing.append(f"step '{step.key}' ({english}) not done yet" if en
                                   else f"étape « {step.key} » ({fr}) pas encore faite")
    else:
        for step in _open_steps(steps, project.phase, recurring=False):
            missing.append(f"step '{step.key}' neither done nor skipped" if en
                           else f"étape « {step.key} » pas encore faite ni abandonnée")
    return missing


def advance_phase(session: Session, project: Project, *, actor: str, lang: str = "fr") -> ProjectPhase:
    """Move the project to its next phase, or raise :class:`PhaseGateClosed` listing what is missing."""
    if project.phase == ProjectPhase.CLOS:
        raise TransitionNotAllowed(
            f"Project '{project.slug}' is closed: it has no next phase." if lang == "en"
            else f"Le projet « {project.slug} » est clos : il n'a plus de phase suivante."
        )
    missing = gate_problems(session, project, lang)
    target = NEXT_PHASE[project.phase]
    if missing:
        head = (f"The project cannot move to phase '{target.value}': " if lang == "en"
                else f"Le projet ne peut pas passer en phase « {target.value} » : ")
        raise PhaseGateClosed(head + ("; " if lang == "en" else " ; ").join(missing) + ".", missing)
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
