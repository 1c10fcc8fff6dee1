"""What every page of a project shares: the heading, the sub-navigation, the confirmation named
by ``?ok=…`` and the error of a refused form, drawn by ``_project_head.html``.

A refused form answers with its own page again (status 400) and the service's one sentence.
"""

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web import i18n
from cocon.web.access import Viewer, may_manage, visible_project
from cocon.web.pages import language_of, render, said
from store.exceptions import CoconError, DatabaseUnavailable, InvalidInput, Phrase
from store.models import Project


def project_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    project: Project,
    template: str,
    *,
    section: str,
    title_key: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render one part of the project (``section`` is its key in ``_project_nav.html``), titled
    by the part's name or by ``title_key``; a confirmation shows unless the form was refused."""
    lang = language_of(request)
    section_title = i18n.translate(f"section_{section}", lang)
    heading = i18n.translate(title_key, lang) if title_key else section_title
    return render(
        request,
        template,
        viewer,
        title_key=title_key or "project_title",
        status_code=status_code,
        page_title=f"{heading} · {project.name}",
        project=project,
        section=section,
        section_title=section_title,
        manager=may_manage(session, viewer, project),
        notice=None if error else confirmation(request, lang),
        error=error,
        **context,
    )


def reloaded(session: Session, viewer: Viewer, project: Project) -> Project:
    """The project read again after a refused action was rolled back."""
    session.rollback()
    return visible_project(session, viewer, project.slug)


def refused(error: CoconError, request: Request) -> str:
    """The sentence a refused form shows, in the page's language; a database that cannot answer is
    not the form's fault and goes on to the app's own page (503)."""
    if isinstance(error, DatabaseUnavailable):
        raise error
    return said(error, request)


def parse_date(value: str, what: str | Phrase) -> date:
    """A date typed in a form (``AAAA-MM-JJ``, what ``<input type=date>`` sends)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("error.web.unreadable_date", what=what) from None


#: Numbers a confirmation may carry in the address after a redirect (``?ok=…&n=3``), by placeholder.
COUNTS = {"n": "n", "later": "plus_tard"}


def confirmation(request: Request, lang: str) -> str | None:
    """The confirmation named by ``?ok=…``, with the counts it says (never other text from the address)."""
    ok = request.query_params.get("ok")
    key = f"ok_{ok}"
    if not ok or not i18n.has(key):
        return None
    values: dict[str, int] = {}
    for name, param in COUNTS.items():
        raw = request.query_params.get(param, "")
        values[name] = int(raw) if raw.isdigit() and len(raw) < 7 else 0
    return i18n.translate(key, lang, **values)
