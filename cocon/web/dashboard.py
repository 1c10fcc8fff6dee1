"""Tableau de bord: every project the viewer sees, what needs attention, and the list as CSV.

Speed: twenty facilitators opening the dashboard together must each get it in well under 200 ms.
The board itself is cached (store/attention.py); so is the whole page, the same way: it is drawn
once per content version (store/models/changes.py), day, viewer, language, filters and page. Every
request after that reads its browser session and the content version (two small queries), and
writes the browser's CSRF token into the kept page (the one part that differs per browser).
The viewer is checked when the page is drawn: a change to their person or account (disabled, new
structures…) moves the content version, so a kept page never outlives what it was drawn for.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from accounts.sessions import live_session
from cocon.web import i18n
from cocon.web.access import Viewer
from cocon.web.overview import dashboard_page, read_filters, visible_board
from cocon.web.pages import (
    DB,
    ENV,
    LoggedIn,
    LoginRequired,
    MaybeViewer,
    csrf_seed,
    current_viewer,
    finish,
    language_of,
    redirect,
    settings_of,
)
from cocon.web.security import CSRF_FIELD, SESSION_COOKIE, csrf_token
from store.attention import ANY, Filters, Memo, Reason, SortKey, board_csv, cached, data_stamp, warm
from store.clock import today
from store.db import session_scope
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


def warm_up(database_url: str | None) -> None:
    """Compute the board's facts and compile the dashboard's templates when the app starts (each
    worker process has its own cache)."""
    with session_scope(database_url) as session:
        warm(session, today())
    for name in ("dashboard.html", "dashboard_main.html"):
        ENV.get_template(name)


@router.get("/")
def home(request: Request, viewer: MaybeViewer) -> Response:
    if viewer is None:
        return redirect(request, "/connexion")
    return redirect(request, "/tableau-de-bord" if viewer.is_staff else "/mon-espace")


@router.get("/tableau-de-bord")
async def dashboard(
    request: Request,
    structure: str | None = None,
    phase: str | None = None,
    q: str | None = None,
    attention: str | None = None,
    sort: str | None = None,
    order: str | None = None,
    page: int = 1,
) -> Response:
    """The dashboard in one trip to a worker thread. Every synchronous dependency (session, viewer,
    filters) is a trip of its own and, on a busy machine, each waits for the scheduler: the page
    opens its session and finds its viewer itself, exactly as the ``DB`` and ``LoggedIn``
    dependencies do."""
    filters = read_filters(structure=structure, phase=phase, q=q, attention=attention, sort=sort, order=order)
    return await run_in_threadpool(_dashboard_response, request, filters, page)


#: Stands for the browser's CSRF token in a kept page (a token is 64 hexadecimal digits, never this).
_TOKEN = "csrf-token-of-this-browser"
_PAGES = Memo(256)


def _dashboard_response(request: Request, filters: Filters, page: int) -> Response:
    with session_scope(settings_of(request).database_url) as session:
        found = live_session(session, request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise LoginRequired(request.url.path)
        lang = language_of(request)
        key = ("dashboard-page", data_stamp(session), today(), found.person_id, found.account_id, lang, filters, page)

        def draw() -> str:
            viewer = current_viewer(request, session)
            if viewer is None:  # a disabled account: nothing is kept
                raise LoginRequired(request.url.path)
            main = dashboard_html(session, viewer, filters=filters, page=page, lang=lang)
            return ENV.get_template("dashboard.html").render(
                request=request,
                viewer=viewer,
                lang=lang,
                t=lambda key_, **values: i18n.translate(key_, lang, **values),
                title=i18n.translate("dashboard_title", lang),
                csrf_field=Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{_TOKEN}">'),
                csrf_value=_TOKEN,
                main=main,
            )

        html = _PAGES(key, draw)
        assert isinstance(html, str)
    token = csrf_token(settings_of(request).secret, csrf_seed(request))
    return finish(request, HTMLResponse(html.replace(_TOKEN, token)))


def dashboard_html(session: Session, viewer: Viewer, *, filters: Filters, page: int, lang: str) -> Markup:
    """The dashboard's content for this viewer (everything but the layout), from the cache when the
    data has not changed since it was drawn."""
    on = today()
    key = (
        "dashboard-html", data_stamp(session), on, viewer.person_id, viewer.person.name, viewer.kind,
        tuple(viewer.structures), lang, filters, page,
    )

    def draw() -> Markup:
        def t(key_: str, /, **values: Any) -> str:
            return i18n.translate(key_, lang, **values)

        data = dashboard_page(session, viewer, today=on, filters=filters, page=page, lang=lang)
        return Markup(
            ENV.get_template("dashboard_main.html").render(
                viewer=viewer,
                lang=lang,
                t=t,
                title=t("dashboard_title"),
                data=data,
                filters=filters,
                phases=list(ProjectPhase),
                attentions=[ANY, *Reason],
                sorts=list(SortKey),
                show_alerts=viewer.is_staff,
            )
        )

    html = cached(key, draw)
    assert isinstance(html, Markup)
    return html


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
