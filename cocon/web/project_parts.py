"""What the forms of a project's parts share (contributions, proposals, indicators,
questionnaire, evaluation): the people to choose from, and reading the numbers and days a
coordinator types. The page itself is drawn by :func:`cocon.web.project_frame.project_page`."""

import math
from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from cocon.web.project_frame import parse_date
from store import wording
from store.exceptions import InvalidInput, Phrase
from store.models import Person, Project
from store.people import members

#: Above this an amount is a typing mistake, not an expense to reimburse (as on the command line).
MAX_AMOUNT_EUROS = 1_000_000


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


def typed_day(value: str, what: str | Phrase, *, default: date | None = None) -> date:
    """A date typed in a form; ``default`` when left empty (if given)."""
    if not value.strip() and default is not None:
        return default
    return parse_date(value, what)


def typed_number(value: str, what: str | Phrase) -> float | None:
    """``2,5``, ``2.5`` or ``1 234,5``; None when left empty."""
    if not value.strip():
        return None
    try:
        number = wording.parse_number(value)
    except ValueError:
        raise InvalidInput("error.web.not_a_number", value=value, what=what) from None
    if not math.isfinite(number):
        raise InvalidInput("error.web.not_a_number", value=value, what=what)
    return number


def typed_cents(value: str) -> int:
    """An amount in euros (``12,40``, ``12.40 €``) in cents; 0 when left empty."""
    number = typed_number(value.replace("€", ""), Phrase("error.field.amount"))
    if number is None:
        return 0
    if abs(number) > MAX_AMOUNT_EUROS:
        raise InvalidInput("error.web.impossible_amount", value=value, limit=MAX_AMOUNT_EUROS)
    return round(number * 100)
