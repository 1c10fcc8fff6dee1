"""The web app: ``create_app()`` builds the FastAPI application served by ``cocon web``/``cocon serve``."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cocon.web import auth, charters, contributions, dashboard, evaluation, pauses, projects, questionnaire
from cocon.web.i18n import translate
from cocon.web.pages import (
    LoginRequired,
    WebSettings,
    check_csrf,
    language_of,
    redirect,
    render,
    viewer_outside_routes,
)
from cocon.web.security import load_secret
from store import settings
from store.db import ensure_schema

STATIC_DIR = Path(__file__).parent / "static"

#: The modules whose ``router`` make up the app, by domain.
ROUTE_MODULES = (auth, dashboard, projects, charters, questionnaire, contributions, evaluation, pauses)

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
        response = await call_next(request)
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
        viewer = viewer_outside_routes(request)
        return render(
            request,
            "message.html",
            viewer,
            title_key=f"{key}_title",
            status_code=exc.status_code,
            message=_message(request, key),
            link="/",
            link_label=_message(request, "back_home"),
        )

    return app


def _message(request: Request, key: str) -> str:
    return translate(key, language_of(request))
