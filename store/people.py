"""People and their roles in projects; role coverage; per-person export and erasure."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store import audit, limits
from store.erasure import redact_texts
from store.exceptions import InvalidInput, PersonNotFound, Phrase
from store.limits import check_length
from store.members import members
from store.models import (
    Account,
    AnswerLink,
    AuditEvent,
    CalendarFeed,
    GatheringAnswer,
    GatheringInvitation,
    MagicLink,
    Membership,
    PauseLink,
    Person,
    PlanChange,
    Project,
    ReminderStop,
    WebSession,
)
from store.plans import refresh_gatherings
from store.projects import template_of

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
QUIET_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")

#: Moments a person prefers to take part, in the field's words. English words are accepted.
AVAILABILITY = {
    "matin": "matin", "morning": "matin", "mornings": "matin",
    "apres-midi": "apres-midi", "après-midi": "apres-midi", "afternoon": "apres-midi", "afternoons": "apres-midi",
    "soir": "soir", "soirs": "soir", "evening": "soir", "evenings": "soir",
    "semaine": "semaine", "weekday": "semaine", "weekdays": "semaine",
    "week-end": "week-end", "weekend": "week-end", "weekends": "week-end",
}


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    label: str
    minimum: int
    count: int

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.count)


def normalise_availability(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    for raw in values:
        for part in raw.split(","):
            word = part.strip().lower()
            if not word:
                continue
            if word not in AVAILABILITY:
                raise InvalidInput("error.store.unknown_availability", value=word)
            if AVAILABILITY[word] not in result:
                result.append(AVAILABILITY[word])
    return result


def parse_unavailable(values: Iterable[str]) -> list[str]:
    """Validate ``YYYY-MM-DD`` dates and ``YYYY-MM-DD..YYYY-MM-DD`` ranges."""
    result: list[str] = []
    for raw in values:
        for part in raw.split(","):
            text = part.strip()
            if not text:
                continue
            try:
                first, _, last = text.partition("..")
                start = date.fromisoformat(first)
                end = date.fromisoformat(last) if last else start
            except ValueError:
                raise InvalidInput("error.store.unreadable_absence", value=text) from None
            if end < start:
                raise InvalidInput("error.store.reversed_period", value=text)
            result.append(text)
    return result


def add_person(
    session: Session,
    project: Project,
    *,
    name: str,
    role: str,
    email: str | None = None,
    phone: str | None = None,
    apprise_url: str | None = None,
    language: str = "fr",
    availability: Iterable[str] = (),
    quiet_hours: str | None = None,
    unavailable: Iterable[str] = (),
    actor: str,
) -> Person:
    """Add someone to a project with a role.

    The same email reuses the same person only within this project, or when that email has an
    account (whose holder then keeps their own name and settings). Otherwise the person is a new
    identity of this project: nothing typed here changes what another project sees.
    """
    template = template_of(session, project)
    if role not in template.roles:
        roles = ", ".join(template.roles)
        raise InvalidInput("error.store.unknown_role", role=role, roles=roles)
    if not name.strip():
        raise InvalidInput("error.store.name_required")
    check_length(name, field=Phrase("error.field.name"), limit=limits.NAME)
    check_length(email, field=Phrase("error.field.email"), limit=limits.EMAIL)
    check_length(phone, field=Phrase("error.field.phone"), limit=limits.PHONE)
    check_length(apprise_url, field=Phrase("error.field.apprise_url"), limit=limits.URL)
    if email is not None and not EMAIL.match(email.strip()):
        raise InvalidInput("error.store.invalid_email", email=email)
    if quiet_hours is not None and not QUIET_HOURS.match(quiet_hours):
        raise InvalidInput("error.store.quiet_hours", value=quiet_hours)
    if language not in ("fr", "en"):
        raise InvalidInput("error.store.language_choice")
    if not (email or phone or apprise_url):
        raise InvalidInput("error.store.contact_required")
    slots = normalise_availability(availability)
    absences = parse_unavailable(unavailable)
    address = email.strip().lower() if email else None
    person = _identity_for(session, project, address) if address else None
    if person is None:
        person = _new_identity(
            session,
            Person(project_id=project.id, name=name.strip(), email=address, phone=phone, apprise_url=apprise_url,
                   language=language, availability=slots, quiet_hours=quiet_hours, unavailable=absences),
        )
    elif identity_owned_by(session, person, project):
        person.name = name.strip()
        person.phone = phone or person.phone
        person.apprise_url = apprise_url or person.apprise_url
        person.language = language
        person.availability = slots or person.availability
        person.quiet_hours = quiet_hours or person.quiet_hours
        person.unavailable = absences or person.unavailable
        session.add(person)
    assert project.id is not None and person.id is not None
    existing = session.exec(
        select(Membership).where(
            Membership.project_id == project.id, Membership.person_id == person.id, Membership.role == role
        )
    ).first()
    if existing is not None and existing.left_at is None:
        raise InvalidInput("error.store.role_already", person=person.name, role=role)
    if existing is not None:
        existing.left_at = None
        session.add(existing)
    else:
        try:
            with session.begin_nested():
                session.add(Membership(project_id=project.id, person_id=person.id, role=role))
        except IntegrityError:  # the same addition, made at the same moment by another request
            raise InvalidInput("error.store.role_already", person=person.name, role=role) from None
    audit.record(session, actor=actor, action="person.added", project_id=project.id, person_id=person.id, role=role)
    session.flush()
    if absences:
        refresh_gatherings(session, project, actor=actor)
    return person


def identity_owned_by(session: Session, person: Person, project: Project) -> bool:
    """Whether the project's managers may change this person's name and settings.

    Only an identity the project made and that has no account: people with an account manage
    their own, and people shared with other projects (before identities were per project) are
    changed by nobody but themselves.
    """
    if person.project_id != project.id:
        return False
    return session.exec(select(Account.id).where(Account.person_id == person.id)).first() is None


def _identity_for(session: Session, project: Project, email: str) -> Person | None:
    """The person this email already names for this project: one of its own, or an account holder."""
    member_ids = select(Membership.person_id).where(Membership.project_id == project.id)
    own = session.exec(
        select(Person)
        .where(Person.email == email, or_(col(Person.project_id) == project.id, col(Person.id).in_(member_ids)))
        .order_by(col(Person.id))
    ).first()
    if own is not None:
        return own
    return session.exec(
        select(Person).join(Account, col(Account.person_id) == col(Person.id)).where(Account.email == email)
    ).first()


def _new_identity(session: Session, person: Person) -> Person:
    """Insert a person; if a concurrent request just made the same one, use that row instead."""
    try:
        with session.begin_nested():
            session.add(person)
            session.flush()
    except IntegrityError:
        existing = session.exec(
            select(Person).where(Person.project_id == person.project_id, Person.email == person.email)
        ).first()
        if existing is None:
            raise
        return existing
    return person


#: The largest id a database integer holds: anything above names no one (and must not reach the driver).
MAX_ID = 2**63 - 1


def active_member(session: Session, project: Project, person_id: int) -> Person | None:
    """The person with this id if they are currently a member of the project, else None."""
    if not 0 < person_id <= MAX_ID:
        return None
    found = session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Person.id == person_id, Membership.project_id == project.id, col(Membership.left_at).is_(None))
    ).first()
    return found


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise PersonNotFound("error.store.person_not_found", id=person_id)
    return person


def find_member(session: Session, project: Project, ref: str) -> Person:
    """A project member by id, email or exact name."""
    for person, _ in members(session, project):
        if ref == str(person.id) or (person.email and ref.lower() == person.email) or ref == person.name:
            return person
    raise PersonNotFound("error.store.member_not_found", person=ref, project=project.slug)


def roles_of(session: Session, project: Project, person: Person) -> list[str]:
    return [m.role for p, m in members(session, project) if p.id == person.id]


def people_with_role(session: Session, project: Project, role: str) -> list[Person]:
    return [p for p, m in members(session, project) if m.role == role]


def coordinator_people(session: Session, project: Project) -> list[Person]:
    """Current members of the project's coordinator roles (each person once)."""
    roles = set(template_of(session, project).coordinator_roles())
    found: dict[int | None, Person] = {}
    for person, membership in members(session, project):
        if membership.role in roles:
            found.setdefault(person.id, person)
    return list(found.values())


