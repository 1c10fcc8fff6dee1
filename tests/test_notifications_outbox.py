"""The outbox: idempotent rows, real email through Apprise to aiosmtpd, retries, dead letters."""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from locales.stored import spoken
from notifications.attachments import Attachment
from notifications.cycle import run_cycle
from notifications.dispatch import RetryPolicy, dispatch
from notifications.queue import dead_messages, enqueue, list_messages, retry_messages
from store.clock import PARIS, now
from store.models import OutboxMessage, OutboxState, Person, PlanStep, Project
from store.people import add_person
from store.plans import mark_done
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink


def person(session: Session, email: str) -> Person:
    found = session.exec(select(Person).where(Person.email == email)).one()
    return found


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("COCON_NOW", moment)


def rows(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def test_enqueue_is_idempotent_and_sends_real_email(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2027-01-05T10:00")
    project = make_project(session)
    awa = person(session, "awa@example.org")
    kwargs = dict(
        project_id=project.id,
        person_id=awa.id,
        occasion="questionnaire",
        about="questionnaire:1",
        due_on=date(2027, 1, 5),
        subject="Votre avis compte",
        text="Bonjour Awa, merci de répondre.",
        attachments=[Attachment("note.txt", "Merci à vous".encode(), "text/plain")],
    )
    first = enqueue(session, **kwargs)  # type: ignore[arg-type]
    assert first is not None and first.state == OutboxState.PENDING
    assert enqueue(session, **kwargs) is None  # type: ignore[arg-type]
    session.commit()
    report = dispatch()
    assert (report.sent, report.failed) == (1, 0), rows(session)[0].last_error
    [received] = smtp_sink.received
    assert received.envelope_to == ["awa@example.org"]
    assert received.subject == "Votre avis compte"
    assert "merci de répondre" in received.text()
    assert received.attachments() == {"note.txt": "Merci à vous".encode()}
    [row] = rows(session)
    # once sent, the outbox forgets what was said and where it went
    assert row.state == OutboxState.SENT and row.sent_at is not None
    assert (
        row.subject is None
        and row.text is None
        and row.html is None
        and row.attachments is None
        and row.channel_url is None
    )
    assert dispatch().sent == 0


def test_not_before_holds_a_message_until_its_moment(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2027-01-05T10:00")
    project = make_project(session)
    awa = person(session, "awa@example.org")
    monday_nine = datetime(2027, 1, 11, 9, 0, tzinfo=PARIS).astimezone(UTC)
    kwargs = dict(
        project_id=project.id,
        person_id=awa.id,
        occasion="questionnaire-reminder",
        about="questionnaire:1",
        due_on=date(2027, 1, 11),
        subject="Un rappel",
        text="Bonjour Awa, il est encore temps de répondre.",
    )
    row = enqueue(session, **kwargs, not_before=monday_nine)  # type: ignore[arg-type]
    assert row is not None and row.next_attempt_at == monday_nine
    # the same message again (another moment or none) is still the same row, which keeps its moment
    assert enqueue(session, **kwargs) is None  # type: ignore[arg-type]
    assert enqueue(session, **kwargs, not_before=now()) is None  # type: ignore[arg-type]
    session.commit()
    assert dispatch().claimed == 0
    at(monkeypatch, "2027-01-11T08:59")
    assert dispatch().claimed == 0 and smtp_sink.received == []
    [waiting] = rows(session)
    assert waiting.state == OutboxState.PENDING and waiting.next_attempt_at == monday_nine
    at(monkeypatch, "2027-01-11T09:00")
    report = dispatch()
    assert (report.sent, report.messages) == (1, 1)
    [received] = smtp_sink.received
    assert received.envelope_to == ["awa@example.org"] and received.subject == "Un rappel"
    # a moment already past means now; a naive one is refused
    late = enqueue(session, **{**kwargs, "about": "questionnaire:2"}, not_before=monday_nine)  # type: ignore[arg-type]
    assert late is not None and late.next_attempt_at == now()
    with pytest.raises(ValueError, match="timezone-aware"):
        enqueue(session, **{**kwargs, "about": "questionnaire:3"}, not_before=datetime(2027, 1, 12, 9))  # type: ignore[arg-type]


def test_digest_one_message_per_person_per_day_with_ics(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    # 18 January: the meeting invitation (14 days before 1 February) and, for the coordinator,
    # the actor-mapping step due that day is not done yet (reminded the day before, 17th).
    at(monkeypatch, "2027-01-18T10:00")
    report = run_cycle()
    assert report.dispatch is not None and report.dispatch.messages == 5
    claire = smtp_sink.to("claire@example.org")
    assert len(claire) == 1
    message = claire[0]
    assert message.to.endswith("claire@example.org") or "claire@example.org" in message.to
    text = message.text()
    assert "Bonjour Claire Martin" in text
    assert "Se rencontrer avant de travailler" in text and "lundi 1er février 2027" in text
    ics = message.attachments()["invitation.ics"]
    assert b"BEGIN:VCALENDAR" in ics and b"DTSTART;TZID=Europe/Paris:20270201T180000" in ics  # the template says 18:00
    # a second run the same day sends nothing more
    at(monkeypatch, "2027-01-18T16:00")
    assert run_cycle().dispatch.messages == 0  # type: ignore[union-attr]
    assert len(smtp_sink.received) == 5
    # something planned later the same day waits for tomorrow: one digest per person per day
    awa = person(session, "awa@example.org")
    from notifications.planner import DigestItem
    from notifications.queue import enqueue_items

    enqueue_items(
        session,
        [
            DigestItem(
                project.id or 0, awa.id or 0, "phase-change", "phase:avant", date(2027, 1, 18), {"phase": "avant"}
            )
        ],
    )
    session.commit()
    assert dispatch().deferred == 1
    at(monkeypatch, "2027-01-19T09:00")
    assert dispatch().messages == 1
    assert len(smtp_sink.to("awa@example.org")) == 2


def test_relevance_is_checked_again_at_send_time(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    at(monkeypatch, "2027-01-17T07:00")  # before daytime: planned now, sent at 08:00 at the earliest
    report = run_cycle()
    assert report.enqueued == 1 and report.dispatch is not None and report.dispatch.deferred == 1
    mark_done(session, project, "cartographie", actor="test")
    session.commit()
    at(monkeypatch, "2027-01-17T09:00")
    assert dispatch().cancelled == 1
    assert smtp_sink.received == []
    # a message past its last day (data on the row, not a check some process imported) is dropped
    row = enqueue(
        session,
        project_id=project.id or 0,
        person_id=person(session, "awa@example.org").id,
        occasion="test-occasion",
        about="x",
        due_on=date(2027, 1, 15),
        subject="S",
        text="T",
    )
    assert row is not None
    row.facts = {"drop_after": "2027-01-16"}
    session.add(row)
    session.commit()
    assert dispatch().cancelled == 1 and smtp_sink.received == []


def test_smtp_down_for_a_while_then_everything_is_delivered(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    make_project(session)
    smtp_sink.stop()
    at(monkeypatch, "2027-01-18T10:00")
    report = run_cycle()
    assert report.dispatch is not None and report.dispatch.failed == 6 and report.dispatch.messages == 0
    failed = [r for r in rows(session) if r.state == OutboxState.FAILED]
    assert len(failed) == 6 and all(r.last_error and "@" not in r.last_error for r in failed)
    # why, in the reader's language (the CLI's `outbox list`): Cocon's own words are never stored in French
    assert {spoken(r.last_error, "fr") for r in failed} == {"email : serveur SMTP injoignable (ConnectionRefusedError)"}
    assert {spoken(r.last_error, "en") for r in failed} == {"email: SMTP server unreachable (ConnectionRefusedError)"}
    # back-off: nothing is tried before the delay…
    at(monkeypatch, "2027-01-18T10:01")
    assert dispatch().claimed == 0
    # …a second failure doubles it
    at(monkeypatch, "2027-01-18T10:03")
    assert dispatch().failed == 6
    smtp_sink.start()
    at(monkeypatch, "2027-01-18T10:08")
    report = dispatch()
    assert report.messages == 5 and report.sent == 6
    assert sorted(r.envelope_to[0] for r in smtp_sink.received) == sorted(
        ["claire@example.org", "karim@example.org", "sophie@example.org", "awa@example.org", "jp@example.org"]
    )
    assert all(r.state == OutboxState.SENT for r in rows(session))
    # failures were logged nowhere with an address or a body (the test SMTP server's own log aside)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours and not [line for line in ours if "@example.org" in line or "Bonjour" in line]


def test_dead_after_n_attempts_alerts_the_coordination_and_can_be_retried(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    at(monkeypatch, "2027-01-05T10:00")
    nobody = add_person(
        session, project, name="Sans Contact", role="professionnel", apprise_url="json://127.0.0.1:9/none", actor="test"
    )
    enqueue(
        session,
        project_id=project.id or 0,
        person_id=nobody.id,
        occasion="questionnaire",
        about="q",
        due_on=date(2027, 1, 5),
        subject="S",
        text="T",
    )
    session.commit()
    policy = RetryPolicy(max_attempts=2, base=timedelta(minutes=1))
    assert dispatch(policy=policy).failed == 1
    at(monkeypatch, "2027-01-05T10:05")
    report = dispatch(policy=policy)
    assert report.dead == 1
    [dead] = dead_messages(session, project)
    assert dead.attempts == 2 and dead.last_error
    # the alert went to the coordinator, by email, in French
    [alert] = smtp_sink.to("claire@example.org")
    assert alert.subject.startswith("Un message n'a pas pu être envoyé")
    assert "Sans Contact" in alert.text() and "cocon outbox retry" in alert.text()
    assert retry_messages(session, project, actor="test") == 1
    session.commit()
    [again] = [r for r in list_messages(session, project) if r.id == dead.id]
    assert again.state == OutboxState.PENDING and again.attempts == 0


def test_paused_and_opted_out_people_get_nothing(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(session)
    for email, field in (("awa@example.org", "paused"), ("jp@example.org", "opted_out")):
        someone = person(session, email)
        setattr(someone, field, True)
        session.add(someone)
    session.commit()
    at(monkeypatch, "2027-01-18T10:00")
    run_cycle()
    assert sorted(r.envelope_to[0] for r in smtp_sink.received) == [
        "claire@example.org",
        "karim@example.org",
        "sophie@example.org",
    ]


def test_project_rows_are_listed_per_project(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    other = make_project(session, name="Boîte à idées", slug="boite")
    at(monkeypatch, "2027-01-18T10:00")
    run_cycle()
    assert {r.project_id for r in list_messages(session, project)} == {project.id}
    assert all(isinstance(r, OutboxMessage) for r in list_messages(session, other))
    assert now().year == 2027 and isinstance(project, Project)


def test_escalation_reaches_the_coordination_and_the_team_channel(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    project.team_channel = (
        f"mailto://127.0.0.1:{smtp_sink.port}?smtp=127.0.0.1&from=cocon%40msp.fr&to=equipe%40example.org&mode=insecure"
    )
    session.add(project)
    at(monkeypatch, "2027-01-05T10:00")
    add_person(session, project, name="Luc Facile", role="facilitation", email="luc@example.org", actor="test")
    step = session.exec(select(PlanStep).where(PlanStep.project_id == project.id, PlanStep.key == "methode")).one()
    step.owner_role = "facilitation"  # someone other than the coordination owns it
    session.add(step)
    session.commit()
    # due 22 February; overdue reminders to Luc on +3, +6, +9 working days; escalation on +12
    at(monkeypatch, "2027-03-10T10:00")
    report = run_cycle()
    assert report.by_occasion.get("escalation") == 1 and report.team_alerts == 1
    [claire] = smtp_sink.to("claire@example.org")
    assert "Choisir la méthode" in claire.text() and "12 jours ouvrés de retard" in claire.text()
    assert "Luc Facile" in claire.text()
    [team] = smtp_sink.to("equipe@example.org")
    # Apprise converts an HTML email's title to text and turns the narrow no-break space into a space.
    assert team.subject == "Accueil en salle d'attente : 1 étape en retard"
    # Luc's last overdue reminder (5 March) is too old to be caught up: nothing about it today
    assert all("Choisir la méthode" not in m.text() for m in smtp_sink.to("luc@example.org"))
    # the channel's address is forgotten once the alert is sent
    alert = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "team-escalation")).one()
    session.refresh(alert)
    assert alert.state == OutboxState.SENT and alert.channel_url is None


def test_charter_reminders_stop_for_whoever_signs(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charters.signing import sign_on_paper

    project = make_project(session)
    at(monkeypatch, "2027-02-08T07:00")  # 7 days before the charter is due; too early to send
    sign_on_paper(session, project, person(session, "awa@example.org"), actor="test")
    session.commit()
    report = run_cycle()
    assert report.by_occasion == {"charter-unsigned": 4}  # every signer but Awa
    assert report.dispatch is not None and report.dispatch.deferred == 4
    # Karim signs before the messages leave: his reminder is cancelled at send time
    sign_on_paper(session, project, person(session, "karim@example.org"), actor="test")
    session.commit()
    at(monkeypatch, "2027-02-08T09:00")
    report = run_cycle()
    assert report.dispatch is not None and (report.dispatch.messages, report.dispatch.cancelled) == (3, 1)
    assert sorted(r.envelope_to[0] for r in smtp_sink.received) == [
        "claire@example.org",
        "jp@example.org",
        "sophie@example.org",
    ]
    reminder = smtp_sink.to("sophie@example.org")[0].text()
    assert "Vous n'avez pas encore signé la charte d'engagement du projet" in reminder
    assert "La signer la charte" not in reminder
    # the text part is the text template, French typography included (narrow no-break space before ":")
    assert "Pour la lire et la signer\u202f: https://cocon.msp-tilleuls.test/charte/signer/" in reminder
    html = smtp_sink.to("sophie@example.org")[0].message.get_body(preferencelist=("html",))
    assert html is not None and '<a href="https://cocon.msp-tilleuls.test/charte/signer/' in html.get_content()


def test_quiet_hours_hold_messages_except_those_asked_for(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    awa = person(session, "awa@example.org")
    awa.quiet_hours = "21:00-08:00"
    session.add(awa)
    at(monkeypatch, "2027-03-01T23:30")
    for occasion in ("questionnaire", "test-requested-link"):
        enqueue(
            session,
            immediate=occasion == "test-requested-link",
            project_id=project.id or 0,
            person_id=awa.id,
            occasion=occasion,
            about=occasion,
            due_on=date(2027, 3, 1),
            subject=occasion,
            text="Bonjour Awa.",
        )
    session.commit()
    report = dispatch()
    assert (report.messages, report.deferred) == (1, 1)
    assert [m.subject for m in smtp_sink.to("awa@example.org")] == ["test-requested-link"]
    held = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "questionnaire")).one()
    session.refresh(held)
    assert held.state == OutboxState.PENDING and held.attempts == 0
    assert held.next_attempt_at.astimezone(PARIS).hour == 8  # the end of her quiet hours
    at(monkeypatch, "2027-03-02T08:05")
    assert dispatch().messages == 1


def test_a_row_that_cannot_be_prepared_fails_alone_and_not_the_queue(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    at(monkeypatch, "2027-03-01T10:00")
    for occasion, email in (("test-broken", "awa@example.org"), ("questionnaire", "karim@example.org")):
        row = enqueue(
            session,
            project_id=project.id or 0,
            person_id=person(session, email).id,
            occasion=occasion,
            about=occasion,
            due_on=date(2027, 3, 1),
            subject=occasion,
            text="Bonjour.",
        )
        if row is not None and occasion == "test-broken":
            row.facts = {"drop_after": "pas une date"}  # e.g. written by an older version
            session.add(row)
    session.commit()
    report = dispatch()
    assert (report.messages, report.failed) == (1, 1)
    broken = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "test-broken")).one()
    session.refresh(broken)
    assert broken.state == OutboxState.FAILED and spoken(broken.last_error) == "erreur interne (ValueError)"
    assert spoken(broken.last_error, "en") == "internal error (ValueError)"
    assert [m.subject for m in smtp_sink.received] == ["questionnaire"]
