"""What the pages of a project's parts share (contributions, proposals, indicators,
questionnaire, evaluation): drawing the page with its sub-navigation, the confirmation after a
redirect, the error in one sentence, and reading the numbers and days a coordinator types."""

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from cocon.web import i18n
from cocon.web.access import Viewer, may_manage, visible_project
from cocon.web.pages import language_of, render
from store import wording
from store.exceptions import InvalidInput
from store.models import Person, Project
from store.people import members

#: Above this an amount is a typing mistake, not an expense to reimburse (as on the command line).
MAX_AMOUNT_EUROS = 1_000_000


def notice(request: Request, lang: str) -> str | None:
    """The confirmation named by ``?ok=…`` (with ``n=`` a count when it has one)."""
    key = f"ok_{request.query_params.get('ok')}"
    if not request.query_params.get("ok") or not i18n.has(key):
        return None
    count = request.query_params.get("n", "")
    return i18n.translate(key, lang, n=int(count) if count.isdigit() else 0)


def show_part(
    request: Request,
    session: Session,
    viewer: Viewer,
    project: Project,
    template: str,
    *,
    section: str,
    title_key: str,
    error: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    lang = language_of(request)
    return render(
        request,
        template,
        viewer,
        title_key=title_key,
        status_code=status_code,
        page_title=f"{i18n.translate(title_key, lang)} — {project.name}",
        project=project,
        section=section,
        manager=may_manage(session, viewer, project),
        error=error,
        notice=None if error else notice(request, lang),
        **context,
    )


def reread(session: Session, viewer: Viewer, project: Project) -> Project:
    """After a refused action: the transaction is rolled back and the project read again."""
    session.rollback()
    return visible_project(session, viewer, project.slug)


def people_of(session: Session, project: Project) -> list[Person]:
    """The project's current members, each once, by name."""
    seen: dict[int, Person] = {}
    for person, _ in members(session, project):
        if person.id is not None:
            seen.setdefault(person.id, person)
    return sorted(seen.values(), key=lambda p: p.name.casefold())


def names_of(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Names of people who took part, including those who have since left the project."""
    found = session.exec(select(Person).where(col(Person.id).in_(set(person_ids)))).all()
    return {p.id: p.name for p in found if p.id is not None}


def typed_day(value: str, what: str, *, default: date | None = None) -> date:
    if not value.strip() and default is not None:
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"Date illisible pour {what} : utilisez le format AAAA-MM-JJ.") from None


def typed_number(value: str, what: str) -> float | None:
    """``2,5``, ``2.5`` or ``1 234,5``; None when left empty."""
    if not value.strip():
        return None
    try:
        number = wording.parse_number(value)
    except ValueError:
        raise InvalidInput(f"« {value} » n'est pas un nombre pour {what} : écrivez par exemple 2,5.") from None
    if not math.isfinite(number):
        raise InvalidInput(f"« {value} » n'est pas un nombre pour {what} : écrivez par exemple 2,5.")
    return number


def typed_cents(value: str) -> int:
    """An amount in euros (``12,40``, ``12.40 €``) in cents; 0 when left empty."""
    number = typed_number(value.replace("€", ""), "le montant")
    if number is None:
        return 0
    if abs(number) > MAX_AMOUNT_EUROS:
        raise InvalidInput(f"Montant impossible « {value} » : au plus {MAX_AMOUNT_EUROS} euros (ex. 12,50).")
    return round(number * 100)
