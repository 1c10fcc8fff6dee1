"""The whole method in Chromium: one coordinator runs a ``partenariat-msp`` project from its creation
to *clos*, logged in once, without the CLI and without touching the store; the patient partner acts
from the links in their emails on a 390×844 phone.

Only the first account is made by the fixture (through the accounts service, as an administrator
would). The clock moves between the phases with ``COCON_NOW``, which the app reads on each request.
Every page is screenshot, numbered, to tests/artifacts/journey/ and checked with axe-core.
"""

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from accounts.staff import add_account
from store.db import session_scope
from store.models import AccountKind, PlanChange, PlanStep, ProjectPhase, StepStatus, WebSession
from store.models.evaluation import (
    Contribution,
    FeedbackResponse,
    Gathering,
    IndicatorValue,
    Proposal,
    ProposalStatus,
    Restitution,
)
from store.projects import get_project
from tests.fixtures_notifications import SmtpSink
from tests.test_web_browser import (  # noqa: F401 (fixtures)
    BLOCKING,
    PHONE,
    TIMEOUT_MS,
    Checker,
    browser,
    link_in,
    live_server,
    wait_for_mail,
)

pytestmark = pytest.mark.browser

JOURNEY = Path(__file__).parent / "artifacts" / "journey"
COORDINATOR = "claire@example.org"
PASSWORD = "mot-de-passe-solide"
STRUCTURE = "MSP des Tilleuls"
PARTNER = ("Bernard Lemoine", "patient-partenaire", "bernard@example.org")
PROFESSIONALS = [("Dr Hélène Roy", "professionnel", "helene@example.org"), ("Tom Nguyen", "professionnel", "tom@example.org")]
SLUG = "affiches-de-la-salle-d-attente"
#: One weekday morning (Paris) per stage, so that mail to people leaves at once. A web session ends
#: after 2 idle days and at 14 days (accounts/sessions.py): to stay logged in once, the group works
#: ahead of its plan and each stage comes the next day.
BEFORE, DURING, AFTER, CLOSING = "2026-12-01T10:00", "2026-12-02T10:00", "2026-12-03T10:00", "2026-12-04T10:00"


class Journey(Checker):
    """Numbered screenshots in tests/artifacts/journey/ and axe-core on each page."""

    def __init__(self) -> None:
        super().__init__()
        JOURNEY.mkdir(parents=True, exist_ok=True)
        for old in JOURNEY.glob("*.png"):
            old.unlink()

    def __call__(self, page: Page, name: str) -> None:
        number = len(self.pages) + 1
        page.screenshot(path=str(JOURNEY / f"{number:02d}-{name}.png"), full_page=True)
        for violation in self.axe.run(page).response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(f"{number:02d}-{name}: {violation['id']} ({violation['impact']}) {targets}")
        assert page.locator("html").get_attribute("lang") == "fr"
        self.pages.append(name)


@pytest.fixture
def first_account(db_url: str) -> Iterator[str]:
    """The one account that exists before the journey: the coordinator's, made by an administrator."""
    with session_scope(db_url) as session:
        add_account(
            session, email=COORDINATOR, name="Claire Martin", kind=AccountKind.COORDINATOR,
            structures=[STRUCTURE], password=PASSWORD, actor="admin",
        )
    yield COORDINATOR


def _status(db_url: str) -> tuple[ProjectPhase, dict[str, StepStatus]]:
    """Read-only: the project's phase and the status of each step (occurrences by their own key)."""
    with session_scope(db_url) as session:
        project = get_project(session, SLUG)
        steps = _steps(session, project.id)
        return project.phase, {s.key: s.status for s in steps}


def _steps(session: Session, project_id: int | None) -> list[PlanStep]:
    return list(session.exec(select(PlanStep).where(PlanStep.project_id == project_id)))


