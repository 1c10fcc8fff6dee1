"""The coordinator pauses, resumes, stops and updates people (CLI and people page); a person does it
from "Mon compte"; the pause page refuses unknown links."""

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import Result

from store.db import session_scope
from store.models import AuditEvent, OutboxMessage, OutboxState, Person, ReminderStop
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import COORDINATOR, WebWorld, csrf_of, log_in, log_in_with_link

CLI = Callable[..., Result]


def fresh(db_url: str, email: str) -> Person:
    with session_scope(db_url) as session:
        found = session.exec(select(Person).where(Person.email == email)).one()
        session.expunge(found)
        return found


def test_cli_pause_resume_stop_and_update(cli: CLI, session: Session, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    project = make_project(session)
    slug = project.slug
    assert cli("remind").exit_code == 0

    result = cli("person", "pause", slug, "awa@example.org", "--until", "2027-03-12")
    assert result.exit_code == 0 and "jusqu'au vendredi 12 mars 2027 inclus" in result.output
    awa = fresh(db_url, "awa@example.org")
    assert awa.paused and awa.paused_until == date(2027, 3, 12)
    result = cli("person", "pause", slug, "awa@example.org", "--until", "2027-01-01")
    assert result.exit_code == 1 and "aujourd'hui ou plus tard" in result.output
    assert cli("person", "resume", slug, "Awa Diallo").exit_code == 0
    assert not fresh(db_url, "awa@example.org").paused

    result = cli("person", "stop", slug, "karim@example.org")
    assert result.exit_code == 0 and slug in result.output
    with session_scope(db_url) as s:
        karim = s.exec(select(Person).where(Person.email == "karim@example.org")).one()
        assert s.exec(select(ReminderStop).where(ReminderStop.person_id == karim.id)).one().project_id == project.id
        waiting = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.person_id == karim.id, OutboxMessage.state == OutboxState.PENDING
            )
        ).all()
        assert waiting == []
    assert cli("person", "stop", slug, "sophie@example.org", "--all").exit_code == 0
    assert fresh(db_url, "sophie@example.org").opted_out

    result = cli(
        "person", "update", slug, "awa@example.org", "--unavailable", "2027-01-25..2027-03-12",
        "--quiet-hours", "21:00-09:00", "--lang", "en", "--name", "Awa D.", "--json",
    )
    assert result.exit_code == 0, result.output
    awa = fresh(db_url, "awa@example.org")
    assert (awa.name, awa.language, awa.quiet_hours, awa.unavailable) == (
        "Awa D.", "en", "21:00-09:00", ["2027-01-25..2027-03-12"]
    )
    with session_scope(db_url) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "person.updated")).one()
        assert event.details["fields"] == ["language", "name", "quiet_hours", "unavailable"]
    assert cli("person", "update", slug, "awa@example.org", "--quiet-hours", "25:00-08:00").exit_code == 1
    result = cli("person", "update", slug, "awa@example.org", "--email", "")
    assert result.exit_code == 1 and "moyen de contact" in result.output
    assert cli("person", "update", slug, "awa@example.org", "--unavailable", "").exit_code == 0
    assert fresh(db_url, "awa@example.org").unavailable == []
    assert cli("person", "pause", slug, "personne@example.org").exit_code == 1


def test_people_page_and_my_account(
    client: TestClient, web_world: WebWorld, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    log_in(client)
    page = client.get(f"/projets/{web_world.slug_a}/personnes")
    assert "Rappels" in page.text and "actifs" in page.text
    token = csrf_of(client, f"/projets/{web_world.slug_a}")
    path = f"/projets/{web_world.slug_a}/personnes/{web_world.partner_a}/rappels"
    assert client.post(path, data={"csrf_token": token, "choice": "3m"}).status_code == 303
    awa = fresh(db_url, "awa@example.org")
    assert awa.paused and awa.paused_until == date(2027, 4, 18)
    assert "en pause jusqu&#39;au dimanche 18 avril 2027" in client.get(f"/projets/{web_world.slug_a}/personnes").text
    # a coordinator of another project cannot touch this one's people
    other = f"/projets/{web_world.slug_b}/personnes/{web_world.partner_a}/rappels"
    assert client.post(other, data={"csrf_token": token, "choice": "open"}).status_code in (403, 404)
    assert client.post(path, data={"csrf_token": token, "choice": "resume"}).status_code == 303
    assert not fresh(db_url, "awa@example.org").paused

    # Awa herself, from "Mon compte"
    partner = TestClient(client.app, follow_redirects=False)
    log_in_with_link(partner, db_url, web_world.partner_a)
    account = partner.get("/compte")
    assert "Mes rappels" in account.text and "Pause jusqu&#39;à ce que je reprenne" in account.text
    token = csrf_of(partner, "/compte")
    done = partner.post("/compte/rappels", data={"csrf_token": token, "choice": "open"})
    assert done.status_code == 200 and "jusqu&#39;à ce que vous repreniez" in done.text
    assert fresh(db_url, "awa@example.org").paused_until is None
    assert "En pause" in partner.get("/compte").text or "en pause" in partner.get("/compte").text
    partner.post("/compte/rappels", data={"csrf_token": token, "choice": "resume"})
    assert not fresh(db_url, "awa@example.org").paused
    assert partner.post("/compte/rappels", data={"choice": "open"}).status_code == 403  # CSRF still applies
    assert fresh(db_url, COORDINATOR).paused is False


def test_an_unknown_pause_link_says_what_to_do(client: TestClient, web_world: WebWorld) -> None:
    response = client.get("/pause/" + "x" * 43)
    assert response.status_code == 410 and "connectez-vous" in response.text
    token = csrf_of(client)
    assert client.post("/pause/" + "x" * 43, data={"csrf_token": token, "choice": "open"}).status_code == 410


def test_cli_removes_a_person_from_a_project_and_cancels_what_waited_for_them(
    cli: CLI, session: Session, db_url: str, monkeypatch: pytest.MonkeyPatch, smtp_sink: SmtpSink
) -> None:
    """`cocon person remove` does what the people page's "Retirer" does, through the same service."""
    from store.models import Membership

    project = make_project(session)
    slug = project.slug
    # Karim's quiet hours hold what a morning's cycle queues for him until noon.
    assert cli("person", "update", slug, "karim@example.org", "--quiet-hours", "09:00-12:00").exit_code == 0
    karim = fresh(db_url, "karim@example.org")
    before: list[OutboxMessage] = []
    for offset in range(60):  # the first morning something is queued for Karim: it waits for noon
        monkeypatch.setenv("COCON_NOW", f"{date.fromordinal(date(2027, 1, 4).toordinal() + offset).isoformat()}T10:00")
        assert cli("remind").exit_code == 0
        with session_scope(db_url) as s:
            before = list(
                s.exec(
                    select(OutboxMessage).where(
                        OutboxMessage.person_id == karim.id, OutboxMessage.state == OutboxState.PENDING
                    )
                )
            )
        if before:
            break
    assert before, "the cycle queued something for Karim"

    result = cli("person", "remove", slug, "karim@example.org", "--json")
    assert result.exit_code == 0, result.output
    with session_scope(db_url) as s:
        memberships = s.exec(select(Membership).where(Membership.person_id == karim.id)).all()
        assert memberships and all(m.left_at is not None for m in memberships)
        still = s.exec(
            select(OutboxMessage).where(OutboxMessage.person_id == karim.id, OutboxMessage.state == OutboxState.PENDING)
        ).all()
        assert still == []
    again = cli("person", "remove", slug, "karim@example.org")
    assert again.exit_code == 1 and "introuvable" in again.output
