"""What every route shares: the database session, the viewer, CSRF, language and rendering."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlmodel import Session, col, select

from accounts.sessions import live_session
from cocon.web import i18n
from cocon.web.access import Viewer
from cocon.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    LANG_COOKIE,
    SESSION_COOKIE,
    csrf_token,
    csrf_valid,
)
from locales.stored import spoken
from notifications.messages import occasion_label
from planning.calendar import long_date, long_datetime
from project_templates.exceptions import CoconError
from store.db import session_scope
from store.models import Account, Person
from store.tokens import new_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
#: The only POST without a CSRF token (see :mod:`cocon.web.pauses`).
ONE_CLICK = re.compile(r"/pause/[A-Za-z0-9_-]{20,100}/un-clic")


@dataclass(frozen=True)
class WebSettings:
    database_url: str | None
    secret: bytes
    base_url: str | None


def settings_of(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def db(request: Request) -> Iterator[Session]:
    """One session per request, committed when the route returns without error."""
    with session_scope(settings_of(request).database_url) as session:
        yield session


DB = Annotated[Session, Depends(db, scope="function")]


def public_base(request: Request) -> str:
    """Where emailed links point: ``COCON_BASE_URL``, else the address the request came to."""
    return settings_of(request).base_url or str(request.base_url).rstrip("/")


def language_of(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "fr"


def said(error: CoconError, request: Request) -> str:
    """The sentence of a refused action, in the page's language."""
    return error.message(language_of(request))


def notice_of(request: Request, lang: str) -> str | None:
    """The confirmation named by ``?ok=…`` after a redirect, if it is one of ours."""
    key = f"ok_{request.query_params.get('ok')}"
    return i18n.translate(key, lang) if request.query_params.get("ok") and i18n.has(key) else None


def current_viewer(request: Request, session: DB) -> Viewer | None:
    found = live_session(session, request.cookies.get(SESSION_COOKIE))
    if found is None or found.id is None:
        return None
    # The person and their account in one query: every page asks for them.
    row = session.exec(
        select(Person, Account)
        .outerjoin(Account, col(Account.id) == found.account_id)
        .where(col(Person.id) == found.person_id)
    ).first()
    person, account = row if row is not None else (None, None)
    if person is None or (account is not None and account.disabled):
        return None
    return Viewer(person=person, account=account, session_id=found.id)


def viewer_outside_routes(request: Request) -> Viewer | None:
    """The viewer for pages drawn outside a route (error pages), with a session of its own."""
    with session_scope(settings_of(request).database_url) as session:
        return current_viewer(request, session)


class LoginRequired(Exception):
    """Raised by :func:`require_viewer`; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


async def require_viewer(request: Request, viewer: Annotated[Viewer | None, Depends(current_viewer)]) -> Viewer:
    # async: it does no I/O, and a synchronous dependency costs every page a trip to a worker thread.
    if viewer is None:
        raise LoginRequired(request.url.path)
    return viewer


MaybeViewer = Annotated[Viewer | None, Depends(current_viewer)]
LoggedIn = Annotated[Viewer, Depends(require_viewer)]


# --- CSRF -----------------------------------------------------------------------------------


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie, or a new one to set with this response."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed:
        seed = new_token()
        request.state.new_csrf_seed = seed
    return seed


async def check_csrf(request: Request) -> None:
    """Applied to the whole app: every POST must carry the form token matching its cookie — except
    RFC 8058's one-click unsubscribe, posted by mail applications and authorised by its link's token."""
    if request.method != "POST" or ONE_CLICK.fullmatch(request.url.path):
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not csrf_valid(
        settings_of(request).secret, request.cookies.get(CSRF_COOKIE), sent if isinstance(sent, str) else None
    ):
        raise HTTPException(status_code=403, detail="csrf")


# --- rendering ------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["spoken"] = spoken
    env.filters["long_datetime"] = long_datetime
    env.filters["occasion_label"] = occasion_label
    return env


ENV = _environment()


def secure_request(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    """Cookies are HttpOnly, SameSite=Lax, and Secure whenever the app is served over https."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure_request(request), path="/"
    )


def finish(request: Request, response: Response) -> Response:
    """Attach the CSRF cookie when this response handed out a new one."""
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed and not request.cookies.get(CSRF_COOKIE):
        set_cookie(response, request, CSRF_COOKIE, seed)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    /,
    *,
    title_key: str,
    status_code: int = 200,
    lang: str | None = None,
    **context: Any,
) -> Response:
    """Render a page in the viewer's language (or ``lang``), with what every page needs."""
    lang = lang or language_of(request)

    def t(key: str, **values: Any) -> str:
        return i18n.translate(key, lang, **values)

    token = csrf_token(settings_of(request).secret, csrf_seed(request))
    page_title = context.pop("page_title", None)
    html = ENV.get_template(template).render(
        request=request,
        viewer=viewer,
        lang=lang,
        t=t,
        title=page_title or t(title_key),
        csrf_field=Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'),
        csrf_value=token,
        **context,
    )
    return finish(request, HTMLResponse(html, status_code=status_code))


def redirect(request: Request, path: str) -> Response:
    """After a successful POST, go to a page with GET (303)."""
    return finish(request, RedirectResponse(path, status_code=303))
