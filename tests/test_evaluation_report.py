"""The evaluation report: indicators judged, plan vs baseline, participation, contributions,
charts embedded, HTML and PDF; every evaluation template renders."""

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from sqlmodel import Session

from evaluation.checkpoints import CheckpointRecord, Replanning, record_checkpoint
from evaluation.contributions import add_contribution
from evaluation.indicators import record_value
from evaluation.measurement import measure
from evaluation.messages import EXAMPLES
from evaluation.proposals import add_proposal, decide_proposal
from evaluation.report import build_report, report_html, report_pdf
from notifications.messages import render_message
from store.models import ContributionKind, Project, ProposalSource, ProposalStatus
from tests.fixtures_evaluation import ids, people


def _some_history(session: Session, project: Project, clock: Callable[[str], None]) -> None:
    team = people(session, project)
    clock("2027-03-22T20:00")
    record_checkpoint(
        session,
        project,
        "point-etape-1",
        CheckpointRecord(
            held_on=date(2027, 3, 22),
            attendees=ids(session, project, "claire", "karim", "awa"),
            replanning=[Replanning("point-etape-2", date(2027, 4, 26), "vacances de Pâques")],
        ),
        actor="claire",
    )
    add_contribution(
        session,
        project,
        team["awa"],
        on=date(2027, 3, 22),
        kind=ContributionKind.MEETING,
        hours=2,
        amount_cents=1240,
        reimbursed_on=date(2027, 4, 1),
        actor="claire",
    )
    add_contribution(
        session, project, team["karim"], on=date(2027, 4, 2), kind=ContributionKind.PREPARATION, hours=1, actor="claire"
    )
    row = add_proposal(
        session,
        project,
        team["awa"],
        text="Affiche en gros caractères",
        source=ProposalSource.CHECKPOINT,
        actor="claire",
    )
    decide_proposal(session, project, row.id or 0, ProposalStatus.ADOPTED, actor="claire")
    clock("2027-04-20T10:00")
    record_value(session, project, "partenaires-impliques", 2, actor="claire")
    measure(session, project, actor="claire")
    session.commit()


def test_report_judges_indicators_and_tells_the_plan_history(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None]
) -> None:
    _some_history(session, eval_running, eval_clock)
    report = build_report(session, eval_running)
    by_code = {i.code: i for i in report.indicators}
    assert by_code["partenaires-impliques"].value == "2"
    assert by_code["partenaires-impliques"].verdict_label == "atteint"  # target 2
    assert by_code["presence-partenaires"].value == "50\u202f%"  # Awa came, Jean-Pierre did not
    assert by_code["presence-partenaires"].verdict_label == "partiellement atteint"  # minimum 50, target 75
    assert by_code["reunions-avec-usagers"].verdict_label == "atteint"
    assert by_code["taux-reponse-questionnaire"].verdict_label == "non mesuré"
    assert [(s.title, s.reason) for s in report.slips] == [("Point d'étape n°2", "vacances de Pâques")]
    assert report.total_hours == "3\u202fh" and report.partner_hours == "2\u202fh" and report.total_expenses == "12,40\u202f€"
    assert report.gatherings[0].partners_present == 1 and report.gatherings[0].expected == 5
    assert set(report.charts) == {"indicators", "plan", "participation", "hours"}
    assert report.generated_on == "mardi 20 avril 2027"


def test_report_html_and_pdf_carry_the_charts(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None], tmp_path: Path
) -> None:
    _some_history(session, eval_running, eval_clock)
    report = build_report(session, eval_running)
    html = report_html(report)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert html.count('src="data:image/png;base64,') == 4
    assert "Rapport d'évaluation" in html and "vacances de Pâques" in html and "Affiche en gros caractères" in html
    assert 'alt="Graphique' in html
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Rapport d" in text and "Indicateurs" in text
    # WeasyPrint may list an image in several pages' resources: count distinct images.
    images = {image.data for page in reader.pages for image in page.images}
    assert len(images) == 4


def test_every_evaluation_message_renders_in_both_languages() -> None:
    for name, context in EXAMPLES.items():
        for lang in ("fr", "en"):
            message = render_message(name, context, lang)
            assert message.subject and message.text.strip(), (name, lang)
    thanks = render_message("thanks", EXAMPLES["thanks"], "fr")
    assert "«\u202fOuvrir le samedi\u202f»\u202f: non retenue, pas de personnel le samedi." in thanks.text
    assert thanks.html and "<strong>adoptée</strong>" in thanks.html
