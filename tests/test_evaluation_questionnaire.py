"""The participant questionnaire: tokens, anonymity, reminders that stop, small groups hidden."""

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from evaluation.exceptions import InvalidAnswers, InvitationUnusable
from evaluation.feedback import invite_participants
from evaluation.measurement import questionnaire_values
from evaluation.questionnaire import (
    answer_questionnaire,
    hash_token,
    invitations,
    load_questionnaire,
    questionnaire_for,
    responses,
    results_by_group,
)
from evaluation.report import build_report, report_html
from notifications.dispatch import dispatch
from store.clock import PARIS
from store.db import get_engine
from store.models import FeedbackInvitation, FeedbackResponse, OutboxMessage, Project, RoleGroup, SiteSetting
from store.people import add_person
from store.publication import PUBLIC_URL, NoPublicAddress, record_public_url

ALL_FIVES = {
    "info-role-clair": 5,
    "expr-ecoute": 4,
    "collab-but-partage": 5,
    "infl-pris-en-compte": 4,
    "pers-recommencer": 5,
}


def test_two_versions_in_two_languages() -> None:
    questionnaire = load_questionnaire()
    titles = [s.title.get("fr") for s in questionnaire.sections]
    assert titles == [
        "Information et accompagnement",
        "Expression et écoute",
        "Collaboration et but commun",
        "Influence et impact",
        "Ce que j'en retire et reconnaissance",
        "Questions ouvertes",
    ]
    partner = {i.code for s in questionnaire.for_group(RoleGroup.PARTNER) for i in s.items}
    pro = {i.code for s in questionnaire.for_group(RoleGroup.PROFESSIONAL) for i in s.items}
    assert "info-frais" in partner - pro and "infl-pratiques" in pro - partner
    assert all(i.text.en for s in questionnaire.sections for i in s.items)
    assert len(questionnaire.scale["fr"]) == 5 and questionnaire.dont_know.get("en") == "I don't know"


def test_tokens_are_long_hashed_single_use_and_expiring(
    session: Session, db_url: str, eval_running: Project, eval_clock: Callable[[str], None]
) -> None:
    eval_clock("2027-06-01T10:00")
    created = invite_participants(session, eval_running, actor="claire")
    session.commit()
    assert len(created) == 4  # everyone but the coordinator
    token = created[0].token
    assert len(token) >= 43  # 32 random bytes: 256 bits
    assert created[0].invitation.token_hash == hash_token(token)
    # The token is nowhere in the database except inside the queued message that carries it.
    dump = "\n".join(sqlite3.connect(db_url.removeprefix("sqlite:///")).iterdump())
    assert dump.count(token) == 3  # invitation + two reminders, all in the outbox
    view = questionnaire_for(session, token)
    assert view.project_name == eval_running.name and view.lang == "fr"
    with pytest.raises(InvalidAnswers, match="1 à 5"):
        answer_questionnaire(session, token, {"expr-ecoute": 7})
    with pytest.raises(InvalidAnswers, match="ne fait pas partie"):
        answer_questionnaire(session, token, {"inventee": 3})
    answer_questionnaire(session, token, {"expr-ecoute": 4, "info-role-clair": "nsp", "ouv-libre": "Merci"})
    with pytest.raises(InvitationUnusable, match="déjà été rempli"):
        answer_questionnaire(session, token, {"expr-ecoute": 4})
    with pytest.raises(InvitationUnusable, match="inconnu"):
        questionnaire_for(session, "pas-un-vrai-code")
    eval_clock("2027-06-23T10:00")
    with pytest.raises(InvitationUnusable, match="expiré"):
        questionnaire_for(session, created[1].token)
    assert invite_participants(session, eval_running, actor="claire") == []  # idempotent


