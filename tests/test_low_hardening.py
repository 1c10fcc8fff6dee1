"""The low-severity findings of issue 14: structures, line breaks in calendars, reserved slugs,
non-numbers as indicator values, racing plan moves."""

import itertools
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, col, select

from evaluation.indicators import record_value
from project_templates import find_template
from store.db import session_scope
from store.exceptions import InvalidInput, TransitionNotAllowed
from store.models import PlanChange, PlanStep, Project
from store.plans import move_step
from store.projects import create_project, get_project
from tests.factories import make_project
from tests.fixtures_web import WebWorld, csrf_of, log_in


def test_a_project_cannot_be_created_for_a_structure_one_does_not_belong_to(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)  # Claire belongs to "MSP des Tilleuls" (project A), not to "CPTS du Littoral"
    token = csrf_of(client, "/projets/nouveau")
    form = {"csrf_token": token, "template": "partenariat-msp", "name": "Intrusion", "start": "2027-02-01",
            "end": "2027-08-27"}
    refused = client.post("/projets/nouveau", data={**form, "structure": "CPTS du Littoral"})
    assert refused.status_code == 400 and "Vous ne suivez pas la structure" in refused.text
    with session_scope(db_url) as session:
        assert session.exec(select(Project).where(Project.name == "Intrusion")).first() is None
    accepted = client.post("/projets/nouveau", data={**form, "structure": "msp des tilleuls"})
    assert accepted.status_code == 303


def test_line_breaks_in_names_do_not_break_the_calendar(session: Session, cli: Any, tmp_path: Path) -> None:
    make_project(session, name="Accueil\nen salle\r\nd'attente", slug="accueil")
    out = tmp_path / "plan.ics"
    result = cli("plan", "show", "accueil", "--format", "ics", "--output", str(out))
    assert result.exit_code == 0, result.output
    calendar = Calendar.from_ical(out.read_bytes())
    assert "Accueil en salle d'attente" in str(calendar.get("x-wr-calname"))


def test_a_project_named_nouveau_gets_a_reachable_slug(session: Session) -> None:
    project = make_project(session, name="Nouveau", with_people=False)
    assert project.slug == "nouveau-2"
    with pytest.raises(InvalidInput, match="réservé"):
        create_project(session, loaded=find_template("partenariat-msp"), name="X", structure="MSP",
                       end=date(2027, 7, 2), start=date(2027, 1, 4), slug="nouveau", actor="test")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_numbers_are_refused_as_indicator_values(session: Session, eval_project: Project, value: float) -> None:
    with pytest.raises(InvalidInput, match="nombre"):
        record_value(session, eval_project, "partenaires-impliques", value, actor="claire")


def test_racing_plan_moves_record_the_true_from_date(db_url: str) -> None:
    with session_scope(db_url) as session:
        project = make_project(session, slug="accueil")
        original = session.exec(select(PlanStep.due).where(PlanStep.project_id == project.id,
                                                            PlanStep.key == "rencontre")).one()
    targets = [date(2027, 2, 10), date(2027, 2, 11), date(2027, 2, 12), date(2027, 2, 15)]
    barrier = threading.Barrier(len(targets))
    refused: list[str] = []

    def move(to: date) -> None:
        try:
            with session_scope(db_url) as session:
                target = get_project(session, "accueil")
                barrier.wait()
                move_step(session, target, "rencontre", to, reason="course", actor="test")
        except TransitionNotAllowed as error:
            refused.append(str(error))

    threads = [threading.Thread(target=move, args=(to,)) for to in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(db_url) as session:
        history = session.exec(
            select(PlanChange).where(PlanChange.step_key == "rencontre").order_by(col(PlanChange.id))
        ).all()
        final = session.exec(select(PlanStep.due).where(PlanStep.key == "rencontre")).one()
    assert history and history[0].old_due == original
    for before, after in itertools.pairwise(history):
        assert after.old_due == before.new_due  # each "from" is the date the step really had
    assert history[-1].new_due == final
    assert len(history) + len(refused) == len(targets)