def role_coverage(session: Session, project: Project, lang: str = "fr") -> list[RoleCoverage]:
    template = template_of(session, project)
    counts: dict[str, int] = {}
    for _, membership in members(session, project):
        counts[membership.role] = counts.get(membership.role, 0) + 1
    return [
        RoleCoverage(role_id, role.label.get(lang), role.min, counts.get(role_id, 0))
        for role_id, role in template.roles.items()
    ]


def export_person(session: Session, person_id: int) -> dict[str, Any]:
    """Everything the store holds about one person, for a subject access request."""
    person = get_person(session, person_id)
    memberships = session.exec(select(Membership).where(Membership.person_id == person_id)).all()
    projects = {p.id: p.slug for p in session.exec(select(Project).where(col(Project.id).in_([m.project_id for m in memberships])))}
    events = session.exec(select(AuditEvent).where(AuditEvent.person_id == person_id).order_by(col(AuditEvent.id))).all()
    stops = session.exec(select(ReminderStop).where(ReminderStop.person_id == person_id)).all()
    stopped = {p.id: p.slug for p in session.exec(select(Project).where(col(Project.id).in_([s.project_id for s in stops])))}
    return {
        "person": person.model_dump(mode="json"),  # with the preferences: channel, digest_time, language
        "reminders_stopped": [
            {"project": stopped.get(s.project_id), "stopped_at": s.stopped_at.isoformat()} for s in stops
        ],
        "memberships": [
            {"project": projects.get(m.project_id), "role": m.role, "joined_at": m.joined_at.isoformat(),
             "left_at": m.left_at.isoformat() if m.left_at else None}
            for m in memberships
        ],
        "audit": [{"at": e.at.isoformat(), "action": e.action, "details": e.details} for e in events],
    }


