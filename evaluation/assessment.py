"""The "après" sequence as plain functions: open the questionnaire, measure the indicators, ask
the owners for the manual ones, and write the evaluation report (HTML and PDF).

``flows/evaluation_cycle.py`` runs these as a few Prefect tasks; ``cocon evaluate`` calls them directly.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from evaluation.feedback import invite_participants
from evaluation.measurement import manual_missing, measure
from evaluation.messages import INDICATORS_REQUEST, IndicatorsRequestMessage
from evaluation.rendering import pdf_bytes
from evaluation.report import Audience, build_report, report_filename, report_html
from notifications.messages import render_message
from notifications.queue import enqueue
from project_templates.schema import StepKind
from store import audit, plans
from store.clock import today
from store.models import Occasion, Project, ProjectPhase, StepStatus
from store.people import coordinator_people
from store.settings import data_dir

MANUAL_OCCASION = Occasion.INDICATORS_REQUEST


def reports_dir(project: Project) -> Path:
    return data_dir() / "rapports" / project.slug


def open_questionnaire(session: Session, project: Project, *, actor: str) -> int:
    """Invite everyone not yet invited; the questionnaire step is then in progress."""
    created = invite_participants(session, project, actor=actor)
    for step in plans.plan_steps(session, project):
        if step.kind == StepKind.FEEDBACK and step.status == StepStatus.PLANNED:
            plans.set_status(
                session, project, step.key, StepStatus.IN_PROGRESS, actor=actor, note="invitations envoyées"
            )
    return len(created)


def ask_for_manual(session: Session, project: Project, *, actor: str) -> int:
    """Ask the coordination to enter the indicators only a person can measure (one message each)."""
    missing = manual_missing(session, project)
    if not missing:
        return 0
    assert project.id is not None
    queued = 0
    for person in coordinator_people(session, project):
        lang = "en" if person.language == "en" else "fr"
        message = render_message(
            INDICATORS_REQUEST,
            IndicatorsRequestMessage(
                person_name=person.name,
                project_name=project.name,
                indicators=[f"{d.name.get(lang)} ({d.code})" for d in missing],
                command=f"cocon indicator record {project.slug} CODE VALEUR",
            ),
            lang,
        )
        row = enqueue(
            session,
            project_id=project.id,
            person_id=person.id,
            occasion=MANUAL_OCCASION,
            about=f"indicators:{project.id}",
            due_on=today(),
            subject=message.subject,
            text=message.text,
            html=message.html,
        )
        queued += row is not None
    audit.record(session, actor=actor, action="indicators.requested", project_id=project.id, missing=len(missing))
    return queued


@dataclass(frozen=True)
class ReportFiles:
    """The internal report (for the coordination) and the public one (for funders and thanks)."""

    html: Path
    pdf: Path | None
    public_html: Path
    public_pdf: Path | None


def write_report(
    session: Session, project: Project, output_dir: Path | None = None, *, pdf: bool = True, lang: str = "fr"
) -> ReportFiles:
    """Build the internal and the public report and write each as HTML (and PDF) into ``output_dir``."""
    folder = output_dir or reports_dir(project)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, Path | None]] = []
    audiences: tuple[Audience, ...] = ("internal", "public")
    for audience in audiences:
        page = report_html(build_report(session, project, lang, audience=audience))
        html_path = folder / report_filename(project, "html", audience=audience)
        html_path.write_text(page, encoding="utf-8")
        pdf_path = None
        if pdf:
            pdf_path = folder / report_filename(project, "pdf", audience=audience)
            pdf_path.write_bytes(pdf_bytes(page))
        written.append((html_path, pdf_path))
    (html, pdf_file), (public_html, public_pdf) = written
    return ReportFiles(html, pdf_file, public_html, public_pdf)


def close_evaluation_steps(session: Session, project: Project, *, actor: str) -> None:
    """The questionnaire is closed and the evaluation done once the report exists."""
    plans.complete_steps(
        session, project, (StepKind.FEEDBACK, StepKind.EVALUATION), actor=actor, note="rapport d'évaluation produit"
    )


def evaluate(
    session: Session,
    project: Project,
    *,
    actor: str,
    output_dir: Path | None = None,
    pdf: bool = True,
    lang: str = "fr",
) -> tuple[dict[str, float | None], ReportFiles]:
    """Measure every indicator Cocon can, write the report, and — only in *après* — close the
    questionnaire and evaluation steps (an interim report during *pendant* closes nothing)."""
    values = measure(session, project, actor=actor)
    files = write_report(session, project, output_dir, pdf=pdf, lang=lang)
    if project.phase in (ProjectPhase.APRES, ProjectPhase.CLOS):
        close_evaluation_steps(session, project, actor=actor)
    audit.record(session, actor=actor, action="evaluation.reported", project_id=project.id, file=files.html.name)
    return values, files