def mail_with(sink: SmtpSink, address: str, needle: str, timeout: float = 60) -> str:
    """The text of the first email to ``address`` that contains ``needle`` (mail leaves in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in sink.to(address):
            if needle in (text := mail.text()):
                return text
        time.sleep(0.1)
    raise AssertionError(f"no email to {address} containing {needle!r}")


def _ok(page: Page, text: str) -> None:
    expect(page.get_by_role("status").first).to_contain_text(text)


def test_one_coordinator_runs_a_project_from_creation_to_closed(
    browser: Browser,  # noqa: F811
    live_server: str,  # noqa: F811
    first_account: str,
    smtp_sink: SmtpSink,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check = Journey()
    try:
        _journey(check, browser, live_server, smtp_sink, db_url, monkeypatch)
    except BaseException:
        for number, open_page in enumerate(p for context in browser.contexts for p in context.pages):
            open_page.screenshot(path=str(JOURNEY / f"echec-{number}.png"), full_page=True)
        raise
    assert not check.problems, "\n".join(check.problems)


def _journey(
    check: Journey, chromium: Browser, base: str, smtp_sink: SmtpSink, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = f"{base}/projets/{SLUG}"
    monkeypatch.setenv("COCON_NOW", BEFORE)

    # --- Avant: log in once, create the project, add the people -------------------------------
    page = chromium.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/connexion")
    check(page, "connexion")
    page.get_by_label("Adresse e-mail").first.fill(COORDINATOR)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base}/tableau-de-bord")
    check(page, "tableau-de-bord-vide")
    page.get_by_role("link", name="Nouveau projet").first.click()
    page.get_by_role("link", name=re.compile("Voir ce que contient « Projet en partenariat")).click()
    check(page, "nouveau-projet-partenariat")
    page.get_by_label("Nom du projet").fill("Affiches de la salle d'attente")
    page.get_by_label("Structure").fill(STRUCTURE)
    page.get_by_label("Date de début").fill("2026-12-01")
    page.get_by_label("Date de fin visée").fill("2027-05-28")
    page.get_by_role("button", name="Créer le projet").click()
    expect(page).to_have_url(f"{project}?ok=created")
    check(page, "projet-cree")

    page.get_by_role("link", name="Personnes", exact=True).click()
    for name, role, email in [PARTNER, *PROFESSIONALS]:
        page.locator("#ap-name").fill(name)
        page.locator("#ap-role").select_option(value=role)
        page.locator("#ap-email").fill(email)
        page.get_by_role("button", name="Ajouter une personne").click()
        expect(page).to_have_url(re.compile(r"ok=person"))
    check(page, "personnes")

    # Indicators chosen with targets, then the choice declared made.
    page.goto(f"{project}/indicateurs")
    for code, baseline, target, minimum in [
        ("partenaires-impliques", "0", "2", "1"),
        ("propositions-retenues", "0", "2", "1"),
        ("taux-reponse-questionnaire", "", "60", "40"),
    ]:
        page.locator("#ic-code").select_option(value=code)
        page.locator("#ic-baseline").fill(baseline)
        page.locator("#ic-target").fill(target)
        page.locator("#ic-minimum").fill(minimum)
        page.get_by_role("button", name="Enregistrer l'indicateur").click()
        expect(page.locator("#ic-code")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("partenaires-impliques")
    page.get_by_role("button", name="Le choix des indicateurs est fait").click()
    expect(page).to_have_url(re.compile(r"ok=indicators_done"))
    expect(page.get_by_role("button", name="Le choix des indicateurs est fait")).to_have_count(0)
    check(page, "indicateurs-choisis")

    # The charter: the coordinator signs, then sends every missing signer their link at once.
    page.goto(f"{project}/charte")
    page.get_by_role("button", name="Je signe la charte").click()
    expect(page).to_have_url(re.compile(r"ok=signed"))
    page.get_by_role("button", name="Envoyer le lien de signature à ces 3 personnes").click()
    expect(page).to_have_url(re.compile(r"/charte\?ok=sign_links&n=3&plus_tard=0"))
    _ok(page, "3 liens de signature envoyés.")
    check(page, "charte-liens-envoyes")

    # The partner, on a phone, opens the link from the email and signs.
    phone = chromium.new_context(**PHONE)  # type: ignore[arg-type]
    partner = phone.new_page()
    partner.set_default_timeout(TIMEOUT_MS)
    signing = link_in(wait_for_mail(smtp_sink, PARTNER[2], 1, timeout=60), base, "/charte/signer/")
    partner.goto(signing)
    check(partner, "telephone-charte")
    partner.get_by_role("button", name="Je signe la charte").click()
    partner.get_by_text("votre signature de la version").wait_for()
    check(partner, "telephone-charte-signee")
    mail_with(smtp_sink, PARTNER[2], "votre signature de la charte")  # the signed copy follows

    # The professionals signed on paper at the meeting.
    page.goto(f"{project}/charte")
    for name, _, _ in PROFESSIONALS:
        page.get_by_role("button", name=f"A signé sur papier — {name}").click()
        expect(page).to_have_url(re.compile(r"ok=paper"))
    expect(page.get_by_text("Toutes les personnes qui signent ont signé")).to_be_visible()
    check(page, "charte-signee")

    # The first meeting, the actors' map and the method, on their pages.
    page.goto(f"{project}/points-etape")
    page.locator("#cp-step").select_option(value="rencontre")
    for name in ("Claire Martin", PARTNER[0], PROFESSIONALS[0][0]):
        page.get_by_label(name, exact=True).first.check()
    page.locator("#cp-decisions").fill("Partir des remarques des patients sur les affiches")
    page.get_by_role("button", name="Enregistrer un point d'étape").click()
    expect(page).to_have_url(re.compile(r"/points-etape\?ok=checkpoint"))
    check(page, "rencontre")

    page.goto(f"{project}/planning")
    for step, action in [("cartographie", "done"), ("methode", "skip")]:
        page.locator("#state-step").select_option(value=step)
        page.locator(f"#state-{action}").check()
        page.get_by_role("button", name="Appliquer").click()
        expect(page).to_have_url(re.compile(r"/planning\?ok="))
    check(page, "planning-avant")

    page.goto(project)
    expect(page.get_by_text("Tout est prêt pour passer à la phase suivante.")).to_be_visible()
    check(page, "vue-avant-passage")
    page.get_by_role("button", name="Passer à la phase suivante").click()
    expect(page).to_have_url(re.compile(r"ok="))
    assert _status(db_url)[0] == ProjectPhase.PENDANT

    # --- Pendant: the kick-off meetings, a checkpoint with actions and minutes, the work -------
    monkeypatch.setenv("COCON_NOW", DURING)
    page.goto(f"{project}/points-etape")
    for step in ("retroplanning", "convivialite"):
        page.locator("#cp-step").select_option(value=step)
        for name in ("Claire Martin", PARTNER[0], PROFESSIONALS[1][0]):
            page.get_by_label(name, exact=True).first.check()
        page.get_by_role("button", name="Enregistrer un point d'étape").click()
        expect(page).to_have_url(re.compile(r"/points-etape\?ok=checkpoint"))
    occurrence = page.locator("#cp-step option", has_text="Point d'étape").first.get_attribute("value")
    assert occurrence
    page.locator("#cp-step").select_option(value=occurrence)
    for name in ("Claire Martin", PARTNER[0], PROFESSIONALS[0][0], PROFESSIONALS[1][0]):
        page.get_by_label(name, exact=True).first.check()
    page.locator("#cp-decisions").fill("Trois affiches en gros caractères\nUne relecture par les patients")
    page.locator("#cp-act-what-0").fill("Maquetter les affiches")
    page.locator("#cp-act-who-0").select_option(label=PARTNER[0])
    page.locator("#cp-act-due-0").fill("2026-12-16")
    page.locator("#cp-act-what-1").fill("Demander un devis d'impression")
    page.locator("#cp-act-who-1").select_option(label=PROFESSIONALS[1][0])
    page.locator("#cp-act-due-1").fill("2026-12-09")
    page.get_by_label(re.compile(r"^Mener l'action co-construite")).select_option(value="in_progress")
    page.locator("#cp-mv-step-0").select_option(value="action")
    page.locator("#cp-mv-to-0").fill("2027-04-23")
    page.locator("#cp-mv-why-0").fill("L'imprimeur ferme en mars")
    page.locator("#cp-notes").fill("Bonne ambiance, tout le monde a pu parler.")
    expect(page.locator("#cp-send")).to_be_checked()
    page.get_by_role("button", name="Enregistrer un point d'étape").click()
    expect(page).to_have_url(re.compile(r"/points-etape\?ok=checkpoint_sent"))
    check(page, "point-etape")
    minutes = mail_with(smtp_sink, PARTNER[2], "Maquetter les affiches")
    assert "L'imprimeur ferme en mars" in minutes or "Trois affiches en gros caractères" in minutes
    page.get_by_role("link", name=re.compile("compte rendu")).last.click()
    check(page, "compte-rendu")

    # Contributions with expenses reimbursed in bulk, a proposal and its fate, measurements.
    page.goto(f"{project}/contributions")
    for hours, amount in [("3", "18,60"), ("2", "9,20")]:
        page.locator("#co-person").select_option(label=PARTNER[0])
        page.locator("#co-hours").fill(hours)
        page.locator("#co-amount").fill(amount)
        page.get_by_role("button", name="Ajouter du temps ou des frais").click()
        _ok(page, "Contribution enregistrée.")
    for amount in ("18,60", "9,20"):
        page.get_by_label(f"Frais de {PARTNER[0]} : {amount}\u00a0€").check()
    page.get_by_role("button", name="Marquer remboursées les dépenses cochées").click()
    _ok(page, "Dépenses marquées remboursées : 2.")
    check(page, "contributions")

    page.goto(f"{project}/propositions")
    page.locator("#pr-text").fill("Écrire les affiches en gros caractères avec des pictogrammes")
    page.locator("#pr-person").select_option(label=PARTNER[0])
    page.get_by_role("button", name="Ajouter une proposition").click()
    _ok(page, "Proposition enregistrée.")
    page.locator("select[id^='st-']").first.select_option(value="adoptee")
    page.locator("[id^='re-']").first.fill("Adoptée au point d'étape du 2 décembre")
    page.get_by_role("button", name="Enregistrer la suite").first.click()
    expect(page.locator("select[id^='st-']").first).to_have_value("adoptee")
    check(page, "propositions")

    page.goto(f"{project}/planning")
    page.locator("#state-step").select_option(value="action")
    page.locator("#state-done").check()
    page.locator("#state-note").fill("Affiches posées")
    page.get_by_role("button", name="Appliquer").click()
    expect(page).to_have_url(re.compile(r"/planning\?ok="))
    check(page, "planning-pendant")
    page.goto(f"{project}/messages")
    expect(page.get_by_role("table").first).to_contain_text(PARTNER[0])
    check(page, "messages")

    page.goto(f"{project}/indicateurs")
    for code, value in [("partenaires-impliques", "1"), ("propositions-retenues", "1")]:
        page.locator("#iv-code").select_option(value=code)
        page.locator("#iv-value").fill(value)
        page.get_by_role("button", name="Enregistrer une mesure").click()
        _ok(page, "Mesure enregistrée.")
    check(page, "indicateurs-mesures")

    page.goto(project)
    expect(page.get_by_text("Tout est prêt pour passer à la phase suivante.")).to_be_visible()
    page.get_by_role("button", name="Passer à la phase suivante").click()
    expect(page).to_have_url(re.compile(r"ok="))
    check(page, "vue-apres")
    assert _status(db_url)[0] == ProjectPhase.APRES

    # --- Après: questionnaire, evaluation, restitution, thanks --------------------------------
    monkeypatch.setenv("COCON_NOW", AFTER)
    page.goto(f"{project}/questionnaire")
    page.get_by_role("button", name="Inviter tout le monde").click()
    _ok(page, "Invitations préparées")
    check(page, "questionnaire-invitations")
    questionnaire = link_in(mail_with(smtp_sink, PARTNER[2], "/questionnaire/"), base, "/questionnaire/")
    partner.goto(questionnaire)
    check(partner, "telephone-questionnaire")
    for group in partner.get_by_role("group").all():
        group.get_by_label("Tout à fait d'accord").first.check()
    partner.get_by_role("button", name="Envoyer mes réponses").click()
    partner.get_by_text("Vos réponses sont enregistrées").wait_for()
    check(partner, "telephone-questionnaire-merci")

    page.goto(f"{project}/evaluation")
    page.locator("#ev-conclusions").fill("Des affiches lisibles, faites avec les patients.")
    page.get_by_role("button", name="Lancer l'évaluation").click()
    expect(page).to_have_url(re.compile(r"/evaluation\?ok=evaluated"))
    _ok(page, "Évaluation faite")
    page.locator("#rs-presented").fill("Les affiches et les chiffres de l'évaluation")
    for name in ("Claire Martin", PARTNER[0]):
        page.locator("#cloture").get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Enregistrer la restitution").click()
    expect(page).to_have_url(re.compile(r"/evaluation\?ok=restitution"))
    page.get_by_role("button", name="Envoyer les remerciements").click()
    expect(page).to_have_url(re.compile(r"/evaluation\?ok=thanked&n=[1-9]"))
    check(page, "evaluation-cloture")
    thanks = mail_with(smtp_sink, PARTNER[2], "Nous voulons vous remercier")
    assert "Écrire les affiches en gros caractères" in thanks and "remboursés le" in thanks

    # --- Clos ------------------------------------------------------------------------------------
    monkeypatch.setenv("COCON_NOW", CLOSING)
    page.goto(project)
    expect(page.get_by_text("Tout est prêt pour passer à la phase suivante.")).to_be_visible()
    page.get_by_role("button", name="Passer à la phase suivante").click()
    expect(page).to_have_url(re.compile(r"ok="))
    check(page, "projet-clos")
    phase, steps = _status(db_url)
    assert phase == ProjectPhase.CLOS
    assert steps["charte"] == steps["indicateurs"] == steps["restitution"] == steps["remerciements"] == StepStatus.DONE
    assert steps["methode"] == StepStatus.SKIPPED and steps["action"] == StepStatus.DONE
    _what_the_store_holds(db_url)
    page.goto(f"{base}/tableau-de-bord")
    check(page, "tableau-de-bord-clos")


def _what_the_store_holds(db_url: str) -> None:
    """Read-only: what the clicks left in the store, as the CLI would have left it."""
    with session_scope(db_url) as session:
        project = get_project(session, SLUG)
        mine = {"project_id": project.id}
        checkpoint = session.exec(select(Gathering).filter_by(kind="checkpoint", **mine)).one()
        assert [(a["what"], a["who"]) for a in checkpoint.actions] == [
            ("Maquetter les affiches", PARTNER[0]), ("Demander un devis d'impression", PROFESSIONALS[1][0])
        ]
        assert checkpoint.minutes_sent_at is not None and checkpoint.step_statuses["action"] == "in_progress"
        moved = session.exec(select(PlanChange).filter_by(step_key="action", **mine)).all()
        assert [(c.new_due, c.reason) for c in moved] == [(date(2027, 4, 23), "L'imprimeur ferme en mars")]
        contributions = session.exec(select(Contribution).filter_by(**mine)).all()
        assert sorted(c.amount_cents or 0 for c in contributions) == [920, 1860]
        assert all(c.reimbursed_on == date(2026, 12, 2) for c in contributions)
        assert [p.status for p in session.exec(select(Proposal).filter_by(**mine))] == [ProposalStatus.ADOPTED]
        assert len(session.exec(select(FeedbackResponse).filter_by(**mine)).all()) == 1
        assert session.exec(select(Restitution).filter_by(**mine)).one().presented.startswith("Les affiches")
        assert len(session.exec(select(WebSession)).all()) == 1  # logged in once, from start to end
        measured = {v.code for v in session.exec(select(IndicatorValue).filter_by(computed=False, **mine))}
        assert {"partenaires-impliques", "propositions-retenues"} <= measured
