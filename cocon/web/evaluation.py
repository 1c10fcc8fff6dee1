"""Évaluation: the evaluation report of a project, with its charts, as a page, a standalone HTML
file and a PDF. The report itself is built by the evaluation service."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cocon.web.access import may_manage, visible_project
from cocon.web.pages import DB, LoggedIn, language_of, render
from evaluation.report import Audience, build_report, report_filename, report_html, report_pdf

router = APIRouter()


@router.get("/projets/{slug}/evaluation")
def evaluation_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = visible_project(session, viewer, slug)
    manager = may_manage(session, viewer, project)
    report = build_report(session, project, language_of(request), audience="internal" if manager else "public")
    return render(
        request,
        "evaluation.html",
        viewer,
        title_key="evaluation_title",
        project=project,
        report=report,
        manager=manager,
    )


@router.get("/projets/{slug}/evaluation/rapport.html")
def evaluation_html(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = visible_project(session, viewer, slug)
    audience: Audience = "internal" if may_manage(session, viewer, project) else "public"
    return HTMLResponse(
        report_html(build_report(session, project, language_of(request), audience=audience)),
        headers={"Cache-Control": "no-store"},
    )


@router.get("/projets/{slug}/evaluation/rapport.pdf")
def evaluation_pdf(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = visible_project(session, viewer, slug)
    audience: Audience = "internal" if may_manage(session, viewer, project) else "public"
    pdf = report_pdf(build_report(session, project, language_of(request), audience=audience))
    filename = report_filename(project, "pdf", audience=audience)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
