"""Checkpoints: attendance, decisions, re-planning through the planner, minutes sent."""

from datetime import date

import pytest
from sqlmodel import Session, select

from evaluation.checkpoints import (
    ActionItem,
    CheckpointRecord,
    Replanning,
    attendance_of,
    minutes_text,
    record_checkpoint,
    send_minutes,
)
from evaluation.exceptions import ReasonRequired
from store import plans
from store.exceptions import InvalidInput, PersonNotFound, TransitionNotAllowed
from store.models import OutboxMessage, Project, StepStatus
from tests.fixtures_evaluation import ids, people


def _record(session: Session, project: Project, **changes: object) -> CheckpointRecord:
    base: dict[str, object] = {
        "held_on": date(2027, 3, 22),
        "attendees": ids(session, project, "claire", "karim", "awa"),
        "decisions": ["Refaire l'affiche d'accueil en gros caractères"],
        "actions": [ActionItem("Maquette de l'affiche", "Awa", date(2027, 4, 5))],
        "step_statuses": {"action": StepStatus.IN_PROGRESS},
        "replanning": [Replanning("action", date(2027, 5, 28), "l'imprimeur ne livre qu'en mai")],
    }
    base.update(changes)
    return CheckpointRecord(**base)  # type: ignore[arg-type]


def test_checkpoint_records_attendance_decisions_and_moves_the_plan(session: Session, eval_running: Project) -> None:
    project = eval_running
    before = {s.key: s.due for s in plans.plan_steps(session, project)}
    gathering = record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    session.commit()

    step = plans.get_step(session, project, "point-etape-1")
    assert step.status == StepStatus.DONE
    assert plans.get_step(session, project, "action").status == StepStatus.IN_PROGRESS
    # The planner moved the action and its dependents, and kept the reason.
    changes = plans.plan_changes(session, project)
    moved = {c.step_key: c for c in changes}
    assert moved["action"].new_due == date(2027, 5, 28)
    assert moved["action"].reason == "l'imprimeur ne livre qu'en mai"
    assert "questionnaire" in moved and moved["questionnaire"].moved_step == "action"
    assert plans.get_step(session, project, "questionnaire").due > before["questionnaire"]
    # Everyone is expected at a checkpoint ("tous"): five rows, three present.
    rows = attendance_of(session, project, "point-etape-1")
    team = people(session, project)
    assert {r.person_id for r in rows} == {p.id for p in team.values()}
    assert {r.person_id for r in rows if r.present} == set(ids(session, project, "claire", "karim", "awa"))
    assert gathering.replanning[0]["step"] == "action"
    assert "action" in gathering.step_statuses


def test_minutes_render_in_french_and_english(session: Session, eval_running: Project) -> None:
    project = eval_running
    gathering = record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    text = minutes_text(session, project, gathering, "fr")
    assert "# Compte rendu — Point d'étape n°1" in text
    assert "lundi 22 mars 2027" in text
    assert "- Awa Diallo (partenaire)" in text
    assert "## Excusés\n- Sophie Leroy\n- Jean-Pierre Roux" in text
    assert "- Refaire l'affiche d'accueil en gros caractères" in text
    assert "- Maquette de l'affiche — Awa (pour le lundi 5 avril 2027)" in text
    assert "Mener l'action co-construite : vendredi 28 mai 2027 — l'imprimeur ne livre qu'en mai" in text
    assert "(échéance : " in text and "(prévue le" not in text  # not "prévue (prévue le …)"
    english = minutes_text(session, project, gathering, "en")
    assert "# Minutes — Checkpoint #1" in english and "Monday 22 March 2027" in english


def test_minutes_are_queued_for_everyone_expected(session: Session, eval_running: Project) -> None:
    project = eval_running
    gathering = record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    assert send_minutes(session, project, gathering, actor="claire") == 5
    assert send_minutes(session, project, gathering, actor="claire") == 0  # idempotent
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "checkpoint-minutes")).all()
    assert len(rows) == 5
    assert all("Refaire l'affiche" in (r.text or "") for r in rows)
    assert gathering.minutes_sent_at is not None


def test_checkpoint_refuses_bad_input(session: Session, eval_running: Project) -> None:
    project = eval_running
    with pytest.raises(InvalidInput, match="n'est pas un point d'étape"):
        record_checkpoint(session, project, "charte", _record(session, project), actor="claire")
    with pytest.raises(ReasonRequired):
        record_checkpoint(
            session,
            project,
            "point-etape-1",
            _record(session, project, replanning=[Replanning("action", date(2027, 5, 28), " ")]),
            actor="claire",
        )
    with pytest.raises(PersonNotFound):
        record_checkpoint(
            session, project, "point-etape-1", _record(session, project, attendees=[9999]), actor="claire"
        )
    with pytest.raises(InvalidInput, match="au moins une personne"):
        record_checkpoint(session, project, "point-etape-1", _record(session, project, attendees=[]), actor="claire")
    record_checkpoint(session, project, "point-etape-1", _record(session, project, replanning=[]), actor="claire")
    with pytest.raises(TransitionNotAllowed, match="déjà enregistré"):
        record_checkpoint(session, project, "point-etape-1", _record(session, project, replanning=[]), actor="claire")


def test_cli_records_and_shows_a_checkpoint(cli, session: Session, eval_running: Project) -> None:
    result = cli(
        "checkpoint",
        "record",
        eval_running.slug,
        "point-etape-1",
        "--date",
        "2027-03-22",
        "-a",
        "claire@example.org",
        "-a",
        "Awa Diallo",
        "--decision",
        "Affiche en gros caractères",
        "--action",
        "Maquette | Awa | 2027-04-05",
        "--move",
        "action=2027-05-28:imprimeur en retard",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert '"minutes_queued": 5' in result.output
    shown = cli("checkpoint", "show", eval_running.slug, "point-etape-1")
    assert shown.exit_code == 0
    assert "Affiche en gros caractères" in shown.output and "imprimeur en retard" in shown.output
    bad = cli("checkpoint", "record", eval_running.slug, "point-etape-2", "-a", "personne@inconnue.org")
    assert bad.exit_code == 1
    assert "introuvable" in bad.output and "Traceback" not in bad.output
    move = cli("checkpoint", "record", eval_running.slug, "point-etape-2", "-a", "1", "--move", "action")
    assert move.exit_code == 1 and "ÉTAPE=AAAA-MM-JJ:raison" in move.output
    missing = cli("checkpoint", "show", eval_running.slug, "point-etape-3")
    assert missing.exit_code == 1 and "Aucun compte rendu" in missing.output
