"""Notification preferences: channel, digest time and language — from the CLI and "Mon compte",
checked on real messages (the reminder cycle, aiosmtpd), and in export and erasure."""

import json
from collections.abc import Callable
from datetime import datetime, time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import Result

from notifications.cycle import run_cycle
from notifications.pauses import create_pause_link, stop
from notifications.planner import ContactPrefs, next_contact_time
from store.clock import PARIS
from store.db import session_scope
from store.models import AuditEvent, OutboxMessage, OutboxState, PauseLink, Person, ReminderStop
from store.people import add_person, erase_person, export_person, get_person
from store.projects import get_project
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import WebWorld, csrf_of, log_in_with_link

REMINDER_DAY = "2027-01-18"  # Awa has a reminder that day (see tests/test_pauses_browser.py)


def person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def test_the_digest_time_holds_the_digest_until_then_and_not_other_moments() -> None:
    morning = datetime(2027, 1, 18, 10, 0, tzinfo=PARIS)
    assert next_contact_time(ContactPrefs(not_before="18:00"), morning).astimezone(PARIS).time() == time(18, 0)
    evening = datetime(2027, 1, 18, 18, 30, tzinfo=PARIS)
    assert next_contact_time(ContactPrefs(not_before="18:00"), evening).astimezone(PARIS) == evening
    # after the day's window it waits for the next day's chosen time, not 08:00
    late = datetime(2027, 1, 18, 20, 30, tzinfo=PARIS)
    found = next_contact_time(ContactPrefs(not_before="18:00"), late).astimezone(PARIS)
    assert (found.day, found.time()) == (19, time(18, 0))
    # morning slots only: the chosen time cannot be kept, the person's own moments win
    found = next_contact_time(ContactPrefs(availability=("matin",), not_before="18:00"), morning).astimezone(PARIS)
    assert found == morning


def test_cli_sets_digest_time_channel_and_language(
    cli: Callable[..., Result], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    monkeypatch.setenv("COCON_SMS_URL", "mailto://127.0.0.1:2525?from=cocon@example.org&to={phone}@sms.example.org")
    result = cli("person", "update", project.slug, "awa@example.org", "--digest-time", "18:00",
                 "--channel", "sms:+33 6 12 34 56 78", "--lang", "en", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["changed"] == ["apprise_url", "channel", "digest_time", "language", "phone"]
    session.expire_all()
    awa = person(session, "awa@example.org")
    assert (awa.digest_time, awa.channel, awa.language, awa.phone) == ("18:00", "apprise", "en", "+33612345678")
    assert awa.apprise_url and "%2B33612345678@sms.example.org" in awa.apprise_url
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "person.preferences")).one()
    assert "33612" not in json.dumps(event.details)  # the audit names fields, never numbers

    late = cli("person", "update", project.slug, "awa@example.org", "--digest-time", "21:00")
    assert late.exit_code != 0
    assert "entre 08:00 et 19:59" in late.output and "Traceback" not in late.output
    foreign = cli("person", "update", project.slug, "awa@example.org", "--channel", "signal://+33100000000/+33612345678")
    assert foreign.exit_code != 0 and "n'est pas permis par la coordination" in foreign.output
    monkeypatch.setenv("COCON_CHANNEL_SCHEMES", "signal, ntfy")
    allowed = cli("person", "update", project.slug, "awa@example.org", "--channel", "ntfy://cocon-awa")
    assert allowed.exit_code == 0, allowed.output
    back = cli("person", "update", project.slug, "awa@example.org", "--channel", "email", "--digest-time", "")
    assert back.exit_code == 0, back.output
    session.expire_all()
    awa = person(session, "awa@example.org")
    assert (awa.channel, awa.digest_time, awa.apprise_url) == ("email", None, "ntfy://cocon-awa")


