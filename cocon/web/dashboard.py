"""Tableau de bord: every project the viewer sees, with what needs attention."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cocon.web.overview import overview
from cocon.web.pages import DB, LoggedIn, MaybeViewer, language_of, redirect, render
from store.clock import today
from store.models import ProjectPhase

router = APIRouter()


@router.get("/")
def home(request: Request, viewer: MaybeViewer) -> Response:
    return redirect(request, "/tableau-de-bord" if viewer else "/connexion")


def _phase(value: str | None) -> ProjectPhase | None:
    try:
        return ProjectPhase(value) if value else None
    except ValueError:
        return None


@router.get("/tableau-de-bord")
def dashboard(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    structure: str | None = None,
    phase: str | None = None,
    page: int = 1,
) -> Response:
    lang = language_of(request)
    data = overview(
        session, viewer, today=today(), structure=structure or None, phase=_phase(phase), page=page, lang=lang
    )
    return render(
        request,
        "dashboard.html",
        viewer,
        title_key="dashboard_title",
        data=data,
        structure=structure or "",
        phase=phase or "",
        phases=list(ProjectPhase),
        show_alerts=viewer.is_staff,
    )
