"""Checkpoints: attendance, decisions, re-planning through the planner, minutes sent."""

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session, select

from evaluation.checkpoints import (
    ActionItem,
    CheckpointRecord,
    Replanning,
    attendance_of,
    find_gathering,
    minutes_text,
    record_checkpoint,
    send_minutes,
)
from evaluation.exceptions import ReasonRequired
from evaluation.restitution import get_restitution, record_restitution, restitution_step_key
from store import plans
from store.exceptions import InvalidInput, PersonNotFound, TransitionNotAllowed
from store.models import OutboxMessage, Project, StepStatus
from tests.fixtures_evaluation import ids, people

Clock = Callable[[str], None]
#: The evening of the first checkpoint (22 March 2027): it has been held, it can be recorded.
HELD = "2027-03-22T18:00"


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


def test_checkpoint_records_attendance_decisions_and_moves_the_plan(
    session: Session, eval_running: Project, eval_clock: Clock
) -> None:
    eval_clock(HELD)
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


def test_minutes_render_in_french_and_english(session: Session, eval_running: Project, eval_clock: Clock) -> None:
    eval_clock(HELD)
    project = eval_running
    gathering = record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    text = minutes_text(session, project, gathering, "fr")
    assert "# Compte rendu — Point d'étape n°1" in text
    assert "lundi 22 mars 2027" in text
    assert "- Awa Diallo (partenaire)" in text
    assert "## Personnes excusées\n- Sophie Leroy\n- Jean-Pierre Roux" in text
    assert "- Refaire l'affiche d'accueil en gros caractères" in text
    assert "- Maquette de l'affiche — Awa (pour le lundi 5 avril 2027)" in text
    assert "Mener l'action co-construite\u202f: vendredi 28 mai 2027 — l'imprimeur ne livre qu'en mai" in text
    assert "(échéance\u202f: " in text and "(prévue le" not in text  # not "prévue (prévue le …)"
    english = minutes_text(session, project, gathering, "en")
    assert "# Minutes — Checkpoint #1" in english and "Monday 22 March 2027" in english


def test_minutes_are_queued_for_everyone_expected(session: Session, eval_running: Project, eval_clock: Clock) -> None:
    eval_clock(HELD)
    project = eval_running
    gathering = record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    assert send_minutes(session, project, gathering, actor="claire") == 5
    assert send_minutes(session, project, gathering, actor="claire") == 0  # idempotent
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "checkpoint-minutes")).all()
    assert len(rows) == 5
    assert all("Refaire l'affiche" in (r.text or "") for r in rows)
    for row in rows:  # plain text without Markdown, and an HTML version
        assert row.text and "##" not in row.text and "**" not in row.text and "\n# " not in row.text
        assert row.html and "<h2" in row.html and "Refaire l&#39;affiche" in row.html and "##" not in row.html
    assert gathering.minutes_sent_at is not None


def test_checkpoint_refuses_bad_input(session: Session, eval_running: Project, eval_clock: Clock) -> None:
    eval_clock(HELD)
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


def test_cli_records_and_shows_a_checkpoint(cli, session: Session, eval_running: Project, eval_clock: Clock) -> None:
    eval_clock(HELD)
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


# --- a gathering is recorded once it has been held ---------------------------------------------

NOT_HELD_YET = (
    "Le point d'étape ne peut pas être enregistré à une date future (lundi 22 mars 2027) : "
    "enregistrez-le une fois tenu."
)


def test_a_checkpoint_not_held_yet_is_refused_and_changes_nothing(
    session: Session, eval_running: Project, eval_clock: Clock
) -> None:
    project = eval_running  # today is Monday 22 February 2027; the checkpoint is on 22 March
    with pytest.raises(InvalidInput) as refused:
        record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    assert str(refused.value) == NOT_HELD_YET
    session.rollback()
    assert plans.get_step(session, project, "point-etape-1").status == StepStatus.PLANNED
    assert attendance_of(session, project, "point-etape-1") == []
    assert find_gathering(session, project, "point-etape-1") is None
    assert "action" not in {c.step_key for c in plans.plan_changes(session, project)}
    # A meeting says so in its own words (feminine).
    with pytest.raises(
        InvalidInput,
        match=r"^La réunion ne peut pas être enregistrée à une date future \(.*\) : "
        r"enregistrez-la une fois tenue\.$",
    ):
        record_checkpoint(
            session, project, "rencontre", _record(session, project, replanning=[], step_statuses={}), actor="claire"
        )

    eval_clock("2027-03-22T08:00")  # the morning of the day itself: it may be recorded
    record_checkpoint(session, project, "point-etape-1", _record(session, project), actor="claire")
    assert plans.get_step(session, project, "point-etape-1").status == StepStatus.DONE


def test_a_restitution_not_held_yet_is_refused_and_changes_nothing(
    session: Session, eval_running: Project, eval_clock: Clock
) -> None:
    project = eval_running
    eval_clock("2027-06-24T18:00")
    with pytest.raises(InvalidInput) as refused:
        record_restitution(
            session,
            project,
            held_on=date(2027, 6, 25),
            attendees=ids(session, project, "claire", "awa"),
            presented="Les résultats",
            discussion="",
            actor="claire",
        )
    assert str(refused.value) == (
        "La restitution ne peut pas être enregistrée à une date future (vendredi 25 juin 2027) : "
        "enregistrez-la une fois tenue."
    )
    session.rollback()
    key = restitution_step_key(session, project)
    assert plans.get_step(session, project, key).status != StepStatus.DONE
    assert get_restitution(session, project) is None
    assert attendance_of(session, project, key) == []


def test_cli_refuses_gatherings_not_held_yet_in_one_sentence(
    cli, session: Session, eval_running: Project, eval_clock: Clock
) -> None:
    slug = eval_running.slug
    early = cli("checkpoint", "record", slug, "point-etape-1", "--date", "2027-03-22", "-a", "claire@example.org")
    assert early.exit_code == 1
    assert early.output.strip() == NOT_HELD_YET
    restitution = cli("restitution", "record", slug, "--date", "2027-06-25", "-a", "1", "--presented", "Résultats")
    assert restitution.exit_code == 1
    assert restitution.output.strip() == (
        "La restitution ne peut pas être enregistrée à une date future (vendredi 25 juin 2027) : "
        "enregistrez-la une fois tenue."
    )
    session.expire_all()
    assert plans.get_step(session, eval_running, "point-etape-1").status == StepStatus.PLANNED
    assert attendance_of(session, eval_running) == []
    eval_clock(HELD)
    held = cli("checkpoint", "record", slug, "point-etape-1", "--date", "2027-03-22", "-a", "1", "--no-send")
    assert held.exit_code == 0, held.output
