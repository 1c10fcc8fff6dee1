"""The web app: ``create_app()`` builds the FastAPI application served by ``cocon web``/``cocon serve``."""

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cocon.web import (
    auth,
    calendars,
    charters,
    checkpoints,
    contributions,
    contributions_page,
    dashboard,
    evaluation,
    indicators,
    messages,
    partner,
    pauses,
    plan,
    project_people,
    projects,
    proposals,
    questionnaire,
    team,
)
from cocon.web.i18n import translate
from cocon.web.pages import (
    LoginRequired,
    WebSettings,
    check_csrf,
    language_of,
    redirect,
    render,
    said,
    viewer_outside_routes,
)
from cocon.web.security import load_secret
from store import settings
from store.db import ensure_schema
from store.exceptions import CoconError, DatabaseUnavailable

#: One line per unexpected error: its type and the route, never its text (which may quote data).
log = logging.getLogger("cocon.web")

STATIC_DIR = Path(__file__).parent / "static"

#: The modules whose ``router`` make up the app, by domain.
ROUTE_MODULES = (
    auth,
    dashboard,
    projects,
    plan,
    project_people,
    checkpoints,
    messages,
    charters,
    questionnaire,
    contributions,
    contributions_page,
    proposals,
    indicators,
    evaluation,
    team,
    pauses,
    calendars,
    partner,
)

#: Sent with every response. No script runs on Cocon's pages; links carrying tokens must not leak
#: through the Referer header; no other site may frame a page (clickjacking on "sign").
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

_ERROR_KEYS = {403: "error_403", 404: "error_404", 405: "error_405", 429: "error_429"}


def create_app(database_url: str | None = None, *, base_url: str | None = None) -> FastAPI:
    """The application, on ``database_url`` (Cocon's database by default), schema brought up to date.

    ``base_url`` (default ``COCON_BASE_URL``) is the public address written into emailed links;
    without it the address the request came to is used.
    """
    ensure_schema(database_url)
    app = FastAPI(title="Cocon", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(check_csrf)])
    app.state.settings = WebSettings(
        database_url=database_url,
        secret=load_secret(settings.data_dir()),
        base_url=(base_url.strip().rstrip("/") or None) if base_url else settings.base_url(),
    )

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            response = await call_next(request)
        except Exception as exc:  # the last net: a page, never a traceback (fix the cause too)
            response = _unexpected(request, exc)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTE_MODULES:
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    def _login(request: Request, exc: LoginRequired) -> Response:
        return redirect(request, f"/connexion?next={exc.next_path}")

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = "error_csrf" if exc.detail == "csrf" else _ERROR_KEYS.get(exc.status_code, "error_other")
        return _error_page(request, exc.status_code, f"{key}_title", key)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own answer echoes the values sent (names, emails): say which kind of problem only.
        return _error_page(request, 422, "error_invalid_title", "error_invalid")

    @app.exception_handler(DatabaseUnavailable)
    def _database(request: Request, exc: DatabaseUnavailable) -> Response:
        log.error("base de données indisponible (%s) sur %s %s", exc.reason, request.method, request.url.path)
        return _error_page(request, 503, "error_db_title", f"error_db_{exc.reason}", with_viewer=False)

    @app.exception_handler(CoconError)
    def _refused(request: Request, exc: CoconError) -> Response:
        return _error_page(request, 400, "error_other_title", None, text=said(exc, request))

    return app


def _message(request: Request, key: str) -> str:
    return translate(key, language_of(request))


def _error_page(
    request: Request, status: int, title_key: str, key: str | None, *, text: str | None = None, with_viewer: bool = True
) -> Response:
    """The error page: one sentence saying what to do, in the page's language."""
    viewer = None
    if with_viewer:
        try:
            viewer = viewer_outside_routes(request)
        except Exception:  # the database may be what failed: the page is drawn without the viewer
            viewer = None
    return render(
        request,
        "message.html",
        viewer,
        title_key=title_key,
        status_code=status,
        message=text if key is None else _message(request, key),
        link="/",
        link_label=_message(request, "back_home"),
    )


def _unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DatabaseUnavailable):
        log.error("base de données indisponible (%s) sur %s %s", exc.reason, request.method, request.url.path)
        return _error_page(request, 503, "error_db_title", f"error_db_{exc.reason}", with_viewer=False)
    log.error("erreur inattendue %s sur %s %s", type(exc).__name__, request.method, request.url.path)
    return _error_page(request, 500, "error_other_title", "error_internal", with_viewer=False)