def erase_person(session: Session, person_id: int, *, actor: str) -> None:
    """Erase a person's identity and contact details, also from every stored text that quoted
    them (charter versions, messages, proposals…); project history keeps an anonymous trace.
    Call :func:`store.erasure.reclaim_space` after committing so the old bytes leave the file."""
    person = get_person(session, person_id)
    replacement = f"Personne effacée n°{person_id}"
    said = [person.name, person.email or "", person.phone or "", person.apprise_url or ""]
    redact_texts(session, person_id=person_id, values=said, replacement=replacement, actor=actor)
    person.name = replacement
    person.email = None
    person.phone = None
    person.apprise_url = None
    person.availability = []
    person.unavailable = []
    person.quiet_hours = None
    person.digest_time = None
    person.channel = "both"
    person.opted_out = True
    session.add(person)
    # Web access goes with the identity: no account, session, login or pause link survives erasure,
    # nor the per-project stops that would still name the person.
    for table in (WebSession, MagicLink, Account, PauseLink, ReminderStop):
        for row in session.exec(select(table).where(table.person_id == person_id)):
            session.delete(row)
    # so do their answers to gatherings, their answer links and their calendar subscriptions
    for gathering_table in (GatheringAnswer, GatheringInvitation, AnswerLink, CalendarFeed):
        for row in session.exec(select(gathering_table).where(gathering_table.person_id == person_id)):  # type: ignore[attr-defined]
            session.delete(row)
    session.flush()
    for change in session.exec(select(PlanChange).where(PlanChange.changed_by == f"person:{person_id}")):
        change.changed_by = "personne effacée"
        session.add(change)
    audit.record(session, actor=actor, action="person.erased", person_id=person_id)
    session.flush()
