"""Changing what Cocon knows of a person taking part: name, contact, language, moments, absences.

Kept apart from :mod:`store.people` (adding, finding, erasing people) so that each stays small;
leaving a project is here too.
The person changed is the row found in the project (a person may be recorded once per project).
"""

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from store import audit
from store.clock import now
from store.exceptions import InvalidInput
from store.models import Membership, Person, Project
from store.people import EMAIL, QUIET_HOURS, normalise_availability, parse_unavailable
from store.plans import refresh_gatherings

_UNSET: Any = object()


def update_person(
    session: Session,
    person: Person,
    *,
    actor: str,
    name: str | None = None,
    email: str | None = _UNSET,
    phone: str | None = _UNSET,
    apprise_url: str | None = _UNSET,
    language: str | None = None,
    availability: Iterable[str] | None = None,
    quiet_hours: str | None = _UNSET,
    unavailable: Iterable[str] | None = None,
) -> list[str]:
    """Change the fields given (``None`` for a contact field or quiet hours clears it); returns the
    names of the fields changed. Absences replace the previous list; gatherings are re-dated. (An Apprise URL is checked
    by the caller: Apprise belongs to the notifications floor.)"""
    changed: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput("error.store.empty_name")
        changed["name"] = name.strip()
    if email is not _UNSET:
        if email is not None and not EMAIL.match(email.strip()):
            raise InvalidInput("error.store.invalid_email", email=email)
        changed["email"] = email.strip().lower() if email else None
    if phone is not _UNSET:
        changed["phone"] = phone.strip() if phone else None
    if apprise_url is not _UNSET:
        changed["apprise_url"] = apprise_url or None
    if language is not None:
        if language not in ("fr", "en"):
            raise InvalidInput("error.store.language_choice")
        changed["language"] = language
    if availability is not None:
        changed["availability"] = normalise_availability(availability)
    if quiet_hours is not _UNSET:
        if quiet_hours and not QUIET_HOURS.match(quiet_hours):
            raise InvalidInput("error.store.quiet_hours", value=quiet_hours)
        changed["quiet_hours"] = quiet_hours or None
    if unavailable is not None:
        changed["unavailable"] = parse_unavailable(unavailable)
    after = {key: value for key, value in changed.items() if getattr(person, key) != value}
    contact = {k: after.get(k, getattr(person, k)) for k in ("email", "phone", "apprise_url")}
    if after and not any(contact.values()):
        raise InvalidInput("error.store.keep_one_contact")
    for key, value in after.items():
        setattr(person, key, value)
    session.add(person)
    if after:
        audit.record(session, actor=actor, action="person.updated", person_id=person.id, fields=sorted(after))
        session.flush()
    if "unavailable" in after:
        project_ids = set(session.exec(select(Membership.project_id).where(Membership.person_id == person.id)))
        for project in session.exec(select(Project).where(col(Project.id).in_(sorted(project_ids)))):
            refresh_gatherings(session, project, actor=actor)
    return sorted(after)


def remove_member(session: Session, project: Project, person: Person, *, actor: str) -> list[str]:
    """Take a person out of a project (every role they hold there); their history stays. Returns
    the roles they left. The identity itself is kept (see :func:`store.people.erase_person`)."""
    memberships = list(
        session.exec(
            select(Membership).where(
                Membership.project_id == project.id,
                Membership.person_id == person.id,
                col(Membership.left_at).is_(None),
            )
        )
    )
    if not memberships:
        raise InvalidInput("error.store.no_longer_member", person=person.name)
    moment = now()
    for membership in memberships:
        membership.left_at = moment
        session.add(membership)
    roles = sorted(m.role for m in memberships)
    audit.record(session, actor=actor, action="person.removed", project_id=project.id, person_id=person.id, roles=roles)
    session.flush()
    refresh_gatherings(session, project, actor=actor)
    return roles
