"""A partner on a phone (Chromium, 390×844): the pause link of an email, two taps, then no reminder
until the pause ends — day by day with COCON_NOW, the real reminder cycle, real email."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from notifications.cycle import run_cycle
from store.clock import PARIS, now
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink
from tests.test_web_browser import PHONE, TIMEOUT_MS, Checker, browser, link_in, live_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_pause_from_the_email_link_on_a_phone_then_silence_until_it_ends(
    browser: Browser,  # noqa: F811
    live_server: str,  # noqa: F811
    session: Session,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    make_project(session)
    run_cycle()
    mails = smtp_sink.to("awa@example.org")
    assert mails, "Awa should have a reminder on 18 January"
    link = link_in(mails[-1].text(), live_server, "/pause/")

    check = Checker()
    phone = browser.new_context(**PHONE)  # type: ignore[arg-type]
    page = phone.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(link)  # tap 1: the link in the email
    check(page, "pause-01-choix")
    expect(page.get_by_role("heading", level=1)).to_have_text("Faire une pause ou arrêter les rappels")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.get_by_role("button", name="Pause d'un mois").click()  # tap 2: done
    expect(page.get_by_text(re.compile(r"en pause jusqu'au jeudi 18 février 2027 inclus"))).to_be_visible()
    check(page, "pause-02-fait")
    phone.close()
    assert not check.problems, check.problems

    received = len(smtp_sink.to("awa@example.org"))
    others = len(smtp_sink.to("karim@example.org"))
    sent_after: list[date] = []
    day = date(2027, 1, 19)
    while day <= date(2027, 3, 12):
        for hour in ("07:30", "14:00"):
            monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T{hour}")
            before = len(smtp_sink.to("awa@example.org"))
            run_cycle()
            if len(smtp_sink.to("awa@example.org")) > before:
                sent_after.append(now().astimezone(PARIS).date())
        if day == date(2027, 2, 18):
            assert len(smtp_sink.to("awa@example.org")) == received, "a reminder reached Awa during her pause"
        day += timedelta(days=1)
    assert sent_after and min(sent_after) > date(2027, 2, 18)
    assert len(smtp_sink.to("karim@example.org")) > others  # the project goes on for the others
