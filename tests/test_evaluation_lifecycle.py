"""Acceptance: a whole project from ``avant`` to ``clos`` with the clock moving.

Checkpoints are recorded, contributions and proposals entered, the questionnaire answered by
some participants, the report produced (HTML and PDF, charts present) by the Prefect flow, and
the thanks delivered through a real SMTP server on 127.0.0.1, each naming that person's own
contributions. Real SQLite file, real Prefect runs, real SMTP.
"""

import io
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from evaluation.checkpoints import ActionItem, CheckpointRecord, Replanning, record_checkpoint, send_minutes
from evaluation.contributions import add_contribution
from evaluation.exceptions import IndicatorLocked
from evaluation.indicators import choose_indicator, latest_values
from evaluation.proposals import add_proposal, decide_proposal
from evaluation.questionnaire import answer_questionnaire, invitations
from evaluation.restitution import record_restitution
from flows.evaluation_cycle import evaluate_project, evaluation_cycle
from flows.thanks import thanks
from notifications.dispatch import dispatch
from store import phases, plans
from store.models import ContributionKind, Project, ProjectPhase, ProposalSource, ProposalStatus, StepStatus
from tests.factories import make_project
from tests.fixtures_evaluation import ids, people

# one temporary Prefect server per test worker: the tests that need it share one worker (--dist loadgroup)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]


