"""The dashboard in Chromium: figures and filters work as links and forms, axe-core finds no
serious or critical violation, on a desktop and on a 390×844 phone."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures_web import PASSWORD
from tests.test_web_browser import PHONE, TIMEOUT_MS, Checker, browser, live_server  # noqa: F401 (fixtures)
from tests.test_web_dashboard import FACILITATOR, board_world  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_dashboard_in_chromium_filters_sorts_and_passes_axe(browser: Browser, live_server: str, board_world: None) -> None:  # noqa: F811
    check = Checker()
    base = live_server
    for name, options in (("desktop", {}), ("telephone", PHONE)):
        context = browser.new_context(**options)  # type: ignore[arg-type]
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base}/connexion")
        page.get_by_label("Adresse e-mail").first.fill(FACILITATOR)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page).to_have_url(f"{base}/tableau-de-bord")
        check(page, f"20-tableau-de-bord-{name}")

        page.get_by_role("link", name="3 projets à surveiller").click()
        expect(page).to_have_url(f"{base}/tableau-de-bord?attention=any")
        assert page.get_by_role("rowheader").count() == 3
        row = page.get_by_role("row").filter(has_text="Diagnostic territorial")
        assert "n'est pas clos" in row.inner_text()
        check(page, f"21-tableau-de-bord-a-surveiller-{name}")

        page.get_by_role("link", name=re.compile("^Projet")).click()  # sort by name
        expect(page).to_have_url(re.compile(r"sort=name"))
        assert page.get_by_role("rowheader").first.inner_text() == "Accueil en salle d'attente"

        page.get_by_label("Rechercher (nom ou structure)").fill("zzz")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("Aucun projet ne correspond à ces critères.")).to_be_visible()
        check(page, f"22-tableau-de-bord-vide-{name}")
        context.close()
    assert not check.problems, "\n".join(check.problems)
