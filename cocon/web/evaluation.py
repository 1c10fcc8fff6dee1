"""Évaluation et clôture: the evaluation report of a project, with its charts, as a page, a
standalone HTML file and a PDF (internal or public); and, for the coordination, running the
evaluation with its conclusions, recording the restitution, sending the thanks and writing each
volunteer's certificate. The report itself is built by the evaluation service."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from cocon.web import i18n
from cocon.web.access import Viewer, managed_project, may_manage, member_or_404, visible_project
from cocon.web.mail import dispatch_soon
from cocon.web.pages import DB, LoggedIn, language_of, redirect, said, settings_of
from cocon.web.project_frame import project_page, reloaded
from cocon.web.project_parts import people_of, typed_day
from evaluation import assessment
from evaluation.checkpoints import all_members
from evaluation.participants import is_partner
from evaluation.report import Audience, Report, build_report, report_filename, report_html, report_pdf
from evaluation.restitution import get_restitution, record_restitution
from evaluation.thanks import certificate_pdf, send_thanks
from store.attention import Memo, data_stamp
from store.clock import today
from store.exceptions import CoconError, Phrase
from store.models import Person, Project, Publication
from store.projects import template_of
from store.publication import publication_of, write_publication

router = APIRouter()


def _audience(session: Session, viewer: Viewer, project: Project, public: bool) -> Audience:
    """The internal report for the coordination (unless it asks for the public one); public otherwise."""
    return "internal" if may_manage(session, viewer, project) and not public else "public"


@dataclass(frozen=True)
class _EvaluationData:
    report: Report
    publication: Publication | None
    volunteers: list[Person]


#: Each project's report and what the page shows with it, per language and audience, until the content
#: version moves (store/models/changes.py): building the report reads the whole project (~20 queries).
_REPORTS = Memo(64)


def _evaluation_data(session: Session, project: Project, lang: str, manager: bool) -> _EvaluationData:
    def compute() -> _EvaluationData:
        report = build_report(session, project, lang, audience="internal" if manager else "public")
        template = template_of(session, project)
        volunteers = [m.person for m in all_members(session, project) if is_partner(template, m)] if manager else []
        return _EvaluationData(report, publication_of(session, project), volunteers)

    # The version is read before the data (a first report may write the project's default indicators:
    # what it computed then is kept under a key no later request asks for).
    found = _REPORTS(("evaluation-page", data_stamp(session), project.id, lang, manager, today()), compute)
    assert isinstance(found, _EvaluationData)
    return found


def _page(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None, status_code: int = 200
) -> Response:
    lang = language_of(request)
    manager = may_manage(session, viewer, project)
    data = _evaluation_data(session, project, lang, manager)
    report, publication, volunteers = data.report, data.publication, data.volunteers
    return project_page(
        request,
        session,
        viewer,
        project,
        "evaluation.html",
        section="evaluation_nav",
        title_key="evaluation_title",
        error=error,
        status_code=status_code,
        report=report,
        restitution=get_restitution(session, project) if manager else None,
        people=people_of(session, project) if manager else [],
        volunteers=volunteers,
        conclusions=(publication.conclusions_en if lang == "en" else publication.conclusions_fr) if publication else None,
        place=publication.place if publication else None,
        today=today(),
    )


@router.get("/projets/{slug}/evaluation")
def evaluation_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return _page(request, session, viewer, visible_project(session, viewer, slug))


@router.get("/projets/{slug}/evaluation/rapport.html")
def evaluation_html(request: Request, session: DB, viewer: LoggedIn, slug: str, public: bool = False) -> Response:
    project = visible_project(session, viewer, slug)
    audience = _audience(session, viewer, project, public)
    return HTMLResponse(
        report_html(build_report(session, project, language_of(request), audience=audience)),
        headers={"Cache-Control": "no-store"},
    )


@router.get("/projets/{slug}/evaluation/rapport.pdf")
def evaluation_pdf(request: Request, session: DB, viewer: LoggedIn, slug: str, public: bool = False) -> Response:
    project = visible_project(session, viewer, slug)
    audience = _audience(session, viewer, project, public)
    pdf = report_pdf(build_report(session, project, language_of(request), audience=audience))
    filename = report_filename(project, "pdf", audience=audience)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.post("/projets/{slug}/evaluation/lancer")
def run_evaluation(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    conclusions: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
) -> Response:
    """Measure the indicators, keep the coordination's conclusions and write the internal and the
    public report (as ``cocon evaluate``; the PDFs are drawn when downloaded)."""
    project = managed_project(session, viewer, slug)
    lang = language_of(request)
    try:
        write_publication(session, project, actor=viewer.actor, conclusions=conclusions, lang=lang, place=place)
        assessment.evaluate(session, project, actor=viewer.actor, pdf=False, lang=lang)
        assessment.ask_for_manual(session, project, actor=viewer.actor)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return redirect(request, f"/projets/{slug}/evaluation?ok=evaluated")


@router.post("/projets/{slug}/evaluation/restitution")
def restitution_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    held_on: Annotated[str, Form()] = "",
    attendees: Annotated[list[int] | None, Form()] = None,
    presented: Annotated[str, Form()] = "",
    discussion: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    present = [member_or_404(session, project, person_id).id for person_id in attendees or []]
    try:
        record_restitution(
            session,
            project,
            held_on=typed_day(held_on, Phrase("error.field.restitution_day"), default=today()),
            attendees=[person_id for person_id in present if person_id is not None],
            presented=presented,
            discussion=discussion,
            actor=viewer.actor,
        )
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return redirect(request, f"/projets/{slug}/evaluation?ok=restitution#cloture")


@router.post("/projets/{slug}/evaluation/remerciements")
def thanks_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    background: BackgroundTasks,
    slug: str,
    report: Annotated[str, Form()] = "",
) -> Response:
    """One personal thank-you per participant, the public report and (for volunteers) the certificate attached."""
    project = managed_project(session, viewer, slug)
    try:
        previews = send_thanks(session, project, actor=viewer.actor, attach_report=bool(report))
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    queued = sum(p.queued for p in previews)
    if queued:
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/evaluation?ok=thanked&n={queued}#cloture")


@router.get("/projets/{slug}/evaluation/remerciements/apercu")
def thanks_preview(request: Request, session: DB, viewer: LoggedIn, slug: str, report: str = "1") -> Response:
    """Each participant's thank-you as it would leave, without sending anything (``cocon thank --dry-run``)."""
    project = managed_project(session, viewer, slug)
    try:
        previews = send_thanks(session, project, actor=viewer.actor, attach_report=bool(report), dry_run=True)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    session.rollback()  # a preview leaves nothing behind
    return project_page(
        request, session, viewer, project, "thanks_preview.html", section="evaluation_nav",
        title_key="thanks_preview_title", previews=previews,
    )