def test_no_table_links_an_answer_to_a_person(session: Session, db_url: str, eval_running: Project) -> None:
    inspector = inspect(get_engine(db_url))
    response_columns = {c["name"] for c in inspector.get_columns("feedback_response")}
    assert response_columns == {"id", "project_id", "questionnaire", "role_group", "answers"}
    assert [fk["referred_table"] for fk in inspector.get_foreign_keys("feedback_response")] == ["project"]
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            assert fk["referred_table"] != "feedback_response", table
    invitation_columns = {c["name"] for c in inspector.get_columns("feedback_invitation")}
    assert invitation_columns == {
        "id",
        "project_id",
        "person_id",
        "role_group",
        "lang",
        "token_hash",
        "invited_at",
        "expires_at",
        "answered",
    }

    created = invite_participants(session, eval_running, actor="claire")
    answer_questionnaire(session, created[0].token, {"expr-ecoute": 4})
    session.commit()
    row = session.exec(select(FeedbackResponse)).one()
    assert len(row.id) == 32 and not row.id.isdigit()  # random id, not an order of arrival
    assert created[0].person.name not in json.dumps(row.answers)
    invitation = session.get(FeedbackInvitation, created[0].invitation.id)
    assert invitation is not None and invitation.answered


def test_reminders_on_day_7_and_14_stop_once_answered(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None], smtp_sink
) -> None:
    eval_clock("2027-06-01T10:00")
    created = {n.person.email: n for n in invite_participants(session, eval_running, actor="claire")}
    session.commit()
    reminders = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "feedback-reminder")).all()
    assert {r.next_attempt_at.astimezone(PARIS).replace(tzinfo=None) for r in reminders} == {
        datetime(2027, 6, 8, 9, 0),
        datetime(2027, 6, 15, 9, 0),
    }  # each waits for its day, 9:00 in Paris
    dispatch()
    assert sorted(r.envelope_to[0] for r in smtp_sink.received) == [
        "awa@example.org",
        "jp@example.org",
        "karim@example.org",
        "sophie@example.org",
    ]
    invitation = smtp_sink.to("awa@example.org")[0]
    assert "anonyme" in invitation.subject and created["awa@example.org"].token in invitation.text()

    eval_clock("2027-06-03T10:00")
    answer_questionnaire(session, created["awa@example.org"].token, {"pers-utile": 5})
    session.commit()
    dispatch()
    assert len(smtp_sink.received) == 4  # reminders wait for their day

    eval_clock("2027-06-08T10:00")
    dispatch()
    eval_clock("2027-06-15T10:00")
    answer_questionnaire(session, created["karim@example.org"].token, {"pers-utile": 4})
    session.commit()
    dispatch()
    counts = {address: len(smtp_sink.to(address)) for address in created}
    assert counts == {"awa@example.org": 1, "karim@example.org": 2, "sophie@example.org": 3, "jp@example.org": 3}
    assert all(r.subject.startswith("Rappel") for r in smtp_sink.to("sophie@example.org")[1:])


def test_a_reminder_that_missed_its_day_is_dropped(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None], smtp_sink
) -> None:
    eval_clock("2027-06-01T10:00")
    invite_participants(session, eval_running, actor="claire")
    session.commit()
    dispatch()
    eval_clock("2027-06-16T10:00")  # nothing was sent on day 7; day 14 is one day late
    dispatch()
    karim = smtp_sink.to("karim@example.org")
    assert [r.subject.startswith("Rappel") for r in karim] == [False, True]


def _team_of_nine(session: Session, project: Project) -> None:
    for i, role in enumerate(["professionnel"] * 3 + ["patient-partenaire"] * 2):
        add_person(session, project, name=f"Personne {i}", role=role, email=f"p{i}@example.org", actor="test")
    session.commit()


