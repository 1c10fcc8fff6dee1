"""The web app in a real browser: Debian's headless Chromium driven by Playwright, axe-core on every page.

The app runs with uvicorn on 127.0.0.1; emails go to the aiosmtpd server of the notifications
fixtures, and the partner follows the links found in them. Screenshots of every page are written
to tests/artifacts/screenshots/.
"""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cocon.web.server import start_in_thread
from store.db import session_scope
from store.projects import get_project
from tests.fixtures_notifications import SmtpSink, free_port
from tests.fixtures_web import FACILITATOR, PASSWORD, WebWorld

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "artifacts" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
BLOCKING = ("serious", "critical")
TIMEOUT_MS = 30_000  # generous: the machine is shared, and argon2 is deliberately slow

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def live_server(db_url: str, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("COCON_BASE_URL", address)
    server, thread = start_in_thread("127.0.0.1", port, db_url)
    try:
        yield address
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Checker:
    """Screenshots each page and runs axe-core on it; collects serious or critical violations."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.problems: list[str] = []
        self.pages: list[str] = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        results = self.axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
        assert page.locator("html").get_attribute("lang") in ("fr", "en")
        self.pages.append(name)


def wait_for_mail(sink: SmtpSink, address: str, count: int, timeout: float = 15) -> str:
    """The text of the ``count``-th email received by ``address``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = sink.to(address)
        if len(mails) >= count:
            return mails[count - 1].text()
        time.sleep(0.1)
    raise AssertionError(f"no email number {count} for {address}")


def link_in(text: str, base: str, path: str) -> str:
    found = re.search(re.escape(base) + re.escape(path) + r"[\w-]+", text)
    assert found, text
    return found.group(0)


def test_coordinator_partner_and_facilitator_in_chromium(
    browser: Browser, live_server: str, web_world: WebWorld, smtp_sink: SmtpSink, db_url: str, office_hours: str
) -> None:
    check = Checker()
    base = live_server

    # The facilitator's dashboard before anything happens.
    facilitator = browser.new_page()
    facilitator.set_default_timeout(TIMEOUT_MS)
    facilitator.goto(f"{base}/connexion")
    check(facilitator, "01-connexion")
    facilitator.get_by_label("Adresse e-mail").first.fill(FACILITATOR)
    facilitator.get_by_label("Mot de passe").fill(PASSWORD)
    facilitator.get_by_role("button", name="Se connecter").click()
    expect(facilitator).to_have_url(f"{base}/tableau-de-bord")

    # A coordinator logs in, creates a project from a template, adds people.
    coordinator = browser.new_page()
    coordinator.set_default_timeout(TIMEOUT_MS)
    coordinator.goto(f"{base}/connexion")
    coordinator.get_by_label("Adresse e-mail").first.fill("claire@example.org")
    coordinator.get_by_label("Mot de passe").fill(PASSWORD)
    coordinator.get_by_role("button", name="Se connecter").click()
    expect(coordinator).to_have_url(f"{base}/tableau-de-bord")
    check(coordinator, "02-tableau-de-bord-coordination")
    coordinator.get_by_role("link", name="Nouveau projet").first.click()
    check(coordinator, "03-nouveau-projet")
    coordinator.get_by_role("link", name=re.compile("Voir ce que contient « Projet en partenariat")).click()
    check(coordinator, "04-nouveau-projet-modele")
    coordinator.get_by_label("Nom du projet").fill("Affiches de la salle d'attente")
    coordinator.get_by_label("Structure").fill("MSP des Tilleuls")
    coordinator.get_by_label("Date de début").fill("2027-01-04")
    coordinator.get_by_label("Date de fin visée").fill("2027-07-02")
    coordinator.get_by_role("button", name="Créer le projet").click()
    expect(coordinator).to_have_url(re.compile(r"/projets/affiches-de-la-salle-d-attente\?ok=created"))
    slug = "affiches-de-la-salle-d-attente"
    coordinator.get_by_role("link", name="Personnes", exact=True).click()
    for name, role, email in [
        ("Bernard Lemoine", "patient-partenaire", "bernard@example.org"),
        ("Dr Hélène Roy", "professionnel", "helene@example.org"),
        ("Tom Nguyen", "professionnel", "tom@example.org"),
    ]:
        coordinator.get_by_label("Nom", exact=True).fill(name)
        coordinator.get_by_label("Rôle", exact=True).select_option(value=role)
        coordinator.locator("#ap-email").fill(email)
        coordinator.get_by_role("button", name="Ajouter une personne").click()
        expect(coordinator).to_have_url(re.compile(r"ok=person"))
    assert (
        coordinator.get_by_role("cell", name="Bernard Lemoine").count()
        + coordinator.get_by_role("rowheader", name="Bernard Lemoine").count()
        >= 1
    )
    check(coordinator, "05-projet")

    # The charter: the coordinator signs online, records two paper signatures, emails Bernard his link.
    coordinator.goto(f"{base}/projets/{slug}/charte")
    coordinator.get_by_role("button", name="Je signe la charte").click()
    expect(coordinator).to_have_url(re.compile(r"ok=signed"))
    for name in ("Dr Hélène Roy", "Tom Nguyen"):
        coordinator.get_by_role("button", name=f"A signé sur papier — {name}").click()
        expect(coordinator).to_have_url(re.compile(r"ok=paper"))
    coordinator.get_by_role("button", name="Envoyer le lien de signature — Bernard Lemoine").click()
    expect(coordinator).to_have_url(re.compile(r"ok=sign_link"))
    check(coordinator, "06-charte-coordination")

    facilitator.goto(f"{base}/tableau-de-bord?structure=MSP+des+Tilleuls")
    before = facilitator.get_by_role("row").filter(has_text="Affiches de la salle d'attente")
    assert "à signer" in before.inner_text()

    # The partner, on a phone, opens the emailed link, reads and signs the charter.
    phone = browser.new_context(**PHONE)  # type: ignore[arg-type]
    partner = phone.new_page()
    partner.set_default_timeout(TIMEOUT_MS)
    signing = link_in(wait_for_mail(smtp_sink, "bernard@example.org", 1), base, "/charte/signer/")
    partner.goto(signing)
    check(partner, "07-charte-lien-telephone")
    partner.get_by_role("button", name="Je signe la charte").click()
    partner.get_by_text("votre signature de la version").wait_for()
    check(partner, "08-charte-signee-telephone")
    assert "votre signature de la charte" in wait_for_mail(smtp_sink, "bernard@example.org", 2)  # with the signed copy

    # The facilitator's dashboard shows the change: the charter is signed, the step is done.
    facilitator.goto(f"{base}/tableau-de-bord?structure=MSP+des+Tilleuls")
    after = facilitator.get_by_role("row").filter(has_text="Affiches de la salle d'attente")
    assert "à signer" not in after.inner_text() and "signée" in after.inner_text()
    check(facilitator, "09-tableau-de-bord-facilitation")

    # The questionnaire invitation arrives by email; the partner answers on the phone.
    from evaluation.feedback import invite_participants
    from notifications.dispatch import dispatch

    with session_scope(db_url) as session:
        invite_participants(session, get_project(session, slug), actor="test")
    dispatch(url=db_url)
    questionnaire = link_in(wait_for_mail(smtp_sink, "bernard@example.org", 3), base, "/questionnaire/")
    partner.goto(questionnaire)
    check(partner, "10-questionnaire-telephone")
    partner.get_by_role("group", name=re.compile("Je savais ce que l'on attendait de moi")).get_by_label(
        "Tout à fait d'accord"
    ).check()
    partner.get_by_role("group", name=re.compile("à qui m'adresser")).get_by_label("Je ne sais pas").check()
    partner.get_by_role("button", name="Envoyer mes réponses").click()
    partner.get_by_text("Vos réponses sont enregistrées").wait_for()
    check(partner, "11-questionnaire-merci-telephone")

    # A login link lets the partner see their contributions.
    coordinator.goto(f"{base}/projets/{slug}/personnes")
    coordinator.get_by_role("button", name="Envoyer un lien de connexion — Bernard Lemoine").click()
    expect(coordinator).to_have_url(re.compile(r"ok=link"))
    login = link_in(wait_for_mail(smtp_sink, "bernard@example.org", 4), base, "/lien/")
    partner.goto(login)
    check(partner, "12-lien-connexion-telephone")
    partner.get_by_role("button", name="Me connecter").click()
    expect(partner).to_have_url(f"{base}/projets/{slug}")
    check(partner, "13-projet-partenaire-telephone")
    partner.goto(f"{base}/mes-contributions")
    check(partner, "14-mes-contributions-telephone")
    partner.goto(f"{base}/compte")
    check(partner, "15-compte-telephone")

    coordinator.goto(f"{base}/projets/{slug}/evaluation")
    check(coordinator, "16-evaluation")
    coordinator.goto(f"{base}/projets/{web_world.slug_b}")
    assert coordinator.get_by_role("heading", name="Page introuvable").is_visible()
    check(coordinator, "17-introuvable")

    assert len(check.pages) == 17
    assert not check.problems, "\n".join(check.problems)
