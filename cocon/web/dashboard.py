"""Tableau de bord: every project the viewer sees, what needs attention, and the list as CSV."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cocon.web.overview import dashboard_page, read_filters, visible_board
from cocon.web.pages import DB, LoggedIn, MaybeViewer, finish, language_of, redirect, render
from store.attention import ANY, Filters, Reason, SortKey, board_csv
from store.clock import today
from store.models import ProjectPhase

router = APIRouter()


def _query_filters(
    structure: str | None = None,
    phase: str | None = None,
    q: str | None = None,
    attention: str | None = None,
    sort: str | None = None,
    order: str | None = None,
) -> Filters:
    """The dashboard's filters from its query string (the page and its CSV read the same ones)."""
    return read_filters(structure=structure, phase=phase, q=q, attention=attention, sort=sort, order=order)


QueryFilters = Annotated[Filters, Depends(_query_filters)]


@router.get("/")
def home(request: Request, viewer: MaybeViewer) -> Response:
    if viewer is None:
        return redirect(request, "/connexion")
    return redirect(request, "/tableau-de-bord" if viewer.is_staff else "/mon-espace")


@router.get("/tableau-de-bord")
def dashboard(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    filters: QueryFilters,
    page: int = 1,
) -> Response:
    lang = language_of(request)
    data = dashboard_page(session, viewer, today=today(), filters=filters, page=page, lang=lang)
    return render(
        request,
        "dashboard.html",
        viewer,
        title_key="dashboard_title",
        data=data,
        filters=filters,
        phases=list(ProjectPhase),
        attentions=[ANY, *Reason],
        sorts=list(SortKey),
        show_alerts=viewer.is_staff,
    )


@router.get("/tableau-de-bord.csv")
def dashboard_csv(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    filters: QueryFilters,
) -> Response:
    """The filtered list, every page of it, for a spreadsheet."""
    lang = language_of(request)
    on = today()
    found = visible_board(session, viewer, today=on, filters=filters)
    name = f"projets-{on.isoformat()}.csv" if lang != "en" else f"projects-{on.isoformat()}.csv"
    response = Response(
        board_csv(found.rows(session, lang=lang), lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    return finish(request, response)
