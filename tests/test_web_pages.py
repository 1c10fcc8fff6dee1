"""The pages and their actions over HTTP: each action goes through the store or a service."""

import re
import xml.etree.ElementTree as ET
from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cocon.web.pages import TEMPLATES_DIR
from cocon.web.timeline import TimelineRow, timeline_svg
from evaluation.indicators import Verdict, indicator_statuses
from evaluation.questionnaire import invite
from planning.calendar import HolidayZone, is_working_day
from store.db import get_engine, session_scope
from store.models import (
    Account,
    AccountKind,
    CharterSignature,
    ContributionKind,
    FeedbackInvitation,
    FeedbackResponse,
    IndicatorValue,
    Membership,
    OutboxState,
    Person,
    PlanChange,
    Project,
    ProjectPhase,
    RoleGroup,
    StepStatus,
)
from store.people import get_person
from store.plans import get_step, plan_steps
from store.projects import get_project
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import WebWorld, csrf_of, log_in, log_in_with_link


def _post(client: TestClient, path: str, data: dict[str, str], page: str = "/tableau-de-bord"):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)})


def test_create_a_project_from_a_template(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in(client)
    preview = client.get("/projets/nouveau?modele=partenariat-msp")
    assert "en clair" in preview.text and "Ce que ce rôle ne fait pas" in preview.text
    assert "Signer la charte d'engagement" in unescape(preview.text)
    response = _post(
        client,
        "/projets/nouveau",
        {
            "template": "partenariat-msp",
            "name": "Boîte à idées",
            "structure": "MSP des Tilleuls",
            "start": "2027-02-01",
            "end": "2027-08-27",
        },
        "/projets/nouveau",
    )
    assert response.status_code == 303 and response.headers["location"] == "/projets/boite-a-idees?ok=created"
    page = client.get(response.headers["location"])
    assert "Projet créé" in page.text and "Que faire maintenant" in page.text
    assert "<svg" in client.get("/projets/boite-a-idees/planning").text
    with session_scope(db_url) as session:
        project = get_project(session, "boite-a-idees")
        roles = session.exec(select(Membership.role).where(Membership.project_id == project.id)).all()
        assert roles == ["coordination"]  # the coordinator who created it belongs to it
        assert project.holiday_zone == HolidayZone.METROPOLE


def test_a_structure_in_alsace_moselle_keeps_its_two_holidays(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in(client)
    form = client.get("/projets/nouveau?modele=boite-a-idees")
    assert "Alsace-Moselle" in form.text and 'name="alsace_moselle"' in form.text
    fields = {"template": "boite-a-idees", "name": "Idées à Metz", "structure": "MSP des Tilleuls",
              "start": "2027-01-04", "end": "2027-12-17", "alsace_moselle": "1"}
    response = _post(client, "/projets/nouveau", fields, "/projets/nouveau")
    assert response.status_code == 303
    with session_scope(db_url) as session:
        project = get_project(session, "idees-a-metz")
        assert project.holiday_zone == HolidayZone.ALSACE_MOSELLE
        assert all(is_working_day(step.due, HolidayZone.ALSACE_MOSELLE) for step in plan_steps(session, project))


def test_bad_project_input_is_one_french_sentence(client: TestClient, web_world: WebWorld) -> None:
    log_in(client)
    response = _post(
        client,
        "/projets/nouveau",
        {
            "template": "partenariat-msp",
            "name": "Trop court",
            "structure": "MSP",
            "start": "2027-02-01",
            "end": "2027-02-10",
        },
        "/projets/nouveau",
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "Traceback" not in response.text
    path = _post(
        client,
        "/projets/nouveau",
        {"template": "/etc/passwd", "name": "X", "structure": "MSP", "start": "", "end": "2027-08-01"},
        "/projets/nouveau",
    )
    assert path.status_code == 400 and "Choisissez un modèle" in path.text


def test_coordinator_actions_go_through_the_store(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in(client)
    slug = web_world.slug_a
    added = _post(
        client,
        f"/projets/{slug}/personnes",
        {"name": "Lucie Blanc", "role": "patient-partenaire", "email": "lucie@example.org", "language": "fr"},
    )
    assert added.status_code == 303
    duplicate = _post(
        client,
        f"/projets/{slug}/personnes",
        {"name": "Lucie Blanc", "role": "patient-partenaire", "email": "lucie@example.org"},
    )
    assert duplicate.status_code == 400 and "a déjà le rôle" in duplicate.text
    evenings = client.post(
        f"/projets/{slug}/personnes",
        data={"name": "Marc Petit", "role": "patient-partenaire", "email": "marc@example.org", "language": "fr",
              "availability": ["soir", "week-end"], "quiet_hours": "21:00-09:00",
              "csrf_token": csrf_of(client, "/tableau-de-bord")},
    )
    assert evenings.status_code == 303
    with Session(get_engine(db_url)) as check:
        marc = check.exec(select(Person).where(Person.email == "marc@example.org")).one()
        assert marc.availability == ["soir", "week-end"] and marc.quiet_hours == "21:00-09:00"
    bad_hours = _post(client, f"/projets/{slug}/personnes",
                      {"name": "Zoé", "role": "professionnel", "email": "zoe@example.org", "quiet_hours": "tard"})
    assert bad_hours.status_code == 400 and "Heures calmes" in bad_hours.text

    no_reason = _post(
        client, f"/projets/{slug}/etapes/deplacer", {"step": "rencontre", "to": "2027-02-08", "reason": " "}
    )
    assert no_reason.status_code == 400 and "Indiquez pourquoi" in no_reason.text
    moved = _post(
        client,
        f"/projets/{slug}/etapes/deplacer",
        {"step": "rencontre", "to": "2027-02-09", "reason": "Salle indisponible"},
    )
    assert moved.status_code == 303
    done = _post(client, f"/projets/{slug}/etapes/terminer", {"step": "cartographie", "note": "12 acteurs"})
    assert done.status_code == 303

    gate = _post(client, f"/projets/{slug}/phase", {})
    assert gate.status_code == 400 and "ne peut pas passer en phase" in gate.text

    assert "Salle indisponible" in client.get(f"/projets/{slug}/planning").text
    assert "Lucie Blanc" in client.get(f"/projets/{slug}/personnes").text
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        assert get_step(session, project, "cartographie").status == StepStatus.DONE
        assert get_step(session, project, "rencontre").due == date(2027, 2, 9)
        assert session.exec(select(PlanChange).where(PlanChange.reason == "Salle indisponible")).first() is not None


def test_record_a_checkpoint_and_an_indicator(
    client: TestClient,
    web_world: WebWorld,
    db_url: str,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-29T18:00")  # the evening of the meeting recorded below
    log_in(client)
    slug = web_world.slug_a
    with session_scope(db_url) as session:
        code = indicator_statuses(session, get_project(session, slug))[0].definition.code
    bad = _post(client, f"/projets/{slug}/indicateurs", {"code": code, "value": "beaucoup"})
    assert bad.status_code == 400 and "Valeur illisible" in bad.text
    ok = _post(client, f"/projets/{slug}/indicateurs", {"code": code, "value": "1"})
    assert ok.status_code == 303
    with session_scope(db_url) as session:
        assert session.exec(select(IndicatorValue)).one().value == 1

    claire = re.search(r'id="cp-a-(\d+)"', client.get(f"/projets/{slug}/points-etape").text)
    assert claire
    response = client.post(
        f"/projets/{slug}/points-etape",
        data={
            "csrf_token": csrf_of(client, "/tableau-de-bord"),
            "step": "rencontre",
            "held_on": "2027-01-29",
            "attendees": [claire.group(1)],
            "decisions": "Se retrouver le jeudi soir\nPrévoir un café",
            "notes": "",
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/projets/{slug}/points-etape").text
    assert "Se retrouver le jeudi soir" in page


def test_a_checkpoint_not_held_yet_is_refused_on_the_page(
    client: TestClient,
    web_world: WebWorld,
    db_url: str,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-28T18:00")  # the day before the meeting
    log_in(client)
    slug = web_world.slug_a
    claire = re.search(r'id="cp-a-(\d+)"', client.get(f"/projets/{slug}/points-etape").text)
    assert claire
    response = _post(
        client,
        f"/projets/{slug}/points-etape",
        {"step": "rencontre", "held_on": "2027-01-29", "attendees": claire.group(1), "decisions": "Un café"},
    )
    assert response.status_code == 400
    assert (
        "La réunion ne peut pas être enregistrée à une date future (vendredi 29 janvier 2027) : "
        "enregistrez-la une fois tenue."
    ) in unescape(response.text)
    with session_scope(db_url) as session:
        assert get_step(session, get_project(session, slug), "rencontre").status == StepStatus.PLANNED


def test_dashboard_shows_phase_milestone_late_steps_and_filters(
    client: TestClient,
    web_world: WebWorld,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-03-15T10:00")
    log_in(client, email="nadia@example.org")
    page = client.get("/tableau-de-bord").text
    assert "Accueil en salle d" in page and "en retard" in page and "à signer" in page
    cards = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('class="cards figures"')[1].split("</ul>")[0]))
    assert "1 projet " in cards and "1 charte pas encore signée" in cards, cards  # singular, lower case
    assert client.get("/tableau-de-bord?phase=pendant").text.count("/projets/accueil-tilleuls") == 0
    assert "/projets/accueil-tilleuls" in client.get("/tableau-de-bord?structure=MSP+des+Tilleuls&phase=avant").text


def test_partner_signs_the_charter_from_the_emailed_link(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, office_hours: str
) -> None:
    log_in(client)
    slug = web_world.slug_a
    charter = client.get(f"/projets/{slug}/charte")
    assert "Awa Diallo" in charter.text and "n'a pas encore signé" in unescape(charter.text)
    sent = _post(client, f"/projets/{slug}/charte/lien/{web_world.partner_a}", {}, f"/projets/{slug}/charte")
    assert sent.status_code == 303
    mail = smtp_sink.to("awa@example.org")[0]
    path = re.search(r"http://testserver(/charte/signer/[\w-]+)", mail.text())
    assert path and "charte" in mail.subject

    partner = TestClient(client.app, follow_redirects=False)
    page = partner.get(path.group(1))
    assert page.status_code == 200 and "Je signe la charte" in page.text
    pdf = partner.get(path.group(1) + "/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    signed = partner.post(path.group(1), data={"csrf_token": csrf_of(partner, path.group(1))})
    assert signed.status_code == 200 and "signature de la version 1" in signed.text
    assert partner.post(path.group(1), data={"csrf_token": csrf_of(partner)}).status_code == 410
    with session_scope(db_url) as session:
        assert session.exec(select(CharterSignature)).one().person_id == web_world.partner_a
    assert "a signé la version 1" in client.get(f"/projets/{slug}/charte").text


def test_a_logged_in_signer_signs_and_downloads_the_pdf(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    slug = web_world.slug_a
    page = client.get(f"/projets/{slug}/charte")
    assert "Je signe la charte" in page.text
    assert _post(client, f"/projets/{slug}/charte/signer", {}).status_code == 303
    again = client.get(f"/projets/{slug}/charte?ok=signed")
    assert "votre signature est enregistrée" in again.text and "Je signe la charte" not in again.text
    pdf = client.get(f"/projets/{slug}/charte.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_questionnaire_from_the_invitation_link(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    with session_scope(db_url) as session:
        project = get_project(session, web_world.slug_a)
        token = invite(session, project, [(get_person(session, web_world.partner_a), RoleGroup.PARTNER)], actor="test")[
            0
        ].token
    page = client.get(f"/questionnaire/{token}")
    assert page.status_code == 200 and "Tout à fait d'accord" in unescape(page.text)
    empty = client.post(f"/questionnaire/{token}", data={"csrf_token": csrf_of(client, f"/questionnaire/{token}")})
    assert empty.status_code == 400 and "Aucune réponse" in empty.text
    answered = client.post(
        f"/questionnaire/{token}",
        data={
            "csrf_token": csrf_of(client, f"/questionnaire/{token}"),
            "info-role-clair": "5",
            "info-soutien": "nsp",
        },
    )
    assert answered.status_code == 200 and "Vos réponses sont enregistrées" in answered.text
    assert client.get(f"/questionnaire/{token}").status_code == 410
    with session_scope(db_url) as session:
        response = session.exec(select(FeedbackResponse)).one()
        assert response.answers == {"info-role-clair": 5, "info-soutien": None}
        assert session.exec(select(FeedbackInvitation)).one().answered


def test_my_contributions_and_evaluation_pages(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    from evaluation.contributions import add_contribution
    from evaluation.proposals import add_proposal, decide_proposal
    from store.models import ContributionKind, ProposalSource, ProposalStatus

    with session_scope(db_url) as session:
        project = get_project(session, web_world.slug_a)
        awa = get_person(session, web_world.partner_a)
        add_contribution(
            session,
            project,
            awa,
            on=date(2027, 2, 4),
            kind=ContributionKind.MEETING,
            hours=2.5,
            amount_cents=1240,
            actor="test",
        )
        proposal = add_proposal(
            session, project, awa, text="Une affiche en gros caractères", source=ProposalSource.CHECKPOINT, actor="test"
        )
        assert proposal.id is not None
        decide_proposal(session, project, proposal.id, ProposalStatus.ADOPTED, actor="test")
    log_in_with_link(client, db_url, web_world.partner_a)
    mine = client.get("/mes-contributions").text
    assert "2,5\u202fh" in mine and "2.5" not in mine and "12,40" in mine and "Une affiche en gros caractères" in mine and "adoptée" in mine
    assert "Diagnostic territorial" not in mine
    evaluation = client.get(f"/projets/{web_world.slug_a}/evaluation")
    assert evaluation.status_code == 200 and "Indicateurs" in evaluation.text
    assert "Aucune rencontre enregistrée." in evaluation.text  # the Participation section is never left empty


def test_english_switch(client: TestClient, web_world: WebWorld) -> None:
    log_in(client)
    response = _post(client, "/langue", {"lang": "en", "next": "/tableau-de-bord"})
    assert response.status_code == 303
    page = client.get("/tableau-de-bord").text
    assert '<html lang="en">' in page and "Dashboard" in page and "Tableau de bord" not in page


def test_every_string_exists_in_both_languages() -> None:
    # both languages, placeholders and plurals: tests/test_catalogue.py; here, the families of keys
    # the pages build from a prefix and a value (`t("phase_" + phase.value)`) exist for every value
    from cocon.web.overview import FIGURES
    from cocon.web.plan import STATE_ACTIONS
    from cocon.web.project_people import SLOTS
    from locales import keys as catalogue_keys
    from store.attention import ANY, Reason, SortKey

    used = {"card_"}  # the figures' labels are named in cocon/web/overview.py
    for template in TEMPLATES_DIR.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_0-9]+)["']""", template.read_text()))
    families = {
        "phase_": [p.value for p in ProjectPhase],
        "state_": [s.value for s in OutboxState],
        "verdict_": [v.value for v in Verdict],
        "kind_": [k.value for k in AccountKind],
        "contribution_": [c.value for c in ContributionKind],
        "attention_": [ANY, *(r.value for r in Reason)],
        "sort_": [k.value for k in SortKey],
        "section_": [k.removeprefix("section_") for k in catalogue_keys() if k.startswith("section_")],
        "card_": [f"{label.removeprefix('card_')}_{n}" for _, label in FIGURES for n in ("one", "many")],
        "slot_": list(SLOTS),
        "step_action_": list(STATE_ACTIONS),
    }
    for prefix, values in families.items():
        if prefix not in used:  # a family no page uses today (e.g. verdicts, between two pages)
            continue
        used.discard(prefix)
        used |= {prefix + value for value in values}
    assert used and used <= catalogue_keys(), used - catalogue_keys()


def test_timeline_svg_shows_moves_done_and_late_steps_without_colour_alone() -> None:
    rows = [
        TimelineRow("Repérer les acteurs", "avant", date(2027, 1, 15), date(2027, 1, 15), StepStatus.DONE),
        TimelineRow("Se rencontrer", "avant", date(2027, 2, 9), date(2027, 1, 29), StepStatus.PLANNED),
        TimelineRow("Signer <la> charte", "avant", date(2027, 3, 1), date(2027, 3, 1), StepStatus.PLANNED),
    ]
    svg = str(timeline_svg(rows, start=date(2027, 1, 4), end=date(2027, 7, 2), today=date(2027, 2, 15)))
    root = ET.fromstring(svg)  # well-formed, names escaped
    assert root.get("role") == "img"
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("déplacée" in t and "vendredi 29 janvier 2027" in t for t in titles)
    assert any("Se rencontrer" in t and "en retard" in t for t in titles)
    assert any("Repérer les acteurs" in t and "fait" in t for t in titles)
    assert 'stroke-dasharray="4 3"' in svg  # the move is drawn, not only coloured
    assert "Signer &lt;la&gt; charte" in svg


def test_user_add_creates_an_account_that_logs_in(cli, client: TestClient, db_url: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "user",
        "add",
        "--email",
        "Lea@MSP.example",
        "--name",
        "Léa Dubois",
        "--kind",
        "coordinator",
        "--structure",
        "MSP des Tilleuls",
        "--password-stdin",
        input="un mot de passe long\n",
    )
    assert result.exit_code == 0, result.output
    assert "Compte de coordination créé pour Léa Dubois (lea@msp.example)" in result.output
    again = cli("user", "add", "--email", "lea@msp.example", "--name", "Léa", "--kind", "coordinator")
    assert again.exit_code == 1 and "Un compte existe déjà" in again.output
    bad = cli("user", "add", "--email", "x@msp.example", "--name", "X", "--kind", "chef")
    assert bad.exit_code == 1 and "Type de compte inconnu" in bad.output and "Traceback" not in bad.output
    short = cli(
        "user",
        "add",
        "--email",
        "y@msp.example",
        "--name",
        "Y",
        "--kind",
        "facilitator",
        "--password-stdin",
        input="court\n",
    )
    assert short.exit_code == 1 and "au moins 10" in short.output
    with session_scope(db_url) as session:
        account = session.exec(select(Account)).one()
        assert account.password_hash and account.password_hash.startswith("$argon2id$")
    assert log_in(client, email="lea@msp.example", password="un mot de passe long").status_code == 303
    listing = cli("user", "list")
    assert "lea@msp.example\tcoordinator\tLéa Dubois\tMSP des Tilleuls" in listing.output


def test_unknown_pages_are_french_404(client: TestClient, web_world: WebWorld) -> None:
    response = client.get("/nulle-part")
    assert response.status_code == 404 and "Page introuvable" in response.text and '<html lang="fr">' in response.text


def test_projects_table_is_untouched_by_reads(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in(client, email="nadia@example.org")
    with session_scope(db_url) as session:
        before = [p.model_dump() for p in session.exec(select(Project))]
    client.get("/tableau-de-bord")
    client.get(f"/projets/{web_world.slug_a}")
    with session_scope(db_url) as session:
        assert [p.model_dump() for p in session.exec(select(Project))] == before


def test_cocon_serve_starts_the_web_app(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import httpx2

    from cocon.cli.serve import start_web
    from tests.fixtures_notifications import free_port

    port = free_port()
    monkeypatch.setenv("COCON_WEB_PORT", str(port))
    monkeypatch.setenv("COCON_BASE_URL", f"http://127.0.0.1:{port}")
    stop = start_web()
    try:
        response = httpx2.get(f"http://127.0.0.1:{port}/connexion")
        assert response.status_code == 200 and "Connexion" in response.text
    finally:
        stop()


def test_cocon_web_demo_prints_both_demo_logins(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cocon.cli.demo_accounts import DEMO_LOGINS
    from cocon.web import server

    class Idle:
        def run(self) -> None:
            return None

    monkeypatch.setattr(server, "server_for", lambda *args, **kwargs: Idle())
    result = cli("web", "--demo", "--port", "8799")
    assert result.exit_code == 0, result.output
    for email in DEMO_LOGINS:
        assert f"Connexion de démonstration : {email} / demo-cocon-2026" in result.output
