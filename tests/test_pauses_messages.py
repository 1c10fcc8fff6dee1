"""Every email carries the unsubscribe headers, a Reply-To of the coordination and the pause link;
RFC 8058's one-click POST stops reminders; send-time checks are data, not imports."""

import os
import subprocess
import sys
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from evaluation.feedback import REMINDER_OCCASION, invite_participants
from evaluation.questionnaire import answer_questionnaire
from notifications.cycle import run_cycle
from notifications.dispatch import dispatch
from notifications.pauses import stop
from notifications.planner import DigestItem
from notifications.queue import enqueue, enqueue_items
from store.models import Occasion, OutboxMessage, OutboxState, Person, ReminderStop
from store.people import add_person
from store.plans import plan_steps
from tests.factories import make_project
from tests.fixtures_notifications import Received, SmtpSink

BASE = "http://testserver"
COORDINATION = "claire@example.org"
DIGEST_OCCASIONS = ("before", "invitation", "overdue", "escalation", "notes-follow-up", "charter-unsigned", "phase-change")


def person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def one_click_url(message: Received) -> str:
    header = str(message.message["List-Unsubscribe"])
    urls = [part.strip().strip("<>") for part in header.split(",")]
    return next(u for u in urls if u.startswith("http"))


def assert_personal(message: Received) -> None:
    header = str(message.message["List-Unsubscribe"])
    assert f"<{BASE}/pause/" in header and "/un-clic>" in header, header
    assert f"<mailto:{COORDINATION}?subject=" in header, header
    assert str(message.message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert str(message.message["Reply-To"]) == COORDINATION
    page = one_click_url(message).removesuffix("/un-clic")
    assert page in message.text()


def test_every_kind_of_message_carries_unsubscribe_headers_and_reply_to(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCON_BASE_URL", BASE)
    monkeypatch.setenv("COCON_NOW", "2027-01-04T10:00")
    project = make_project(session)
    step = plan_steps(session, project)[0]
    monkeypatch.setenv("COCON_NOW", f"{step.due.isoformat()}T10:00")
    standalone = sorted(set(Occasion) - set(DIGEST_OCCASIONS) - {"team-escalation"})
    occasions = [*DIGEST_OCCASIONS, *standalone]
    # one recipient per occasion (one digest per person per day), none of them the coordinator
    recipients = []
    for n in range(len(occasions)):
        recipients.append(
            add_person(session, project, name=f"Partenaire {n}", role="patient-partenaire",
                       email=f"p{n}@example.org", actor="test")
        )
    for occasion, who in zip(occasions, recipients, strict=True):
        assert who.id is not None and project.id is not None
        if occasion in DIGEST_OCCASIONS:
            about = "phase:avant" if occasion == "phase-change" else f"step:{step.key}"
            facts = {"phase": "avant"} if occasion == "phase-change" else {"due": step.due.isoformat()}
            enqueue_items(session, [DigestItem(project.id, who.id, occasion, about, step.due, facts)])
        else:
            enqueue(session, project_id=project.id, person_id=who.id, occasion=occasion, about=occasion,
                    due_on=step.due, subject=occasion, text="Bonjour.", html="<p>Bonjour.</p>",
                    immediate=occasion == "login-link")
    session.commit()
    dispatch()
    for occasion, who in zip(occasions, recipients, strict=True):
        got = smtp_sink.to(who.email or "")
        assert len(got) == 1, occasion
        assert_personal(got[0])


@pytest.mark.slow
def test_one_click_post_stops_reminders_without_any_other_step(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setenv("COCON_BASE_URL", BASE)
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    project = make_project(session)
    awa = person(session, "awa@example.org")
    run_cycle()
    mail = smtp_sink.to("awa@example.org")[-1]
    assert_personal(mail)
    url = one_click_url(mail)
    # what a mail application does (RFC 8058 §3.1): a POST with this body, no cookie, no form token
    response = TestClient(client.app).post(
        urlsplit(url).path, content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    session.expire_all()
    assert session.exec(select(ReminderStop).where(ReminderStop.person_id == awa.id)).one().project_id == project.id
    # a made-up token stops nothing
    assert TestClient(client.app).post(urlsplit(url).path[:-20] + "x" * 20 + "/un-clic").status_code == 404
    received = len(smtp_sink.to("awa@example.org"))
    for days in range(1, 60):
        monkeypatch.setenv("COCON_NOW", f"{(date(2027, 1, 18) + timedelta(days=days)).isoformat()}T10:00")
        run_cycle()
    assert len(smtp_sink.to("awa@example.org")) == received
    assert len(smtp_sink.to("karim@example.org")) > 1  # the others still hear from the project


def test_questionnaire_reminders_follow_the_data_in_any_process(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-06-01T10:00")
    project = make_project(session)
    created = invite_participants(session, project, actor="test")
    session.commit()
    by_email = {new.person.email: new for new in created}
    # Awa stops the reminders; Karim answers: their reminders are cancelled at that moment
    stop(session, person(session, "awa@example.org"), project=project, actor="person:awa")
    answer_questionnaire(session, by_email["karim@example.org"].token, {"pers-recommencer": 4})
    session.commit()
    reminders = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == REMINDER_OCCASION)).all()
    states = {(r.person_id, r.state) for r in reminders}
    for email in ("awa@example.org", "karim@example.org"):
        assert (person(session, email).id, OutboxState.CANCELLED) in states
    # Sophie pauses later, directly in the data (as another process would): checked at send time
    sophie = person(session, "sophie@example.org")
    sophie.paused = True
    session.add(sophie)
    session.commit()
    # a process that imports nothing of the evaluation package sends what is due on day 7
    env = {**os.environ, "COCON_NOW": "2027-06-08T10:00"}
    code = (
        "import sys; from notifications.dispatch import dispatch; r = dispatch(); "
        "print(r.messages, 'evaluation.feedback' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    messages, imported = out.stdout.split()
    assert imported == "False" and int(messages) > 0
    reminded = {r.envelope_to[0] for r in smtp_sink.received if "rappel" in r.subject.lower() or "reminder" in r.subject.lower()}
    assert reminded and not reminded & {"awa@example.org", "karim@example.org", "sophie@example.org"}
    assert "jp@example.org" in reminded