#: A structure's logo is a small image; anything larger is refused before it is read whole.
MAX_LOGO_BYTES = 2 * 1024 * 1024


@router.post("/projets/{slug}/evaluation/attestation")
async def certificate_with_logo(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    person_id: Annotated[str, Form()] = "",
    logo: UploadFile | None = None,
) -> Response:
    """A volunteer's certificate with the structure's logo (as ``cocon certificate --logo``)."""
    managed_project(session, viewer, slug)  # someone else's project: 404 before anything is read
    if not person_id.isdigit() or len(person_id) > 9:
        raise HTTPException(status_code=404)
    image = await logo.read(MAX_LOGO_BYTES + 1) if logo is not None and logo.filename else None
    if image is not None and len(image) > MAX_LOGO_BYTES:
        project = managed_project(session, viewer, slug)
        return _page(request, session, viewer, project, status_code=400,
                     error=i18n.translate("logo_too_big", language_of(request)))
    return _certificate(request, session, viewer, slug, int(person_id), logo=image or None)


@router.get("/projets/{slug}/evaluation/attestation/{person_id}.pdf")
def certificate_download(request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int) -> Response:
    """A volunteer's certificate of participation, in their language, made at the place set above."""
    return _certificate(request, session, viewer, slug, person_id, logo=None)


def _certificate(
    request: Request, session: Session, viewer: Viewer, slug: str, person_id: int, *, logo: bytes | None
) -> Response:
    project = managed_project(session, viewer, slug)
    person = next((m.person for m in all_members(session, project) if m.person.id == person_id), None)
    if person is None:
        raise HTTPException(status_code=404)
    try:
        pdf = certificate_pdf(session, project, person, "en" if person.language == "en" else "fr", logo=logo)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="attestation-{project.slug}-{person_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )
