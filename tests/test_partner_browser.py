"""A partner on a phone (Chromium, 390×844), alone: their home, a proposal, a pause taken from the
link of a real email, then — day by day with COCON_NOW and the real reminder cycle — no reminder
reaches them until the pause ends. axe-core checks every page; screenshots go to
tests/artifacts/screenshots/."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.links import create_magic_link
from notifications.cycle import run_cycle
from store.clock import PARIS, now
from store.db import session_scope
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import WebWorld
from tests.test_partner_home import _record_awa
from tests.test_web_browser import PHONE, TIMEOUT_MS, Checker, browser, link_in, live_server  # noqa: F401

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a phone ({width}px)"


def test_partner_home_proposal_and_pause_on_a_phone_then_silence_until_the_pause_ends(
    browser: Browser,  # noqa: F811
    live_server: str,  # noqa: F811
    web_world: WebWorld,
    db_url: str,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    _record_awa(db_url, web_world.slug_a, web_world.partner_a)
    run_cycle()
    mails = smtp_sink.to("awa@example.org")
    assert mails, "Awa should have a reminder on 18 January"
    pause_link = link_in(mails[-1].text(), live_server, "/pause/")
    with session_scope(db_url) as session:
        token, _ = create_magic_link(session, person_id=web_world.partner_a, next_path="/")

    check = Checker()
    phone = browser.new_context(**PHONE)  # type: ignore[arg-type]
    page = phone.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server}/lien/{token}")
    page.get_by_role("button", name="Me connecter").click()
    expect(page).to_have_url(f"{live_server}/mon-espace")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    no_sideways_scroll(page)
    check(page, "partenaire-01-mon-espace")
    assert page.locator("table").count() == 0
    expect(page.get_by_text("remboursés le lundi 1er mars 2027")).to_be_visible()
    expect(page.get_by_text("restent à rembourser").first).to_be_visible()
    expect(page.get_by_text("Pourquoi : Le budget de l'année est déjà engagé")).to_be_visible()
    expect(page.get_by_role("heading", name="Vos prochains rendez-vous")).to_be_visible()

    page.get_by_label("Votre proposition").fill("Un coin calme pour les enfants")
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.get_by_text("Merci : votre proposition est enregistrée.")).to_be_visible()
    expect(page.get_by_text("Un coin calme pour les enfants")).to_be_visible()
    check(page, "partenaire-02-proposition")

    page.goto(f"{live_server}/compte")
    expect(page.get_by_role("heading", name="Mes préférences de messages")).to_be_visible()
    no_sideways_scroll(page)
    check(page, "partenaire-03-compte-preferences")

    page.goto(pause_link)  # the link of the email: one tap to open, one to choose
    page.get_by_role("button", name="Pause d'un mois").click()
    expect(page.get_by_text(re.compile(r"en pause jusqu'au jeudi 18 février 2027 inclus"))).to_be_visible()
    check(page, "partenaire-04-pause-faite")
    page.goto(f"{live_server}/mon-espace")
    expect(page.get_by_text("En pause jusqu'au jeudi 18 février 2027 inclus.")).to_be_visible()
    check(page, "partenaire-05-mon-espace-en-pause")
    phone.close()
    assert not check.problems, "\n".join(check.problems)

    received = len(smtp_sink.to("awa@example.org"))
    others = len(smtp_sink.to("karim@example.org"))
    first_after: date | None = None
    day = date(2027, 1, 19)
    while day <= date(2027, 3, 12) and first_after is None:
        monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T14:00")
        run_cycle()
        if len(smtp_sink.to("awa@example.org")) > received:
            first_after = now().astimezone(PARIS).date()
        day += timedelta(days=1)
    assert first_after is not None and first_after > date(2027, 2, 18), first_after
    assert len(smtp_sink.to("karim@example.org")) > others  # the project went on for the others
