"""The project part pages in Chromium, with axe-core: a coordinator records a contribution, a
proposal and a measurement, then looks at the questionnaire, evaluation and team pages, gives a
gathering its time and place, and makes the team's calendar link."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import COORDINATOR, PASSWORD, WebWorld
from tests.test_web_browser import TIMEOUT_MS, Checker, browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_project_parts_in_chromium_pass_axe(
    browser: Browser, live_server: str, web_world: WebWorld, smtp_sink: SmtpSink, office_hours: str  # noqa: F811
) -> None:
    check = Checker()
    base = f"{live_server}/projets/{web_world.slug_a}"
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").first.fill(COORDINATOR)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server}/tableau-de-bord")

    page.goto(f"{base}/contributions")
    page.get_by_label("Personne").select_option(label="Awa Diallo")
    page.get_by_label("Heures").fill("2,5")
    page.get_by_label("Frais en euros").fill("12,40")
    page.get_by_role("button", name="Ajouter du temps ou des frais").click()
    expect(page.get_by_role("status")).to_contain_text("Contribution enregistrée.")
    page.get_by_label("Frais de Awa Diallo : 12,40\u00a0€").check()
    page.get_by_role("button", name="Marquer remboursées les dépenses cochées").click()
    expect(page.get_by_role("status")).to_contain_text("Dépenses marquées remboursées : 1.")
    check(page, "parts-01-contributions")

    page.goto(f"{base}/propositions")
    page.get_by_label("La proposition, dans les mots de la personne").fill("Une affiche en gros caractères")
    page.get_by_role("button", name="Ajouter une proposition").click()
    expect(page.get_by_role("status")).to_contain_text("Proposition enregistrée.")
    check(page, "parts-02-propositions")

    page.goto(f"{base}/indicateurs")
    page.locator("#iv-value").fill("1")
    page.get_by_role("button", name="Enregistrer une mesure").click()
    expect(page.get_by_role("status")).to_contain_text("Mesure enregistrée.")
    check(page, "parts-03-indicateurs")

    page.goto(f"{base}/questionnaire")
    page.get_by_role("button", name="Inviter tout le monde").click()
    expect(page.get_by_role("status")).to_contain_text("Invitations préparées")
    check(page, "parts-04-questionnaire")

    page.goto(f"{base}/evaluation")
    page.get_by_label("Conclusions de la coordination").fill("Une salle d'attente plus accueillante.")
    page.get_by_role("button", name="Lancer l'évaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Évaluation faite")
    check(page, "parts-05-evaluation")

    page.goto(f"{live_server}/equipe")
    check(page, "parts-06-equipe")

    page.goto(f"{base}/planning")
    page.locator('a[href*="/lieu"]').first.click()
    page.get_by_label("Heure de début (ex. 18:30)").fill("18:30")
    page.get_by_label("Adresse").fill("Salle du conseil, 2 rue des Tilleuls")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/etapes/[\w-]+/lieu\?ok=where$"))
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_label("Adresse")).to_have_value("Salle du conseil, 2 rue des Tilleuls")
    check(page, "parts-07-rencontre-lieu")

    page.goto(f"{base}/planning")
    page.get_by_role("link", name="Agenda de l'équipe").click()
    page.get_by_role("button", name="Obtenir un nouveau lien (l'ancien cesse de fonctionner)").click()
    expect(page.locator("code.feed-url")).to_contain_text("/calendrier/")
    check(page, "parts-08-agenda-equipe")
    assert not check.problems, check.problems