def test_digest_time_and_language_change_a_real_reminder(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    monkeypatch.setenv("COCON_NOW", f"{REMINDER_DAY}T07:00")
    project = make_project(session)
    assert cli("person", "update", project.slug, "awa@example.org", "--digest-time", "18:00", "--lang", "en").exit_code == 0
    for hour in ("10:00", "14:00", "17:55"):
        monkeypatch.setenv("COCON_NOW", f"{REMINDER_DAY}T{hour}")
        run_cycle()
        assert smtp_sink.to("awa@example.org") == [], f"Awa's digest left at {hour}, before 18:00"
    assert smtp_sink.to("karim@example.org"), "the others get theirs in the morning"
    monkeypatch.setenv("COCON_NOW", f"{REMINDER_DAY}T18:05")
    run_cycle()
    mails = smtp_sink.to("awa@example.org")
    assert len(mails) == 1
    assert "Hello Awa Diallo," in mails[0].text() and "Bonjour" not in mails[0].text()
    session.expire_all()
    awa = person(session, "awa@example.org")
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == awa.id,
                                                     OutboxMessage.state == OutboxState.SENT)).all()
    assert sent and all(row.sent_at is not None and row.sent_at.astimezone(PARIS).hour == 18 for row in sent)


def test_sms_channel_sends_to_the_gateway_and_no_longer_by_email(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    # an email-to-SMS gateway, reached through the same real SMTP server
    gateway = f"mailto://127.0.0.1:{smtp_sink.port}?from=cocon@example.org&to={{digits}}@sms.example.org&mode=insecure"
    monkeypatch.setenv("COCON_SMS_URL", gateway)
    monkeypatch.setenv("COCON_NOW", f"{REMINDER_DAY}T10:00")
    project = make_project(session)
    assert cli("person", "update", project.slug, "awa@example.org", "--channel", "sms:+33612345678").exit_code == 0
    run_cycle()
    assert smtp_sink.to("awa@example.org") == []
    sms = smtp_sink.to("33612345678@sms.example.org")
    assert len(sms) == 1
    assert len(sms[0].text()) < 400  # the short version


def test_preferences_from_mon_compte(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    with session_scope(db_url) as session:  # the CPTS project recorded Awa too: one human, two records
        other = add_person(session, get_project(session, web_world.slug_b), name="Awa Diallo",
                           role="patient-partenaire", email="awa@example.org", actor="test")
        other_id = other.id
    log_in_with_link(client, db_url, web_world.partner_a)
    page = client.get("/compte")
    assert "Mes préférences de messages" in page.text and 'name="digest_time"' in page.text
    token = csrf_of(client, "/compte")
    saved = client.post("/compte/preferences", data={"channel": "email", "phone": "", "digest_time": "17:30",
                                                      "language": "en", "csrf_token": token})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/compte?ok=preferences")
    assert client.get("/compte?ok=preferences").text.count("Your preferences are saved.") == 1
    with session_scope(db_url) as session:
        awa = get_person(session, web_world.partner_a)
        assert (awa.channel, awa.digest_time, awa.language) == ("email", "17:30", "en")
        assert other_id is not None
        again = get_person(session, other_id)
        assert (again.channel, again.digest_time, again.language) == ("email", "17:30", "en")
    refused = client.post("/compte/preferences", data={"channel": "sms", "phone": "+33612345678", "digest_time": "",
                                                        "language": "en", "csrf_token": token})
    assert refused.status_code == 400 and "no SMS gateway" in refused.text
    with session_scope(db_url) as session:
        assert get_person(session, web_world.partner_a).digest_time == "17:30"  # nothing half-saved


def test_export_shows_the_preferences_and_erasure_removes_them_with_pause_links_and_stops(
    session: Session, cli: Callable[..., Result]
) -> None:
    project = make_project(session)
    assert cli("person", "update", project.slug, "awa@example.org", "--digest-time", "09:30", "--lang", "en").exit_code == 0
    session.expire_all()
    awa = person(session, "awa@example.org")
    assert awa.id is not None
    create_pause_link(session, person_id=awa.id, project_id=project.id)
    stop(session, awa, project=project, actor="test")
    session.commit()
    exported = export_person(session, awa.id)
    assert exported["person"]["digest_time"] == "09:30" and exported["person"]["channel"] == "both"
    assert exported["person"]["language"] == "en"
    assert exported["reminders_stopped"] and exported["reminders_stopped"][0]["project"] == project.slug
    erase_person(session, awa.id, actor="test")
    session.commit()
    awa = person_by_id(session, awa.id)
    assert awa.digest_time is None and awa.channel == "both"
    assert session.exec(select(PauseLink).where(PauseLink.person_id == awa.id)).all() == []
    assert session.exec(select(ReminderStop).where(ReminderStop.person_id == awa.id)).all() == []


def person_by_id(session: Session, person_id: int) -> Person:
    found = session.get(Person, person_id)
    assert found is not None
    return found
