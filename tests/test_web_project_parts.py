"""The project's pages one by one — overview, plan, people, charter, checkpoints, messages: each
form posted through the app on a real SQLite file, its effect read back from the store, and the
confirmation read where the coordinator lands. One Chromium session runs axe-core on every page."""

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlmodel import Session, col, select

from notifications.queue import enqueue
from store.db import get_engine, session_scope
from store.models import (
    Gathering,
    Membership,
    Occasion,
    OutboxMessage,
    OutboxState,
    Person,
    PlanChange,
    StepStatus,
)
from store.people import add_person, get_person
from store.plans import get_step, plan_steps
from store.projects import get_project
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import WebWorld, csrf_of, log_in, log_in_with_link
from tests.test_web_browser import TIMEOUT_MS, Checker, browser, live_server  # noqa: F401 (fixtures)


def _post(client: TestClient, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_of(client, "/tableau-de-bord")})


def _text(html: str) -> str:
    """What a reader sees: tags removed, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _landing(client: TestClient, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:2000]
    return _text(client.get(response.headers["location"]).text)


def _person_id(db_url: str, email: str) -> int:
    with Session(get_engine(db_url)) as check:
        person = check.exec(select(Person).where(Person.email == email)).first()
        assert person is not None and person.id is not None
        return person.id


# --- overview ---------------------------------------------------------------------------------


def test_overview_says_what_to_do_next_in_plain_words(
    client: TestClient, web_world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-02-22T10:00")  # the first meeting and the charter are late
    log_in(client)
    slug = web_world.slug_a
    html = client.get(f"/projets/{slug}").text
    page = _text(html)
    assert 'aria-current="page">Vue d\'ensemble' in unescape(html)
    late = page.split("En retard")[1].split("Prochaines étapes")[0]
    assert "Repérer les acteurs" in late or "acteurs" in late, late
    # Steps are named by their titles and linked to where they are done, never by their ids.
    assert f'href="/projets/{slug}/charte"' in html and "Ouvrir la charte" in page
    assert f'href="/projets/{slug}/points-etape"' in html and "Enregistrer la rencontre" in page
    assert "« charte »" not in page and "(charte)" not in page and "cartographie" not in page
    gate = page.split("Passer à la phase suivante : Pendant")[1]
    assert "il manque" in gate and "charte signée" in gate
    refused = _post(client, f"/projets/{slug}/phase", {})
    assert refused.status_code == 400 and "ne peut pas passer en phase" in unescape(refused.text)
    assert 'role="alert"' in refused.text and "Que faire maintenant" in unescape(refused.text)


def test_every_page_of_mine_has_the_sub_navigation_and_a_partner_reads_without_forms(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    slug = web_world.slug_a
    for path, current in [("", "Vue d'ensemble"), ("/planning", "Planning"), ("/personnes", "Personnes"),
                          ("/charte", "Charte"), ("/points-etape", "Points d'étape")]:
        html = unescape(client.get(f"/projets/{slug}{path}").text)
        assert 'class="project-nav"' in html and f'aria-current="page">{current}<' in html, path
        assert "/etapes/deplacer" not in html and 'action="/projets/' + slug + '/personnes"' not in html
    assert client.get(f"/projets/{slug}/messages").status_code == 403
    assert _post(client, f"/projets/{slug}/etapes/etat", {"step": "methode", "action": "start"}).status_code == 403


# --- plan -------------------------------------------------------------------------------------


def test_plan_moves_a_step_and_shows_the_dependents_that_followed(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)
    slug = web_world.slug_a
    with session_scope(db_url) as session:
        before = {s.key: s.due for s in plan_steps(session, get_project(session, slug))}
    moved = _post(client, f"/projets/{slug}/etapes/deplacer",
                  {"step": "rencontre", "to": "2027-02-09", "reason": "Salle indisponible"})
    assert moved.headers["location"] == f"/projets/{slug}/planning?ok=moved"
    page = _landing(client, moved)
    assert "Étape déplacée ; les étapes qui en dépendent ont suivi." in page
    box = page.split("Ce déplacement a changé ces dates :")[1].split("Calendrier")[0]
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        after = {s.key: s.due for s in plan_steps(session, project)}
        changed = [k for k in after if after[k] != before[k]]
        assert "rencontre" in changed and len(changed) > 1  # dependents followed
        assert all(r.reason == "Salle indisponible" for r in session.exec(select(PlanChange)))
        titles = {s.key: s.key for s in plan_steps(session, project)}
    assert box.count("→") == len(changed) and box.count("(a suivi)") == len(changed) - 1, box
    assert "Salle indisponible" in page.split("Historique du planning")[1]
    assert "Ce déplacement a changé" not in _text(client.get(f"/projets/{slug}/planning?ok=done").text)
    assert titles  # the plan was read
    refused = _post(client, f"/projets/{slug}/etapes/deplacer", {"step": "rencontre", "to": "2027-02-10", "reason": ""})
    assert refused.status_code == 400 and "Indiquez pourquoi" in unescape(refused.text)
    assert "Planning" in unescape(refused.text) and "timeline" in refused.text


def test_plan_starts_finishes_skips_and_reopens_steps_as_the_cli(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)
    slug = web_world.slug_a

    def state() -> StepStatus:
        with session_scope(db_url) as session:
            return get_step(session, get_project(session, slug), "methode").status

    for action, status, words in [
        ("start", StepStatus.IN_PROGRESS, "Étape commencée."),
        ("done", StepStatus.DONE, "Étape marquée comme faite."),
        ("reopen", StepStatus.PLANNED, "Étape rouverte."),
        ("skip", StepStatus.SKIPPED, "Étape abandonnée : elle ne bloque plus la phase."),
    ]:
        response = _post(client, f"/projets/{slug}/etapes/etat", {"step": "methode", "action": action, "note": "vu"})
        assert words in _landing(client, response) and state() == status, action
    charter = _post(client, f"/projets/{slug}/etapes/etat", {"step": "charte", "action": "done"})
    assert charter.status_code == 400 and "chaque signataire a signé" in unescape(charter.text)
    unknown = _post(client, f"/projets/{slug}/etapes/etat", {"step": "methode", "action": "explode"})
    assert unknown.status_code == 400 and "Choisissez ce qu'il faut faire" in unescape(unknown.text)


def test_plan_downloads_as_a_calendar(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in(client)
    response = client.get(f"/projets/{web_world.slug_a}/planning.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert 'filename="accueil-tilleuls.ics"' in response.headers["content-disposition"]
    with session_scope(db_url) as session:
        steps = plan_steps(session, get_project(session, web_world.slug_a))
    assert response.text.count("BEGIN:VEVENT") == len(steps)
    assert "SUMMARY:Signer la charte" in response.text.replace("\r\n ", "")
    plan = client.get(f"/projets/{web_world.slug_a}/planning").text
    assert f'href="/projets/{web_world.slug_a}/etapes/rencontre/lieu"' in plan  # time and place of each meeting
    csv_link = re.search(r'href="(/projets/[\w-]+/contributions\.csv)"', plan)
    assert csv_link and client.get(csv_link.group(1)).headers["content-type"].startswith("text/csv")


def test_every_part_reads_in_english(client: TestClient, web_world: WebWorld) -> None:
    log_in(client)
    assert _post(client, "/langue", {"lang": "en", "next": "/tableau-de-bord"}).status_code == 303
    slug = web_world.slug_a
    for path, words in [("", "What to do next?"), ("/planning", "Change a step's state"),
                        ("/personnes", "Add a person"), (f"/personnes/{web_world.partner_a}", "Edit their details"),
                        (f"/personnes/{web_world.partner_a}/effacer", "This cannot be undone"),
                        ("/charte", "Not signed yet"), ("/points-etape", "Actions decided"), ("/messages", "never their content")]:
        response = client.get(f"/projets/{slug}{path}")
        assert response.status_code == 200 and '<html lang="en">' in response.text, path
        assert words in unescape(response.text), path
    ics = client.get(f"/projets/{slug}/planning.ics").text.replace("\r\n ", "")
    assert "SUMMARY:Sign the" in ics or "Step:" in ics


# --- people -----------------------------------------------------------------------------------


def test_people_add_edit_and_refuse_what_belongs_to_someone_else(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)
    slug = web_world.slug_a
    added = _post(client, f"/projets/{slug}/personnes",
                  {"name": "Lucie Blanc", "role": "facilitation", "email": "lucie@example.org"})
    assert added.headers["location"] == f"/projets/{slug}/personnes?ok=person"
    assert "Personne ajoutée." in _landing(client, added)
    lucie = _person_id(db_url, "lucie@example.org")
    form = unescape(client.get(f"/projets/{slug}/personnes/{lucie}").text)
    assert 'value="Lucie Blanc"' in form and "Exporter ses données" in form
    changed = client.post(
        f"/projets/{slug}/personnes/{lucie}",
        data={"name": "Lucie Blanc-Roy", "email": "lucie@example.org", "phone": "", "language": "en",
              "availability": ["soir"], "quiet_hours": "21:00-08:00",
              "unavailable": "2027-03-01..2027-03-15\n2027-04-02", "csrf_token": csrf_of(client, "/tableau-de-bord")},
    )
    assert "Informations de la personne enregistrées." in _landing(client, changed)
    with session_scope(db_url) as session:
        person = get_person(session, lucie)
        assert (person.name, person.language, person.availability, person.quiet_hours, person.unavailable) == (
            "Lucie Blanc-Roy", "en", ["soir"], "21:00-08:00", ["2027-03-01..2027-03-15", "2027-04-02"])
    bad = _post(client, f"/projets/{slug}/personnes/{lucie}",
                {"name": "Lucie", "email": "lucie@example.org", "unavailable": "bientôt"})
    assert bad.status_code == 400 and "Indisponibilité illisible « bientôt »" in unescape(bad.text)
    no_contact = _post(client, f"/projets/{slug}/personnes/{lucie}", {"name": "Lucie", "email": ""})
    assert no_contact.status_code == 400 and "au moins un moyen de contact" in unescape(no_contact.text)

    # Claire has her own account: the project may not change, export or erase her identity.
    claire = _person_id(db_url, "claire@example.org")
    refused = _post(client, f"/projets/{slug}/personnes/{claire}", {"name": "Autre nom", "email": "x@example.org"})
    assert refused.status_code == 400 and "gère elle-même ou lui-même" in unescape(refused.text)
    assert client.get(f"/projets/{slug}/personnes/{claire}/export.json").status_code == 400
    erase = _post(client, f"/projets/{slug}/personnes/{claire}/effacer", {"confirm": "oui"})
    assert erase.status_code == 400
    with session_scope(db_url) as session:
        assert get_person(session, claire).name == "Claire Martin"
    # A person of another project is not even named.
    assert client.get(f"/projets/{slug}/personnes/{web_world.partner_b}").status_code == 404


def test_people_pause_export_remove_and_erase_with_a_confirmation(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)
    slug = web_world.slug_a
    awa = web_world.partner_a
    page = client.get(f"/projets/{slug}/personnes").text
    assert f'id="rappels-{awa}"' in page  # pause, resume and stop are offered on the people page
    paused = _post(client, f"/projets/{slug}/personnes/{awa}/rappels", {"choice": "1m"})
    assert paused.headers["location"] == f"/projets/{slug}/personnes?ok=reminders"
    assert "Les rappels de la personne sont modifiés." in _landing(client, paused)

    export = client.get(f"/projets/{slug}/personnes/{awa}/export.json")
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/json")
    data = json.loads(export.text)
    assert data["person"]["name"] == "Awa Diallo" and data["memberships"][0]["project"] == slug

    karim = _person_id(db_url, "karim@example.org")
    removed = _post(client, f"/projets/{slug}/personnes/{karim}/retirer", {})
    assert "Personne retirée du projet." in _landing(client, removed)
    with session_scope(db_url) as session:
        rows = session.exec(select(Membership).where(Membership.person_id == karim)).all()
        assert rows and all(m.left_at is not None for m in rows)
    assert "Karim Benali" not in _text(client.get(f"/projets/{slug}/personnes").text)

    confirm_page = _text(client.get(f"/projets/{slug}/personnes/{awa}/effacer").text)
    assert "Cette action est définitive" in confirm_page
    unconfirmed = _post(client, f"/projets/{slug}/personnes/{awa}/effacer", {})
    assert unconfirmed.status_code == 400 and "Cochez la case" in unescape(unconfirmed.text)
    with session_scope(db_url) as session:
        assert get_person(session, awa).name == "Awa Diallo"
    erased = _post(client, f"/projets/{slug}/personnes/{awa}/effacer", {"confirm": "oui"})
    assert "Données de la personne effacées." in _landing(client, erased)
    with session_scope(db_url) as session:
        person = get_person(session, awa)
        assert person.name == f"Personne effacée n°{awa}" and person.email is None
    assert b"awa@example.org" not in Path(db_url.removeprefix("sqlite:///")).read_bytes()


# --- charter ----------------------------------------------------------------------------------


def test_charter_sends_every_missing_link_at_once_and_says_who_waits(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, office_hours: str
) -> None:
    slug = web_world.slug_a
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        add_person(session, project, name="Hugo Facile", role="facilitation", email="hugo@example.org", actor="test")
        add_person(session, project, name="Nina Sanmail", role="patient-partenaire", phone="0600000000", actor="test")
        awa = get_person(session, web_world.partner_a)
        awa.unavailable = ["2026-12-01..2026-12-04"]  # away today: her link waits for her return
        session.add(awa)
    log_in(client)
    page = _text(client.get(f"/projets/{slug}/charte").text)
    waiting = page.split("Pas encore signé")[1].split("Signatures")[0]
    assert "Awa Diallo" in waiting and "Nina Sanmail" in waiting
    assert "Hugo Facile" not in waiting  # a facilitator does not sign
    assert "Hugo Facile Tiers facilitateur ne signe pas" in page
    sent = _post(client, f"/projets/{slug}/charte/liens", {})
    assert sent.headers["location"] == f"/projets/{slug}/charte?ok=sign_links_later&n=5&plus_tard=1"
    landed = _landing(client, sent)
    assert "5 liens de signature préparés, dont 1 à envoyer plus tard" in landed
    assert len(smtp_sink.to("karim@example.org")) == 1 and smtp_sink.to("awa@example.org") == []
    assert smtp_sink.to("hugo@example.org") == []
    with session_scope(db_url) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == Occasion.CHARTER_LINK)).all()
        assert len(rows) == 5


def test_charter_versions_show_what_changed_and_the_check_finds_an_edit_made_outside_cocon(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    """As `cocon charter diff` and `cocon charter verify`, through the same services."""
    from store.models import AuditEvent, CharterVersion

    slug = web_world.slug_a
    log_in(client)
    assert client.get(f"/projets/{slug}/charte").status_code == 200  # version 1 is written
    with session_scope(db_url) as session:
        add_person(session, get_project(session, slug), name="Hugo Nouveau", role="patient-partenaire",
                   email="hugo@example.org", actor="test")
    page = client.get(f"/projets/{slug}/charte").text  # the new member makes version 2
    assert "voir ce qui a changé depuis la version 1" in unescape(page)
    changes = client.get(f"/projets/{slug}/charte/changements/2")
    assert changes.status_code == 200
    assert re.search(r"<ins>[^<]*Hugo Nouveau", changes.text), changes.text
    assert client.get(f"/projets/{slug}/charte/changements/9").status_code == 303  # no such version

    checked = _post(client, f"/projets/{slug}/charte/verifier", {})
    assert checked.headers["location"].startswith(f"/projets/{slug}/charte?ok=charter_intact")
    assert "La charte est intacte" in _landing(client, checked)

    with session_scope(db_url) as session:  # someone edits the stored text by hand
        row = session.exec(select(CharterVersion).where(CharterVersion.number == 1)).first()
        assert row is not None
        row.text = row.text.replace("Awa Diallo", "Awa D.")
        session.add(row)
    checked = _post(client, f"/projets/{slug}/charte/verifier", {})
    assert "ok=charter_tampered" in checked.headers["location"]
    assert "modifiée en dehors de Cocon" in _landing(client, checked)
    with session_scope(db_url) as session:
        actions = {e.action for e in session.exec(select(AuditEvent)).all()}
    assert {"charter.diffed", "charter.verified"} <= actions

    log_in_with_link(client, db_url, web_world.partner_a)  # a partner reads the charter, not its audit tools
    assert "Vérifier que rien" not in unescape(client.get(f"/projets/{slug}/charte").text)
    assert client.get(f"/projets/{slug}/charte/changements/2").status_code == 403


# --- checkpoints ------------------------------------------------------------------------------


def test_checkpoint_form_records_actions_statuses_replanning_and_emails_minutes(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-29T17:00")  # the day of the meeting, in daytime
    log_in(client)
    slug = web_world.slug_a
    claire, awa = _person_id(db_url, "claire@example.org"), web_world.partner_a
    fields: dict[str, object] = {
        "step": "rencontre", "held_on": "2027-01-29", "attendees": [str(claire), str(awa)],
        "decisions": "Se retrouver le jeudi soir\nPrévoir un café",
        "action_what": ["Maquette de l'affiche", "Réserver la salle", ""],
        "action_who": ["Awa Diallo", "", ""], "action_due": ["2027-02-12", "", ""],
        "status_step": ["methode", "cartographie"], "status_value": ["in_progress", ""],
        "move_step": ["indicateurs", ""], "move_to": ["2027-03-05", ""], "move_reason": ["", ""],
        "notes": "Bonne ambiance", "send": "1",
    }
    no_reason = _post(client, f"/projets/{slug}/points-etape", fields)
    assert no_reason.status_code == 400 and "Donnez la raison" in unescape(no_reason.text)
    fields["move_reason"] = ["Attendre les données de la CPAM", ""]
    recorded = _post(client, f"/projets/{slug}/points-etape", fields)
    assert recorded.headers["location"] == f"/projets/{slug}/points-etape?ok=checkpoint_sent"
    assert "le compte rendu part aux participants" in _landing(client, recorded)
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        gathering = session.exec(select(Gathering)).one()
        assert gathering.actions == [
            {"what": "Maquette de l'affiche", "who": "Awa Diallo", "due": "2027-02-12"},
            {"what": "Réserver la salle", "who": None, "due": None},
        ]
        assert gathering.replanning == [{"step": "indicateurs", "to": "2027-03-05", "reason": "Attendre les données de la CPAM"}]
        assert get_step(session, project, "methode").status == StepStatus.IN_PROGRESS
        assert get_step(session, project, "cartographie").status == StepStatus.PLANNED
        assert get_step(session, project, "indicateurs").due == date(2027, 3, 5)
        assert get_step(session, project, "rencontre").status == StepStatus.DONE
        assert gathering.minutes_sent_at is not None
    mail = smtp_sink.to("awa@example.org")
    assert mail and "Maquette de l'affiche" in mail[0].text()
    page = client.get(f"/projets/{slug}/points-etape/rencontre").text
    minutes = _text(page)
    assert "Se retrouver le jeudi soir" in minutes and "Maquette de l'affiche" in minutes
    assert "<pre" not in page and "##" not in minutes and "<h3>Décisions</h3>" in page  # read as a page, not Markdown
    assert client.get(f"/projets/{slug}/points-etape/point-etape-1").status_code == 404


# --- messages ---------------------------------------------------------------------------------


def test_messages_list_without_contents_and_retry_failed_ones(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, office_hours: str
) -> None:
    slug = web_world.slug_a
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        assert project.id is not None
        row = enqueue(session, project_id=project.id, person_id=web_world.partner_a, occasion=Occasion.CHECKPOINT_MINUTES,
                      about="gathering:test", due_on=date(2026, 12, 1), subject="Compte rendu",
                      text="Corps secret du message")
        assert row is not None
        row.state, row.attempts, row.last_error = OutboxState.DEAD, 5, "refusé"
        session.add(row)
    log_in(client)
    page = client.get(f"/projets/{slug}/messages").text
    text = _text(page)
    assert "Awa Diallo" in text and "non délivré" in text and "compte rendu du point d'étape" in text
    assert "Corps secret" not in page and "awa@example.org" not in page
    retried = _post(client, f"/projets/{slug}/messages/relancer", {})
    assert "1 message remis en file d'envoi." in _landing(client, retried)
    with session_scope(db_url) as session:
        states = session.exec(select(OutboxMessage.state).where(col(OutboxMessage.about) == "gathering:test")).all()
        assert states and OutboxState.DEAD not in states
    again = _post(client, f"/projets/{slug}/messages/relancer", {})
    assert "Aucun message à renvoyer." in _landing(client, again)


# --- in Chromium, with axe-core -----------------------------------------------------------------


@pytest.mark.browser
def test_my_project_pages_pass_axe_in_chromium(
    browser: Browser,  # noqa: F811
    live_server: str,  # noqa: F811
    web_world: WebWorld,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from evaluation.checkpoints import ActionItem, CheckpointRecord, record_checkpoint
    from tests.fixtures_web import COORDINATOR, PASSWORD

    monkeypatch.setenv("COCON_NOW", "2027-02-01T10:00")
    slug = web_world.slug_a
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        claire = session.exec(select(Person).where(Person.email == COORDINATOR)).one()
        record = CheckpointRecord(held_on=date(2027, 1, 29), attendees=[claire.id or 0, web_world.partner_a],
                                  decisions=["Un café avant chaque réunion"],
                                  actions=[ActionItem("Maquette", "Awa Diallo", date(2027, 2, 12))])
        record_checkpoint(session, project, "rencontre", record, actor="test")
        from charters.versions import refresh_version

        refresh_version(session, project, actor="test")  # version 1; the newcomer below makes version 2
        add_person(session, project, name="Hugo Nouveau", role="patient-partenaire", email="hugo@example.org",
                   actor="test")
    check = Checker()
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").first.fill(COORDINATOR)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/tableau-de-bord")
    awa = web_world.partner_a
    for path, name in [
        ("", "parts-01-vue-d-ensemble"),
        ("/planning", "parts-02-planning"),
        ("/personnes", "parts-03-personnes"),
        (f"/personnes/{awa}", "parts-04-personne"),
        (f"/personnes/{awa}/effacer", "parts-05-effacer"),
        ("/charte", "parts-06-charte"),
        ("/charte/changements/2", "parts-06b-charte-changements"),
        ("/points-etape", "parts-07-points-etape"),
        ("/points-etape/rencontre", "parts-08-compte-rendu"),
        ("/messages", "parts-09-messages"),
        ("/evaluation/remerciements/apercu", "parts-10-apercu-remerciements"),
    ]:
        page.goto(f"{live_server}/projets/{slug}{path}")
        assert page.url == f"{live_server}/projets/{slug}{path}", path  # the page itself, not a redirect
        assert page.locator("nav.project-nav [aria-current=page]").count() == 1, path
        check(page, name)
    # A confirmation is visible where the coordinator lands.
    page.goto(f"{live_server}/projets/{slug}/planning")
    page.get_by_label("La commencer").check()
    page.get_by_role("button", name="Appliquer").click()
    page.get_by_role("status").filter(has_text="Étape commencée.").wait_for()
    assert page.get_by_role("status").first.is_visible()
    check(page, "parts-10-confirmation")
    assert not check.problems, "\n".join(check.problems)
