"""The facilitator's dashboard on a realistic store: figures that filter, the needs-attention
filter with its reasons in plain words, sort, search, CSV export, empty filters; and the CLI
giving the same list through the same service.

The store: four projects in two structures, on 15 March 2027 (COCON_NOW). « Accueil » (MSP des
Tilleuls) has late steps and an unsigned charter; « Éducation thérapeutique » (MSP des Tilleuls)
has its first steps done and one undelivered message; « Diagnostic » (CPTS du Littoral) did every
step, ended on 26 February 2027 and is not closed; « =Formule » (CPTS du Littoral) starts later,
nothing is due. The last two work without a charter.
"""

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import Result

from accounts.staff import add_account
from notifications.queue import enqueue
from store.models import AccountKind, OutboxMessage, OutboxState, StepStatus
from store.plans import mark_done, plan_steps, set_status
from store.projects import get_project
from tests.factories import make_project
from tests.fixtures_web import PASSWORD, log_in

FACILITATOR = "lea@example.org"
TODAY = "2027-03-15T10:00"


@pytest.fixture
def board_world(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(session, name="Accueil en salle d'attente", slug="accueil", start=date(2027, 1, 4), end=date(2027, 7, 2))
    education = make_project(
        session, name="Éducation thérapeutique", slug="education", start=date(2027, 1, 4), end=date(2027, 9, 30),
        with_people=False,
    )
    for step in plan_steps(session, education):
        if step.due < date(2027, 3, 15) and step.kind != "charter":
            mark_done(session, education, step.key, actor="test")
        elif step.kind == "charter":
            set_status(session, education, step.key, StepStatus.SKIPPED, actor="test")
    assert education.id is not None
    queued = enqueue(
        session, project_id=education.id, person_id=None, occasion="invitation", about="step:rencontre",
        due_on=date(2027, 3, 1), subject="s", text="t", channel_url="json://localhost/",
    )
    assert queued is not None
    dead = session.get(OutboxMessage, queued.id)
    assert dead is not None
    dead.state = OutboxState.DEAD  # what the sender writes once every attempt has failed
    session.add(dead)
    diagnostic = make_project(
        session, name="Diagnostic territorial", structure="CPTS du Littoral", slug="diagnostic",
        start=date(2026, 9, 1), end=date(2027, 2, 26), with_people=False,
    )
    formule = make_project(
        session, name="=Formule", structure="CPTS du Littoral", slug="formule",
        start=date(2027, 6, 1), end=date(2027, 12, 17), with_people=False,
    )
    for project, finished in ((diagnostic, True), (formule, False)):
        for step in plan_steps(session, project):
            if step.kind == "charter":  # these two teams chose to work without a charter
                set_status(session, project, step.key, StepStatus.SKIPPED, actor="test")
            elif finished:
                mark_done(session, project, step.key, actor="test")
    add_account(
        session, email=FACILITATOR, name="Léa Facilitation", kind=AccountKind.FACILITATOR,
        structures=["MSP des Tilleuls", "CPTS du Littoral"], password=PASSWORD, actor="test",
    )
    session.commit()
    monkeypatch.setenv("COCON_NOW", TODAY)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _listed(html: str) -> list[str]:
    """Project slugs in the table, in order."""
    return re.findall(r'<th scope="row"><a href="/projets/([\w-]+)">', html)


def _figures(html: str) -> dict[str, str]:
    """Each summary figure's text → its link."""
    block = html.split('class="cards figures"')[1].split("</ul>")[0]
    return {_text(label).strip(): unescape(href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', block)}


def test_figures_count_projects_and_each_link_filters_the_list(client: TestClient, board_world: None) -> None:
    log_in(client, email=FACILITATOR)
    page = client.get("/tableau-de-bord").text
    figures = _figures(page)
    assert set(figures) == {
        "4 projets",
        "3 projets à surveiller",
        "1 projet avec des étapes en retard",
        "1 charte pas encore signée",
        "1 projet avec des messages non remis",
        "1 projet non clos après sa date de fin",
    }, figures
    assert sorted(_listed(client.get(figures["3 projets à surveiller"]).text)) == ["accueil", "diagnostic", "education"]
    assert _listed(client.get(figures["1 projet avec des étapes en retard"]).text) == ["accueil"]
    assert _listed(client.get(figures["1 charte pas encore signée"]).text) == ["accueil"]
    assert _listed(client.get(figures["1 projet avec des messages non remis"]).text) == ["education"]
    assert _listed(client.get(figures["1 projet non clos après sa date de fin"]).text) == ["diagnostic"]
    # The figures keep the other filters: within one structure they count that structure only.
    scoped = _figures(client.get("/tableau-de-bord?structure=CPTS+du+Littoral").text)
    assert "2 projets" in scoped and "0 projet avec des étapes en retard" in scoped, scoped
    clicked = client.get(scoped["1 projet à surveiller"]).text
    assert _listed(clicked) == ["diagnostic"] and 'aria-current="page"' in clicked


def test_reasons_are_plain_sentences_with_step_labels_and_late_next_steps_show_as_late(
    client: TestClient, board_world: None
) -> None:
    log_in(client, email=FACILITATOR)
    page = client.get("/tableau-de-bord?attention=any&sort=lateness").text
    rows = {slug: _text(row) for slug, row in re.findall(r'<tr>\s*<th scope="row"><a href="/projets/([\w-]+)">(.*?)</tr>', page, re.S)}
    accueil = rows["accueil"]
    assert "étapes en retard, la plus ancienne : « Repérer les acteurs et leurs ressources », prévue le" in accueil
    assert "La charte n'est pas encore signée par tous." in accueil
    assert "en retard" in accueil.split("Repérer les acteurs")[1]  # the next step itself is marked late
    assert "1 message n'a pas pu être remis." in rows["education"]
    assert "La date de fin (vendredi 26 février 2027) est passée et le projet n'est pas clos." in rows["diagnostic"]
    # Never an internal id: no step key, no « étape « charte » ».
    for internal in ("cartographie", "« charte »", "step:"):
        assert internal not in _text(page), internal


def test_sort_by_each_column_and_search_ignores_case_and_accents(client: TestClient, board_world: None) -> None:
    log_in(client, email=FACILITATOR)
    assert _listed(client.get("/tableau-de-bord").text) == ["diagnostic", "accueil", "education", "formule"]
    assert _listed(client.get("/tableau-de-bord?sort=name").text) == ["formule", "accueil", "diagnostic", "education"]
    assert _listed(client.get("/tableau-de-bord?sort=name&order=desc").text) == [
        "education", "diagnostic", "accueil", "formule"
    ]
    assert _listed(client.get("/tableau-de-bord?sort=lateness").text)[0] == "accueil"
    assert _listed(client.get("/tableau-de-bord?sort=phase").text) == ["diagnostic", "accueil", "education", "formule"]
    header = client.get("/tableau-de-bord?sort=name").text
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="/tableau-de-bord\?sort=name&amp;order=desc">', header)
    assert _listed(client.get("/tableau-de-bord?q=EDUCATION").text) == ["education"]
    assert _listed(client.get("/tableau-de-bord?q=littoral").text) == ["diagnostic", "formule"]


def test_empty_filters_say_so(client: TestClient, board_world: None) -> None:
    log_in(client, email=FACILITATOR)
    page = client.get("/tableau-de-bord?q=introuvable").text
    assert "Aucun projet ne correspond à ces critères." in unescape(page) and _listed(page) == []
    assert "0 projet" in _text(page)
    late_elsewhere = client.get("/tableau-de-bord?structure=CPTS+du+Littoral&attention=late").text
    assert "Aucun projet ne correspond à ces critères." in unescape(late_elsewhere)


def test_csv_export_holds_the_filtered_list_with_a_bom_and_no_formula(client: TestClient, board_world: None) -> None:
    log_in(client, email=FACILITATOR)
    response = client.get("/tableau-de-bord.csv?structure=CPTS+du+Littoral&sort=name")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="projets-2027-03-15.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:5] == ["Projet", "Identifiant", "Structure", "Phase", "Fin"]
    assert [row[1] for row in table[1:]] == ["formule", "diagnostic"]
    assert table[1][0] == "'=Formule"  # a spreadsheet shows it, never runs it
    assert table[2][4] == "26/02/2027" and "n'est pas clos" in table[2][10]
    # The dashboard links to the CSV of what it shows.
    page = client.get("/tableau-de-bord?attention=late").text
    assert 'href="/tableau-de-bord.csv?attention=late"' in page
    late = client.get("/tableau-de-bord.csv?attention=late").content.decode("utf-8-sig").splitlines()
    assert len(late) == 2 and late[1].startswith("Accueil en salle d'attente;accueil;")


def test_a_change_shows_at_once_on_the_dashboard(client: TestClient, board_world: None, db_url: str) -> None:
    from store.db import session_scope

    log_in(client, email=FACILITATOR)
    assert "1 projet non clos après sa date de fin" in _figures(client.get("/tableau-de-bord").text)
    with session_scope(db_url) as session:
        project = get_project(session, "education")
        assert project.id is not None
        other = enqueue(
            session, project_id=project.id, person_id=None, occasion="invitation", about="step:autre",
            due_on=date(2027, 3, 2), subject="s", text="t", channel_url="json://localhost/",
        )
        assert other is not None
        other.state = OutboxState.DEAD
        session.add(other)
    row = client.get("/tableau-de-bord?attention=undelivered").text
    assert "2 messages n'ont pas pu être remis." in unescape(row)
    with session_scope(db_url) as session:
        accueil = get_project(session, "accueil")
        for step in plan_steps(session, accueil):
            if step.due < date(2027, 3, 15) and step.kind != "charter":
                mark_done(session, accueil, step.key, actor="test")
    # Only the charter step is still late: it ends with the signatures, not by hand.
    accueil_row = _text(client.get("/tableau-de-bord?attention=late").text)
    assert "1 étape en retard : «" in accueil_row and "la plus ancienne" not in accueil_row


def test_cli_lists_the_same_projects_through_the_same_service(
    cli: Callable[..., Result], board_world: None, client: TestClient
) -> None:
    listed = cli("project", "list", "--attention", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.lstrip("\ufeff").splitlines()
    log_in(client, email=FACILITATOR)
    web = client.get("/tableau-de-bord.csv?attention=any").content.decode("utf-8-sig").splitlines()
    assert lines == web
    assert [line.split(";")[1] for line in lines[1:]] == ["diagnostic", "accueil", "education"]
    table = cli("project", "list", "--attention", "--sort", "lateness")
    assert "accueil" in table.output and "formule" not in table.output
    as_json = json.loads(cli("project", "list", "--attention", "--sort", "lateness", "--json").output)
    assert as_json[0]["slug"] == "accueil" and as_json[0]["attention"][0]["reason"] == "late"
    assert "la plus ancienne : « Repérer les acteurs et leurs ressources »" in as_json[0]["attention"][0]["text"]
    assert "Aucun projet ne correspond à ces critères." in cli("project", "list", "--search", "zzz").output