def test_a_project_from_avant_to_clos(
    session: Session,
    eval_clock: Callable[[str], None],
    smtp_sink,
    prefect_harness: None,
    tmp_path: Path,
    cli,
) -> None:
    # --- avant ------------------------------------------------------------------------------
    eval_clock("2027-01-04T09:00")
    project: Project = make_project(session)
    slug = project.slug
    team = people(session, project)
    karim, awa, jp = team["karim"], team["awa"], team["jean-pierre"]
    plans.mark_done(session, project, "cartographie", actor="claire")
    eval_clock("2027-02-01T18:30")
    record_checkpoint(
        session,
        project,
        "rencontre",
        CheckpointRecord(held_on=date(2027, 2, 1), attendees=[p.id for p in team.values()]),  # type: ignore[misc]
        actor="claire",
    )
    eval_clock("2027-02-15T18:30")
    plans.mark_done(session, project, "charte", actor="claire")
    plans.mark_done(session, project, "methode", actor="claire")
    session.commit()
    assert cli("indicator", "choose", slug, "personnes-touchees", "--target", "100", "--minimum", "50").exit_code == 0
    assert cli("indicator", "choose", slug, "--done").exit_code == 0
    session.expire_all()
    assert phases.advance_phase(session, project, actor="claire") == ProjectPhase.PENDANT
    session.commit()

    # --- pendant ------------------------------------------------------------------------------
    with pytest.raises(IndicatorLocked):
        choose_indicator(session, project, "personnes-touchees", actor="claire", target=60)
    choose_indicator(
        session,
        project,
        "personnes-touchees",
        actor="claire",
        target=60,
        reason="le marché d'été est annulé cette année",
    )
    eval_clock("2027-03-01T18:30")
    record_checkpoint(
        session,
        project,
        "retroplanning",
        CheckpointRecord(held_on=date(2027, 3, 1), attendees=ids(session, project, "claire", "karim", "sophie", "awa")),
        actor="claire",
    )
    eval_clock("2027-03-08T12:00")
    record_checkpoint(
        session,
        project,
        "convivialite",
        CheckpointRecord(held_on=date(2027, 3, 8), attendees=[p.id for p in team.values()]),  # type: ignore[misc]
        actor="claire",
    )
    eval_clock("2027-03-22T20:00")
    checkpoint = record_checkpoint(
        session,
        project,
        "point-etape-1",
        CheckpointRecord(
            held_on=date(2027, 3, 22),
            attendees=ids(session, project, "claire", "karim", "awa", "jean-pierre"),
            decisions=["Une affiche d'accueil en gros caractères"],
            actions=[ActionItem("Maquette de l'affiche", "Awa", date(2027, 4, 5))],
            step_statuses={"action": StepStatus.IN_PROGRESS},
            replanning=[Replanning("point-etape-2", date(2027, 4, 26), "vacances de Pâques")],
        ),
        actor="claire",
    )
    assert send_minutes(session, project, checkpoint, actor="claire") == 5
    poster = add_proposal(
        session,
        project,
        awa,
        text="Une affiche en gros caractères",
        source=ProposalSource.CHECKPOINT,
        step_key="point-etape-1",
        actor="claire",
    )
    saturday = add_proposal(
        session, project, jp, text="Ouvrir l'accueil le samedi matin", source=ProposalSource.IDEA_BOX, actor="claire"
    )
    screen = add_proposal(
        session,
        project,
        karim,
        text="Un écran d'information en salle d'attente",
        source=ProposalSource.CHECKPOINT,
        actor="claire",
    )
    add_contribution(
        session,
        project,
        awa,
        on=date(2027, 3, 22),
        kind=ContributionKind.MEETING,
        hours=2.5,
        amount_cents=1240,
        receipt_ref="ticket bus",
        reimbursed_on=date(2027, 4, 2),
        actor="claire",
    )
    add_contribution(session, project, jp, on=date(2027, 3, 22), kind=ContributionKind.MEETING, hours=2, actor="claire")
    add_contribution(
        session, project, karim, on=date(2027, 3, 22), kind=ContributionKind.MEETING, hours=2, actor="claire"
    )
    session.commit()
    dispatch()  # 20:00 is outside daytime: the minutes wait for the morning
    assert smtp_sink.to("awa@example.org") == []
    eval_clock("2027-03-23T09:30")
    dispatch()
    assert len(smtp_sink.to("awa@example.org")) == 1 and "Compte rendu" in smtp_sink.to("awa@example.org")[0].subject

    eval_clock("2027-04-26T20:00")
    record_checkpoint(
        session,
        project,
        "point-etape-2",
        CheckpointRecord(held_on=date(2027, 4, 26), attendees=ids(session, project, "claire", "sophie", "awa")),
        actor="claire",
    )
    decide_proposal(session, project, poster.id or 0, ProposalStatus.ADOPTED, actor="claire")
    decide_proposal(
        session,
        project,
        saturday.id or 0,
        ProposalStatus.NOT_RETAINED,
        outcome="aucun professionnel n'est présent le samedi",
        actor="claire",
    )
    decide_proposal(
        session,
        project,
        screen.id or 0,
        ProposalStatus.ADAPTED,
        outcome="une affiche tournante à la place",
        actor="claire",
    )
    add_contribution(session, project, awa, on=date(2027, 4, 26), kind=ContributionKind.ACTION, hours=3, actor="claire")
    eval_clock("2027-05-14T17:00")
    plans.mark_done(session, project, "action", actor="claire")
    assert phases.advance_phase(session, project, actor="claire") == ProjectPhase.APRES
    session.commit()

    # --- après: the daily flow opens the questionnaire -------------------------------------------
    eval_clock("2027-05-21T10:00")
    first = evaluation_cycle()
    assert first["opened"] == {slug: 4}
    assert first["reported"] == {}
    invited = {r.envelope_to[0]: r for r in smtp_sink.received if "anonyme" in r.subject}
    assert set(invited) == {"karim@example.org", "sophie@example.org", "awa@example.org", "jp@example.org"}

    def token_of(address: str) -> str:
        text = invited[address].text()
        return text.split("/questionnaire/")[1].split()[0]

    eval_clock("2027-05-24T19:00")
    answer_questionnaire(session, token_of("awa@example.org"), {"infl-pris-en-compte": 5, "pers-recommencer": 5})
    answer_questionnaire(session, token_of("karim@example.org"), {"infl-pris-en-compte": 4, "pers-recommencer": 4})
    answer_questionnaire(session, token_of("sophie@example.org"), {"infl-pris-en-compte": 3, "pers-recommencer": 2})
    session.commit()
    assert sum(1 for i in invitations(session, project) if i.answered) == 3

    eval_clock("2027-05-28T10:00")
    assert evaluation_cycle()["reported"] == {}  # questionnaire still open, evaluation not due yet
    eval_clock("2027-06-04T10:00")
    evaluation_cycle()  # sends the day-14 reminders
    eval_clock("2027-06-11T10:30")
    second = evaluation_cycle()
    assert list(second["reported"]) == [slug]
    values = second["reported"][slug]["values"]
    assert values["taux-reponse-questionnaire"] == 75.0
    assert values["heures-contribuees"] == 7.5  # Awa 2.5 + 3, Jean-Pierre 2
    assert values["influence-percue"] is None  # fewer than 5 partners answered: not published
    reminders = [r for r in smtp_sink.to("jp@example.org") if r.subject.startswith("Rappel")]
    assert len(reminders) == 2 and not [r for r in smtp_sink.to("awa@example.org") if r.subject.startswith("Rappel")]
    html = unescape(Path(second["reported"][slug]["html"]).read_text(encoding="utf-8"))
    pdf = Path(second["reported"][slug]["pdf"]).read_bytes()
    assert html.count("data:image/png;base64,") >= 3
    assert "le marché d'été est annulé cette année" in html
    assert "vacances de Pâques" in html
    assert pdf.startswith(b"%PDF") and PdfReader(io.BytesIO(pdf)).pages[0].images
    assert plans.get_step(session, project, "evaluation").status == StepStatus.DONE
    assert any("indicateurs" in r.subject.lower() for r in smtp_sink.to("claire@example.org"))  # manual ones asked

    # --- restitution and thanks ------------------------------------------------------------------
    eval_clock("2027-06-25T18:30")
    record_restitution(
        session,
        project,
        held_on=date(2027, 6, 25),
        attendees=ids(session, project, "claire", "karim", "awa", "jean-pierre"),
        presented="Les résultats, la nouvelle affiche et ce que sont devenues les propositions",
        discussion="Envie de continuer avec le dépliant",
        actor="claire",
    )
    session.commit()
    eval_clock("2027-06-28T10:00")
    result = thanks(slug)
    assert result["dispatch"]["sent"] == 4

    mail = {
        address: smtp_sink.to(address)[-1]
        for address in ("awa@example.org", "jp@example.org", "karim@example.org", "sophie@example.org")
    }
    def plain(text: str) -> str:  # the typographic spaces, read as spaces for the checks below
        return text.replace("\u202f", " ").replace("\xa0", " ")

    awa_text = plain(mail["awa@example.org"].text())
    assert mail["awa@example.org"].subject == "Merci, Awa Diallo, pour le projet « Accueil en salle d'attente »"
    # The text part is written from its own template: French narrow no-break spaces are kept.
    assert "5,5\u202fh" in mail["awa@example.org"].text() and "12,40\u202f€" in mail["awa@example.org"].text()
    assert "5,5 h" in awa_text and "12,40 €" in awa_text
    assert "« Une affiche en gros caractères » : adoptée" in awa_text
    assert "Point d'étape n°1, le lundi 22 mars 2027" in awa_text and "Restitution" in awa_text
    assert "Ouvrir l'accueil" not in awa_text  # someone else's proposal
    jp_text = plain(mail["jp@example.org"].text())
    assert "« Ouvrir l'accueil le samedi matin » : non retenue, aucun professionnel n'est présent le samedi" in jp_text
    assert "2 h" in jp_text
    karim_text = plain(mail["karim@example.org"].text())
    assert "adaptée, une affiche tournante à la place" in karim_text
    assert "Une affiche en gros caractères" not in karim_text
    assert set(mail["awa@example.org"].attachments()) == {
        f"rapport-evaluation-{slug}.pdf",
        f"attestation-{slug}.pdf",
    }
    assert set(mail["karim@example.org"].attachments()) == {f"rapport-evaluation-{slug}.pdf"}  # no certificate
    assert not smtp_sink.to("claire@example.org") or all(
        "Merci" not in r.subject for r in smtp_sink.to("claire@example.org")
    )

    # --- clos ----------------------------------------------------------------------------------
    session.expire_all()
    assert phases.advance_phase(session, project, actor="claire") == ProjectPhase.CLOS
    session.commit()
    final = evaluate_project(slug, output_dir=str(tmp_path))
    assert final["reported"]["values"]["retours-faits"] == 100.0
    session.expire_all()
    assert latest_values(session, project)["retours-faits"].value == 100.0
