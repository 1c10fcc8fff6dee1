"""Gatherings with a time and a place: invitations calendars understand (real SMTP, parsed with
icalendar), answers from the email's links, updates and cancellations, calendar feeds."""

import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Event
from sqlmodel import Session, select
from typer.testing import Result

from notifications.cycle import run_cycle
from project_templates.exceptions import TemplateError
from project_templates.loader import BUILTIN_DIR, parse_template
from store import plans
from store.gatherings import attendance_answers, gathering_view, set_where
from store.models import AnswerLink, CalendarFeed, GatheringAnswer, Person, Project, StepStatus
from store.people import erase_person
from store.projects import get_project
from tests.conftest import PUBLIC_URL
from tests.factories import TEAM, make_project
from tests.fixtures_notifications import Received, SmtpSink
from tests.fixtures_web import CSRF, log_in

PLACE = "Salle du conseil, MSP des Tilleuls, 3 rue des Tilleuls, Dole"
VIDEO = "https://visio.msp-tilleuls.test/rencontre"


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("COCON_NOW", moment)


def person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def only_event(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def plain(text: str) -> str:
    """French typography puts narrow no-break spaces in "18 h"; compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def one_mail(sink: SmtpSink, address: str, subject_part: str) -> Received:
    found = [m for m in sink.to(address) if subject_part in m.subject]
    assert len(found) == 1, [m.subject for m in sink.to(address)]
    return found[0]


@pytest.fixture
def project(session: Session) -> Project:
    return make_project(session)


def test_invitation_is_a_timed_event_for_its_recipient_alone_then_updated_then_cancelled(
    session: Session, project: Project, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2027-01-18T10:00")
    set_where(session, project, "rencontre", place=PLACE, video=VIDEO, actor="test")
    session.commit()
    run_cycle()
    invitation = one_mail(smtp_sink, "awa@example.org", "Se rencontrer")
    text = plain(invitation.text())
    assert "à 18 h" in text and PLACE in text and VIDEO in text
    assert re.search(re.escape(PUBLIC_URL) + r"/reponse/[\w-]{43}/oui", text)
    data = invitation.attachments()["invitation.ics"]
    calendar, event = only_event(data)
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(start.tzinfo) == "Europe/Paris" and start.replace(tzinfo=None) == datetime(2027, 2, 1, 18, 0)
    assert start.astimezone(UTC) == datetime(2027, 2, 1, 17, 0, tzinfo=UTC)  # winter: UTC+1
    assert (end - start).total_seconds() == 2 * 3600
    assert str(event["LOCATION"]) == PLACE and str(event["URL"]) == VIDEO
    assert str(event["ORGANIZER"]) == "mailto:claire@example.org"
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list) and str(attendees) == "mailto:awa@example.org"
    for _, _role, other in TEAM:  # the organizer's address, nobody else's
        if other not in ("awa@example.org", "claire@example.org"):
            assert other.encode() not in data
    uid, first_sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert uid == f"{project.slug}.rencontre@cocon" and first_sequence == 1  # the place was set once

    # the meeting moves two days later: the invitees' calendars get the same UID, a higher SEQUENCE,
    # in the day's one digest
    at(monkeypatch, "2027-01-19T10:00")
    plans.move_step(session, project, "rencontre", date(2027, 2, 3), reason="salle prise", actor="test")
    session.commit()
    from notifications.gatherings import queue_gathering_changes

    assert queue_gathering_changes(session, shard=(((project.id or 0) + 1) % 2, 2)) == 0  # another shard's project
    before = len(smtp_sink.to("awa@example.org"))
    run_cycle()
    [update] = smtp_sink.to("awa@example.org")[before:]
    calendar, event = only_event(update.attachments()["invitation.ics"])
    assert calendar["METHOD"] == "REQUEST" and str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == first_sequence + 1
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 2, 3, 18, 0)
    assert "Changement" in update.text() and "mercredi 3 février 2027 à 18 h" in plain(update.text())
    at(monkeypatch, "2027-01-20T10:00")
    run_cycle()  # the new date's invitation (14 days before) may come, with no new version
    later = smtp_sink.to("awa@example.org")[before + 1:]
    assert not any("Changement" in m.text() for m in later)
    for message in later:
        for name, data in message.attachments().items():
            if name.endswith(".ics") and uid.encode() in data.replace(b"\r\n ", b""):
                assert int(only_event(data)[1]["SEQUENCE"]) == first_sequence + 1

    # skipped: a cancellation, once, newer than anything sent
    at(monkeypatch, "2027-01-21T10:00")
    plans.set_status(session, project, "rencontre", StepStatus.SKIPPED, actor="test", by_hand=True)
    session.commit()
    before = len(smtp_sink.to("awa@example.org"))
    run_cycle()
    at(monkeypatch, "2027-01-22T10:00")
    run_cycle()
    cancels = [m for m in smtp_sink.to("awa@example.org")[before:] if "annulation.ics" in m.attachments()]
    assert len(cancels) == 1 and "Annulé" in cancels[0].text()
    calendar, event = only_event(cancels[0].attachments()["annulation.ics"])
    assert calendar["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) > first_sequence + 1
    assert str(event["ATTENDEE"]) == "mailto:awa@example.org"


def test_a_gathering_without_a_time_stays_an_all_day_event(session: Session, project: Project) -> None:
    set_where(session, project, "rencontre", start="", actor="test")
    view = gathering_view(session, project, "rencontre")
    from planning.ics import calendar_bytes
    from store.gatherings import calendar_event

    _, event = only_event(calendar_bytes("x", [calendar_event(view)], method="REQUEST"))
    assert event.decoded("DTSTART") == view.day and not isinstance(event.decoded("DTSTART"), datetime)


def test_answering_from_the_email_links_in_two_taps_and_changing_it(
    session: Session, project: Project, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, client: TestClient,
    cli: Callable[..., Result],
) -> None:
    at(monkeypatch, "2027-01-18T10:00")
    run_cycle()
    text = one_mail(smtp_sink, "awa@example.org", "Se rencontrer").text()
    yes = re.search(re.escape(PUBLIC_URL) + r"(/reponse/[\w-]+/oui)", text)
    no = re.search(re.escape(PUBLIC_URL) + r"(/reponse/[\w-]+/non)", text)
    assert yes and no
    # Opening the link (as a mail filter would) records nothing: it asks to confirm.
    page = client.get(yes.group(1))
    assert page.status_code == 200 and "Oui, je viens" in page.text
    session.expire_all()
    assert attendance_answers(session, project, "rencontre").coming == []
    token = CSRF.search(page.text)
    assert token
    done = client.post(yes.group(1), data={"csrf_token": token.group(1)})  # the second tap, no login
    assert done.status_code == 200 and "vous venez" in done.text
    session.expire_all()
    answers = attendance_answers(session, project, "rencontre")
    assert [p.name for p in answers.coming] == ["Awa Diallo"] and len(answers.silent) == len(TEAM) - 1
    # the confirmation page changes the answer
    token = CSRF.search(done.text)
    assert token
    changed = client.post(no.group(1), data={"csrf_token": token.group(1)})
    assert changed.status_code == 200 and "vous ne venez pas" in changed.text
    result = cli("step", "answers", project.slug, "rencontre")
    assert result.exit_code == 0
    assert "Ne viennent pas (1) : Awa Diallo" in result.output and "Viennent (0)" in result.output
    assert client.get("/reponse/" + "x" * 43 + "/oui").status_code == 410
    assert client.get(yes.group(1).replace("/oui", "/peut-etre")).status_code == 404


def feed_path(url: str) -> str:
    assert url.startswith(PUBLIC_URL + "/calendrier/") and url.endswith(".ics")
    return url.removeprefix(PUBLIC_URL)


def test_person_and_team_feeds_parse_with_the_paris_time_zone_and_can_be_revoked(
    session: Session, project: Project, client: TestClient, cli: Callable[..., Result]
) -> None:
    set_where(session, project, "rencontre", start="18:30", duration="90min", place=PLACE, actor="test")
    session.commit()
    made = cli("calendar", "link", project.slug, "--person", "awa@example.org", "--json")
    assert made.exit_code == 0, made.output
    path = feed_path(re.search(r'"url": "([^"]+)"', made.output).group(1))  # type: ignore[union-attr]
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar and "METHOD" not in calendar
    events = {str(e["UID"]).split(".", 1)[1].removesuffix("@cocon"): e for e in calendar.walk("VEVENT")}
    meeting = events["rencontre"]
    start = meeting.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris" and start.time() == time(18, 30)
    assert (meeting.decoded("DTEND") - start).total_seconds() == 90 * 60 and str(meeting["LOCATION"]) == PLACE
    # Awa's gatherings are there, a step only the coordination owns is not; nobody else is named
    assert "cartographie" not in events and any(k.startswith("point-etape") for k in events)
    for name, _, email in TEAM:
        if email != "awa@example.org":
            assert email.encode() not in response.content and name.encode() not in response.content
    assert b"ATTENDEE" not in response.content and b"ORGANIZER" not in response.content
    # the team's feed holds the whole plan
    team = cli("calendar", "link", project.slug, "--json")
    team_path = feed_path(re.search(r'"url": "([^"]+)"', team.output).group(1))  # type: ignore[union-attr]
    team_events = Calendar.from_ical(client.get(team_path).content).walk("VEVENT")
    assert len(team_events) == len(plans.plan_steps(session, project))
    # a new link replaces the old one; revoking ends it
    again = cli("calendar", "link", project.slug, "--person", "awa@example.org", "--json")
    new_path = feed_path(re.search(r'"url": "([^"]+)"', again.output).group(1))  # type: ignore[union-attr]
    assert client.get(path).status_code == 404 and client.get(new_path).status_code == 200
    assert cli("calendar", "revoke", project.slug, "--person", "awa@example.org").exit_code == 0
    assert client.get(new_path).status_code == 404
    refused = cli("calendar", "revoke", project.slug, "--person", "awa@example.org")
    assert refused.exit_code == 1 and "Aucun lien d'agenda actif" in refused.output
    assert client.get(team_path).status_code == 200
    stored = session.exec(select(CalendarFeed)).all()
    assert all(len(f.token_hash) == 64 and f.token_hash not in (path + new_path + team_path) for f in stored)


def test_step_where_from_the_cli_checks_what_is_typed(project: Project, cli: Callable[..., Result]) -> None:
    done = cli("step", "where", project.slug, "rencontre", "--time", "18h30", "--duration", "1h30", "--place", PLACE)
    assert done.exit_code == 0 and "18 h 30" in plain(done.output) and PLACE in done.output
    for args, words in [
        (("--time", "25:00"), "Heure invalide"),
        (("--duration", "3 jours"), "Durée invalide"),
        (("--video", "http://visio.example.org/x"), "https://"),
    ]:
        refused = cli("step", "where", project.slug, "rencontre", *args)
        assert refused.exit_code == 1 and words in refused.output and "Traceback" not in refused.output
    not_gathering = cli("step", "where", project.slug, "cartographie", "--time", "18:00")
    assert not_gathering.exit_code == 1 and "n'est pas une rencontre" in not_gathering.output
    shown = cli("step", "where", project.slug, "rencontre", "--json")
    assert '"start": "18:30"' in shown.output and '"minutes": 90' in shown.output and '"sequence": 1' in shown.output


def test_the_coordination_sets_time_and_place_from_the_page_and_partners_answer_there(
    session: Session, web_world: object, client: TestClient, db_url: str
) -> None:
    from tests.fixtures_web import log_in_with_link

    slug = "accueil-tilleuls"
    log_in(client)
    page = client.get(f"/projets/{slug}/etapes/rencontre/lieu")
    assert page.status_code == 200 and 'name="start"' in page.text and "Qui vient" in page.text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    saved = client.post(f"/projets/{slug}/etapes/rencontre/lieu",
                        data={"csrf_token": token, "start": "18:15", "duration": "2h", "place": PLACE, "video": ""})
    assert saved.status_code == 303
    session.expire_all()
    view = gathering_view(session, get_project(session, slug), "rencontre")
    assert view.where.start == time(18, 15) and view.where.place == PLACE
    wrong = client.post(f"/projets/{slug}/etapes/rencontre/lieu", data={"csrf_token": token, "start": "8 heures"})
    assert wrong.status_code == 400 and "Heure invalide" in wrong.text
    # a partner answers from the page, and cannot change the place
    partner = TestClient(client.app, follow_redirects=False)
    awa = person(session, "awa@example.org")
    log_in_with_link(partner, db_url, awa.id or 0)
    mine = partner.get(f"/projets/{slug}/etapes/rencontre/lieu")
    assert mine.status_code == 200 and 'name="start"' not in mine.text and "Je viens" in mine.text
    csrf = CSRF.search(mine.text).group(1)  # type: ignore[union-attr]
    assert partner.post(f"/projets/{slug}/etapes/rencontre/reponse", data={"csrf_token": csrf, "coming": "oui"}).status_code == 303
    assert partner.post(f"/projets/{slug}/etapes/rencontre/lieu", data={"csrf_token": csrf, "start": "9:00"}).status_code == 403
    session.expire_all()
    assert [p.name for p in attendance_answers(session, get_project(session, slug), "rencontre").coming] == ["Awa Diallo"]
    # "Mon compte" makes the person's subscription link, shown once
    assert 'href="/compte/calendrier"' in partner.get("/compte").text
    account = partner.get("/compte/calendrier")
    made = partner.post("/compte/calendrier", data={"csrf_token": CSRF.search(account.text).group(1), "choice": "link"})  # type: ignore[union-attr]
    url = re.search(r'<code class="feed-url">([^<]+)</code>', made.text)
    assert made.status_code == 200 and url
    assert partner.get(feed_path(url.group(1))).status_code == 200


def test_erasing_a_person_deletes_their_answers_and_feeds(
    session: Session, project: Project, client: TestClient, cli: Callable[..., Result]
) -> None:
    from store.calendars import create_feed
    from store.gatherings import create_answer_link, record_answer

    awa = person(session, "awa@example.org")
    record_answer(session, project, "rencontre", awa, coming=True, via="page", actor="test")
    create_answer_link(session, project_id=project.id or 0, step_key="rencontre", person_id=awa.id or 0)
    token = create_feed(session, person=awa, actor="test")
    session.commit()
    assert client.get(f"/calendrier/{token}.ics").status_code == 200
    erase_person(session, awa.id or 0, actor="test")
    session.commit()
    for table in (GatheringAnswer, AnswerLink, CalendarFeed):
        assert session.exec(select(table).where(table.person_id == awa.id)).all() == []  # type: ignore[attr-defined]
    assert client.get(f"/calendrier/{token}.ics").status_code == 404


def test_template_gathering_fields_are_checked_with_their_line(tmp_path: Path) -> None:
    text = (BUILTIN_DIR / "partenariat-msp.yaml").read_text(encoding="utf-8")
    good = parse_template(text, "ok.yaml")
    assert good.step("rencontre").gathering is not None and good.step("rencontre").gathering.time == "18:00"  # type: ignore[union-attr]
    unquoted = parse_template(text.replace('time: "18:00", duration: 2h}', "time: 18:45, duration: 2h}"), "x.yaml")
    assert unquoted.step("rencontre").gathering.time == "18:45"  # type: ignore[union-attr]  # YAML 1.1 reads 18:45 as 1125
    broken = text.replace('time: "18:00", duration: 2h}', 'time: "26:00", duration: 3d}', 1)
    with pytest.raises(TemplateError) as error:
        parse_template(broken, "modele.yaml")
    line = next(n for n, content in enumerate(broken.splitlines(), 1) if '"26:00"' in content)
    message = str(error.value)
    assert f"modele.yaml:{line}: phases.avant.steps" in message and "heure invalide" in message and "durée invalide" in message
    assert "        due: after rencontre + 3w\n" in text  # the "methode" step, a task
    on_task = text.replace("        due: after rencontre + 3w\n", "        due: after rencontre + 3w\n        gathering: {time: \"10:00\"}\n", 1)
    with pytest.raises(TemplateError, match="seules les rencontres"):
        parse_template(on_task, "tache.yaml")


def test_plan_export_gives_gatherings_their_time_with_the_same_uid(
    project: Project, cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "plan.ics"
    assert cli("plan", "show", project.slug, "--format", "ics", "-o", str(out)).exit_code == 0
    events = {str(e["UID"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    meeting = events[f"{project.slug}.rencontre@cocon"]
    assert str(meeting.decoded("DTSTART").tzinfo) == "Europe/Paris" and meeting.decoded("DTSTART").time() == time(18, 0)
    charter = events[f"{project.slug}.charte@cocon"]
    assert not isinstance(charter.decoded("DTSTART"), datetime)  # not a gathering: the day only


def test_upcoming_gatherings_lists_a_persons_next_gatherings_with_their_answer(
    session: Session, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.gatherings import record_answer, upcoming_gatherings

    at(monkeypatch, "2027-01-18T10:00")
    awa = person(session, "awa@example.org")
    set_where(session, project, "rencontre", place=PLACE, actor="test")
    record_answer(session, project, "rencontre", awa, coming=False, via="page", actor="test")
    upcoming = upcoming_gatherings(session, awa)
    assert upcoming and upcoming[0].view.step.key == "rencontre" and upcoming[0].answer is False
    assert upcoming[0].view.where.place == PLACE and upcoming[0].view.where.start == time(18, 0)
    assert [g.view.day for g in upcoming] == sorted(g.view.day for g in upcoming)
    assert all(g.view.step.kind in {"meeting", "checkpoint", "conviviality", "restitution"} for g in upcoming)
    plans.set_status(session, project, "rencontre", StepStatus.SKIPPED, actor="test", by_hand=True)
    assert "rencontre" not in [g.view.step.key for g in upcoming_gatherings(session, awa)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_update_and_cancellation_entries_render_in_both_languages(lang: str) -> None:
    from notifications.messages import DigestContext, DigestEntry, render_message

    update = DigestEntry(occasion="gathering-update", project_name="P", title="Point d'étape n°2", day=date(2027, 1, 12),
                         start="18 h 30" if lang == "fr" else "18:30", place=PLACE, has_calendar=True,
                         answer_yes="https://c.test/reponse/t/oui", answer_no="https://c.test/reponse/t/non")
    cancel = DigestEntry(occasion="gathering-cancelled", project_name="P", title="Moment convivial", day=date(2027, 1, 15),
                         has_calendar=True)
    for entries, word in (([update], ("Changement" if lang == "fr" else "Change")), ([cancel], ("Annulé" if lang == "fr" else "Cancelled"))):
        message = render_message("digest", DigestContext(person_name="Awa", today=date(2027, 1, 5), entries=entries), lang)
        assert message.subject.startswith(word) and word in message.text and "{{" not in message.text
    both = render_message("digest", DigestContext(person_name="Awa", today=date(2027, 1, 5), entries=[update, cancel]), lang).text
    assert PLACE in both and "https://c.test/reponse/t/non" in both and (".ics" in both)


def test_the_coordination_makes_and_revokes_the_team_calendar_from_the_project(
    session: Session, web_world: object, client: TestClient
) -> None:
    slug = "accueil-tilleuls"
    log_in(client)
    assert f'href="/projets/{slug}/calendrier"' in client.get(f"/projets/{slug}/planning").text
    page = client.get(f"/projets/{slug}/calendrier")
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    made = client.post(f"/projets/{slug}/calendrier", data={"csrf_token": token, "choice": "link"})
    url = re.search(r'<code class="feed-url">([^<]+)</code>', made.text)
    assert made.status_code == 200 and url
    path = feed_path(url.group(1))  # https, at the public address
    feed = client.get(path)
    assert feed.status_code == 200 and len(Calendar.from_ical(feed.content).walk("VEVENT")) > 10
    assert client.post(f"/projets/{slug}/calendrier", data={"csrf_token": token, "choice": "revoke"}).status_code == 303
    assert client.get(path).status_code == 404
    assert "Aucun lien d'agenda actif" in html.unescape(client.get(f"/projets/{slug}/calendrier").text)
