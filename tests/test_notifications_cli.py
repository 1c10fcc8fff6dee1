"""`cocon remind`, `cocon outbox list|retry` and `cocon serve`'s errors, driven like a user would."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

import locales
from notifications.messages import occasion_label
from notifications.queue import enqueue
from store.models import Occasion, OutboxMessage, OutboxState, Person
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink


def test_remind_dry_run_writes_and_sends_nothing(
    cli, session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(session)
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    result = cli("remind", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dry_run"] is True and report["enqueued"] == 6
    assert report["by_occasion"] == {"before": 1, "invitation": 5}
    assert session.exec(select(OutboxMessage)).all() == [] and smtp_sink.received == []


def test_remind_prints_what_it_did(cli, session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(session)
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    result = cli("remind")
    assert result.exit_code == 0, result.output
    assert "Rappels du lundi 18 janvier 2027" in result.output
    assert "rappels prévus aujourd'hui : 6, nouveaux : 6" in result.output
    assert "invitation : 5" in result.output
    assert "envoyés : 5 messages (6 rappels)" in result.output
    assert len(smtp_sink.received) == 5
    again = cli("remind")
    assert "nouveaux : 0" in again.output and "envoyés : 0 message (0 rappel)" in again.output


def test_remind_without_smtp_says_so(cli, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(session)
    monkeypatch.delenv("COCON_SMTP_URL", raising=False)
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    result = cli("remind")
    assert result.exit_code == 0
    assert "COCON_SMTP_URL n'est pas défini" in result.output


def test_bad_smtp_url_is_one_french_sentence(cli, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCON_SMTP_URL", "http://mail")
    result = cli("remind")
    assert result.exit_code == 1
    assert "COCON_SMTP_URL doit commencer par smtp://" in result.output and "Traceback" not in result.output


def test_outbox_list_and_retry(cli, session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(session)
    awa = session.exec(select(Person).where(Person.email == "awa@example.org")).one()
    message = enqueue(
        session,
        project_id=project.id or 0,
        person_id=awa.id,
        occasion="invitation",
        about="step:x",
        due_on=date(2027, 1, 5),
        subject="S",
        text="T",
    )
    assert message is not None
    message.state = OutboxState.DEAD
    message.attempts = 6
    message.last_error = "email : connexion refusée"
    session.add(message)
    session.commit()
    listed = json.loads(cli("outbox", "list", project.slug, "--json").output)
    assert [(m["state"], m["occasion"], m["attempts"]) for m in listed] == [("dead", "invitation", 6)]
    table = cli("outbox", "list", project.slug, "--state", "dead")
    assert table.exit_code == 0 and "abandonné" in table.output
    result = cli("outbox", "retry", project.slug)
    assert result.exit_code == 0 and "1 notification remise en file d'attente." in result.output
    assert json.loads(cli("outbox", "list", project.slug, "--json").output)[0]["state"] == "pending"
    missing = cli("outbox", "list", "inconnu")
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_serve_with_an_unreachable_prefect_server_is_a_clear_error(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    result = cli("serve")
    assert result.exit_code == 1
    assert "ne répond pas" in result.output and "Traceback" not in result.output


def test_a_cycle_sends_one_digest_per_person_of_each_project(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Speed is measured by bench/reminders.py; here, what a cycle on a small store sends."""
    from sqlmodel import func, select

    from notifications.cycle import run_cycle
    from store.models import Person

    for n in range(5):
        make_project(session, name=f"Projet {n}", slug=f"projet-{n}")
    session.commit()
    people = session.exec(select(func.count()).select_from(Person).where(Person.email.is_not(None))).one()  # type: ignore[union-attr]
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    report = run_cycle()
    # each project added its own people (identities belong to a project): one digest each
    assert people == 25
    assert report.dispatch is not None and report.dispatch.messages == people
    assert len(smtp_sink.received) == people


def test_every_occasion_has_words_in_both_languages() -> None:
    """`cocon outbox list` and the web page show occasions in words, never a raw key like feedback-reminder;
    the occasions are one closed list (``store.models.Occasion``), never a free string in the code."""
    for occasion in Occasion:  # each one has its words in both catalogues, read through occasion_label
        assert locales.has(f"label.occasion.{occasion.value}"), occasion
        assert occasion_label(occasion, "fr") != occasion.value or occasion == Occasion.INVITATION, occasion
        assert occasion_label(occasion, "en") != occasion.value or occasion in (Occasion.INVITATION, Occasion.THANKS), occasion
    assert occasion_label("feedback-reminder", "en") == "questionnaire reminder"
    assert occasion_label("no-such-occasion") == "no-such-occasion"
    root = Path(__file__).resolve().parent.parent
    for package in ("notifications", "evaluation", "charters", "cocon", "flows", "store"):
        for source in (root / package).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            assert not re.findall(r'occasion="[a-z-]+"|[A-Z_]*OCCASION[A-Z_]* = "', text), source
    assert occasion_label("feedback-reminder") == "rappel du questionnaire"
