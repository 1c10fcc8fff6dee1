"""Phase gates around the evaluation: what *avant* requires, what an interim report may not
close, and when thanks may be sent (issue 14, item 14)."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from evaluation import assessment
from evaluation.indicators import ensure_indicators
from evaluation.thanks import send_thanks
from project_templates.schema import StepKind
from store import phases, plans
from store.exceptions import PhaseGateClosed, TransitionNotAllowed
from store.models import Project, ProjectPhase, StepStatus


def _statuses(session: Session, project: Project, *kinds: StepKind) -> dict[str, StepStatus]:
    return {s.key: s.status for s in plans.plan_steps(session, project) if s.kind in {k.value for k in kinds}}


def test_avant_gate_needs_actor_mapping_first_meeting_and_method(session: Session, eval_project: Project) -> None:
    ensure_indicators(session, eval_project)
    for key in ("charte", "indicateurs"):
        plans.mark_done(session, eval_project, key, actor="test")
    problems = phases.gate_problems(session, eval_project)
    assert any("Repérer les acteurs" in p and "acteurs repérés" in p for p in problems), problems
    assert any("Se rencontrer" in p and "première rencontre tenue" in p for p in problems), problems
    assert any("Choisir la méthode" in p and "ni faite ni abandonnée" in p for p in problems), problems
    assert all("(s)" not in p for p in problems)
    with pytest.raises(PhaseGateClosed):
        phases.advance_phase(session, eval_project, actor="test")
    # The method may be skipped; the actor mapping and the first meeting may not.
    plans.set_status(session, eval_project, "methode", StepStatus.SKIPPED, actor="test", note="méthode connue")
    plans.set_status(session, eval_project, "rencontre", StepStatus.SKIPPED, actor="test", note="pas le temps")
    plans.mark_done(session, eval_project, "cartographie", actor="test")
    assert [p for p in phases.gate_problems(session, eval_project) if "Se rencontrer" in p]
    english = phases.gate_problems(session, eval_project, "en")
    assert english and all("first meeting held" in p for p in english)


def test_interim_evaluation_during_pendant_closes_no_apres_step(
    session: Session, eval_running: Project, tmp_path: Path
) -> None:
    before = _statuses(session, eval_running, StepKind.FEEDBACK, StepKind.EVALUATION)
    assert before and all(s == StepStatus.PLANNED for s in before.values())
    _, files = assessment.evaluate(session, eval_running, actor="test", output_dir=tmp_path, pdf=False)
    assert _statuses(session, eval_running, StepKind.FEEDBACK, StepKind.EVALUATION) == before
    assert "Rapport intermédiaire" in files.html.read_text(encoding="utf-8")
    assert files.public_html.exists()
    eval_running.phase = ProjectPhase.APRES
    assessment.evaluate(session, eval_running, actor="test", output_dir=tmp_path, pdf=False)
    assert set(_statuses(session, eval_running, StepKind.FEEDBACK, StepKind.EVALUATION).values()) == {StepStatus.DONE}


def test_thanks_only_in_apres_and_the_step_is_marked_only_then(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None]
) -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        send_thanks(session, eval_running, actor="test", attach_report=False)
    assert str(refused.value).count(".") == 1 and "phase « après »" in str(refused.value)
    assert set(_statuses(session, eval_running, StepKind.THANKS).values()) == {StepStatus.PLANNED}
    previews = send_thanks(session, eval_running, actor="test", attach_report=False, dry_run=True)
    assert previews and not any(p.queued for p in previews)
    assert set(_statuses(session, eval_running, StepKind.THANKS).values()) == {StepStatus.PLANNED}
    eval_running.phase = ProjectPhase.APRES
    send_thanks(session, eval_running, actor="test", attach_report=False)
    assert set(_statuses(session, eval_running, StepKind.THANKS).values()) == {StepStatus.DONE}
