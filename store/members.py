"""Who is in a project: active memberships and the days each person is away.

Read by the plans (gatherings avoid days away) and by ``store.people``, which writes memberships.
"""

from datetime import date, timedelta

from sqlmodel import Session, col, select

from store.models import Membership, Person, Project


def members(session: Session, project: Project) -> list[tuple[Person, Membership]]:
    """Active members of a project with their membership (one row per role)."""
    rows = session.exec(
        select(Person, Membership)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.project_id == project.id, col(Membership.left_at).is_(None))
        .order_by(col(Membership.id))
    ).all()
    return [(person, membership) for person, membership in rows]


def unavailable_days(person: Person) -> frozenset[date]:
    """Every day a person said they cannot come (``YYYY-MM-DD`` and ``YYYY-MM-DD..YYYY-MM-DD``)."""
    days: set[date] = set()
    for text in person.unavailable:
        first, _, last = text.partition("..")
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
        while start <= end:
            days.add(start)
            start += timedelta(days=1)
    return frozenset(days)
