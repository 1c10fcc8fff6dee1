"""Phase gates: what must be true to leave ``avant``, ``pendant`` and ``apres``."""

from sqlmodel import Session

from locales import gettext
from locales.labels import LabelTable, label
from project_templates.phases import NEXT_PHASE
from project_templates.phrases import in_language
from project_templates.schema import StepKind
from store import audit
from store.clock import now
from store.exceptions import PhaseGateClosed, TransitionNotAllowed
from store.models import PlanStep, Project, ProjectPhase, StepStatus
from store.people import role_coverage
from store.plans import plan_steps, titles


def phase_label(phase: ProjectPhase | str, lang: str = "fr") -> str:
    """How a phase is named for people (``label.phase.<value>`` in the catalogue): ``Avant``, ``Before``."""
    return label("phase", ProjectPhase(phase), lang)


#: The same labels as a table, ``PHASE_LABELS[lang][phase]``, for callers not yet on :func:`phase_label`.
PHASE_LABELS = LabelTable("phase", ProjectPhase)

_FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)


def _open_steps(steps: list[PlanStep], phase: ProjectPhase, *, recurring: bool) -> list[PlanStep]:
    return [
        s for s in steps
        if s.phase == phase.value and s.status not in _FINISHED and (s.occurrence is not None) == recurring
    ]


#: Steps of *avant* that must be done (not skipped) before the project starts, and why.
_REQUIRED_BEFORE: dict[str, str] = {
    StepKind.ACTOR_MAPPING.value: "gate.required.actor_mapping",
    StepKind.MEETING.value: "gate.required.meeting",
    StepKind.CHARTER.value: "gate.required.charter",
    StepKind.INDICATORS.value: "gate.required.indicators",
}


def gate_problems(session: Session, project: Project, lang: str = "fr") -> list[str]:
    """What is missing before the project can leave its current phase (empty when it can).

    Leaving *avant* needs the actors mapped, the first meeting held, the charter signed and the
    indicators chosen (each done, not skipped), and every other step of *avant* — the method —
    done or skipped; leaving a later phase needs each of its steps done or skipped.
    """
    if project.phase == ProjectPhase.CLOS:
        return [gettext("gate.closed", lang)]
    steps = plan_steps(session, project)
    names = titles(session, project, lang)
    missing: list[str] = []
    if project.phase == ProjectPhase.AVANT:
        for coverage in role_coverage(session, project, lang):
            if coverage.missing:
                missing.append(gettext("gate.role_missing", lang, role=coverage.label, count=coverage.count,
                                       minimum=coverage.minimum))
        for step in steps:
            if step.phase != ProjectPhase.AVANT.value or step.occurrence is not None:
                continue
            title = names.get(step.key, step.key)
            required = _REQUIRED_BEFORE.get(step.kind)
            if required and step.status != StepStatus.DONE:
                missing.append(gettext("gate.step_not_done", lang, title=title, required=gettext(required, lang)))
            elif not required and step.status not in _FINISHED:
                missing.append(gettext("gate.step_not_finished", lang, title=title))
    else:
        for step in _open_steps(steps, project.phase, recurring=False):
            title = names.get(step.key, step.key)
            missing.append(gettext("gate.step_not_finished", lang, title=title))
    return missing


def advance_phase(session: Session, project: Project, *, actor: str, lang: str = "fr") -> ProjectPhase:
    """Move the project to its next phase, or raise :class:`PhaseGateClosed` listing what is missing."""
    if project.phase == ProjectPhase.CLOS:
        raise TransitionNotAllowed("error.store.project_closed", project=project.slug)
    missing = gate_problems(session, project, lang)
    target = NEXT_PHASE[project.phase]
    if missing:
        written = {"fr": " ; ".join(gate_problems(session, project, "fr")), "en": "; ".join(gate_problems(session, project, "en"))}
        raise PhaseGateClosed("error.store.phase_gate_closed", missing, phase=target.value, what=in_language(written))
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