def test_a_section_with_four_respondents_in_a_role_is_hidden(session: Session, eval_running: Project) -> None:
    _team_of_nine(session, eval_running)
    created = invite_participants(session, eval_running, actor="claire")
    groups = [n.invitation.role_group for n in created]
    assert groups.count(RoleGroup.PROFESSIONAL) == 5 and groups.count(RoleGroup.PARTNER) == 4
    for new in created:
        answer_questionnaire(
            session, new.token, {**ALL_FIVES, "ouv-fierte": f"L'affiche ({new.invitation.role_group})"}
        )
    session.commit()

    rows = responses(session, eval_running)
    everyone, partners, pros = results_by_group(load_questionnaire(), rows)
    assert (everyone.respondents, partners.respondents, pros.respondents) == (9, 4, 5)
    assert all(s.hidden and s.mean is None and sum(s.distribution) == 0 for s in partners.sections)
    assert not any(s.hidden for s in pros.sections)
    influence = next(s for s in pros.sections if s.code == "influence")
    assert influence.mean == 4 and influence.distribution == (0, 0, 0, 5, 0, 0)
    # The partners' perceived influence cannot be published with 4 partners.
    assert questionnaire_values(rows) == {
        "influence-percue": None,
        "envie-de-recommencer": 100.0,
        "satisfaction-globale": 4.6,
    }

    html = report_html(build_report(session, eval_running, with_charts=False))
    partner_table = html.split("<caption>Partenaires (4 répondants)</caption>")[1].split("</table>")[0]
    assert partner_table.count("masqué (moins de 5 répondants)") == 5
    assert "4," not in partner_table and "<td>4</td>" not in partner_table
    pro_table = html.split("<caption>Professionnels et professionnelles (5 répondants)</caption>")[1].split("</table>")[0]
    assert "masqué" not in pro_table and "<td>5</td><td>4</td>" in pro_table
    everyone_table = html.split("<caption>Tous les répondants (9 répondants)</caption>")[1].split("</table>")[0]
    assert "masqué" not in everyone_table and "<td>9</td><td>4</td><td>0 / 0 / 0 / 9 / 0 / 0</td>" in everyone_table


def test_cli_answers_from_a_file_and_interactively(
    cli, session: Session, tmp_path: Path, eval_running: Project
) -> None:
    created = invite_participants(session, eval_running, actor="claire")
    session.commit()
    answers = tmp_path / "reponses.json"
    answers.write_text(json.dumps({"expr-ecoute": 4, "info-frais": "nsp", "ouv-libre": "Bravo"}), encoding="utf-8")
    partner = next(n for n in created if n.invitation.role_group == RoleGroup.PARTNER)
    result = cli("feedback", "answer", partner.token, "--answers", str(answers))
    assert result.exit_code == 0 and "sans votre nom" in result.output
    again = cli("feedback", "answer", partner.token, "--answers", str(answers))
    assert again.exit_code == 1 and "déjà été rempli" in again.output and "Traceback" not in again.output
    answers.write_text("[1, 2]", encoding="utf-8")
    other = next(n for n in created if n is not partner)
    assert "objet JSON" in cli("feedback", "answer", other.token, "--answers", str(answers)).output

    questionnaire = load_questionnaire()
    count = sum(len(s.items) for s in questionnaire.for_group(other.invitation.role_group))
    typed = "\n".join(["5", "nsp", "9", "4"] + [""] * count) + "\n"
    interactive = cli("feedback", "answer", other.token, input=typed)
    assert interactive.exit_code == 0, interactive.output
    assert "Répondre de 1 à 5" in interactive.output
    assert interactive.output.count("Tout à fait d'accord") == 1  # the scale is shown once, not at every statement
    stored = sorted(json.dumps(r.answers, sort_keys=True) for r in responses(session, eval_running))
    assert len(stored) == 2
    status = cli("feedback", "status", eval_running.slug, "--json")
    assert '"answered": 2' in status.output


def test_without_a_public_address_the_invitation_is_refused_in_one_sentence(
    cli, session: Session, eval_running: Project, monkeypatch
) -> None:
    monkeypatch.delenv("COCON_BASE_URL", raising=False)
    session.delete(session.get(SiteSetting, PUBLIC_URL))
    session.commit()
    with pytest.raises(NoPublicAddress) as refused:
        invite_participants(session, eval_running, actor="claire")
    sentence = str(refused.value)
    assert sentence.count(".") == 1 and "adresse publique" in sentence and "--public-url" in sentence
    assert "code" not in sentence and "coordination" not in sentence
    result = cli("feedback", "invite", eval_running.slug)
    assert result.exit_code == 1 and "adresse publique" in result.output and "Traceback" not in result.output
    assert invitations(session, eval_running) == []
    assert session.exec(select(OutboxMessage)).all() == []
    # Once the address is recorded (as `cocon serve --public-url` does), every invitation carries its link.
    record_public_url(session, "https://cocon.msp-tilleuls.fr/", actor="test")
    created = invite_participants(session, eval_running, actor="claire")
    session.commit()
    for message in session.exec(select(OutboxMessage)).all():
        assert message.text and "https://cocon.msp-tilleuls.fr/questionnaire/" in message.text
        assert "code" not in message.text.lower()
    assert created
