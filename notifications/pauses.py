"""A person's say over their reminders: pause (until a date, or until resumed), stop, resume.

The charter promises that a partner may pause or stop at any time. This module is the one place
that decides it, from the person's data — never from what a process happened to import:

* **pause** covers all of the person's projects: ``Person.paused`` and ``Person.paused_until``
  (the last day, or ``None``: until resumed). Pending reminders falling in it are cancelled at once;
  other messages (minutes, thanks…) wait until the pause ends;
* **stop** one project (a :class:`~store.models.ReminderStop` row) or all of them
  (``Person.opted_out``): every pending message to them there is cancelled;
* at send time, :func:`send_decision` says again, from the same data, whether a row leaves,
  waits, or is cancelled.

"All of my projects" means every person row reachable from the same email address (a person may
be recorded once per project). A message the person asked for (a login link) always leaves.
Pause links are the one-click links of every email: 256-bit tokens, kept as SHA-256, valid a
year, reusable (pausing twice is harmless), and they allow nothing but pausing and stopping.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import delete
from sqlmodel import Session, col, select

from locales.stored import written
from notifications.exceptions import NotificationError
from notifications.queue import forget_content
from planning.calendar import add_months
from store import audit
from store.clock import now, today
from store.exceptions import InvalidInput
from store.models import (
    DIGEST_OCCASIONS,
    Membership,
    Occasion,
    OutboxMessage,
    OutboxState,
    PauseLink,
    Person,
    Project,
    ReminderStop,
)
from store.participation import remove_member
from store.tokens import new_token, token_hash

#: Occasions that are reminders: cancelled (not held) by a pause, re-planned after it if still due.
REMINDER_OCCASIONS: frozenset[Occasion] = frozenset({*DIGEST_OCCASIONS, Occasion.FEEDBACK_REMINDER})
PAUSE_LINK_LIFETIME = timedelta(days=365)
#: Choices offered by the pause page and "Mon compte".
Choice = Literal["1m", "3m", "open", "stop-project", "stop-all"]
CHOICES: tuple[Choice, ...] = ("1m", "3m", "open", "stop-project", "stop-all")


class PauseLinkUnusable(NotificationError):
    """The pause link is unknown or has expired."""


def is_paused(person: Person, day: date) -> bool:
    """Whether ``person`` is in a pause on ``day``."""
    return person.paused and (person.paused_until is None or day <= person.paused_until)


def same_owner(session: Session, person: Person) -> list[Person]:
    """Every person row of the same human (same email), ``person`` first."""
    rows = [person]
    if person.email:
        rows += [
            other
            for other in session.exec(select(Person).where(Person.email == person.email).order_by(col(Person.id)))
            if other.id != person.id
        ]
    return rows


def stopped_projects(session: Session, person_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(person id, project id) pairs whose reminders are stopped."""
    ids = sorted(set(person_ids))
    if not ids:
        return set()
    return {
        (person_id, project_id)
        for person_id, project_id in session.exec(
            select(ReminderStop.person_id, ReminderStop.project_id).where(col(ReminderStop.person_id).in_(ids))
        )
    }


SendDecision = Literal["send", "hold", "cancel"]


def send_decision(
    person: Person, *, project_id: int, occasion: str, immediate: bool, stopped: bool, day: date
) -> tuple[SendDecision, date | None]:
    """Whether a message to ``person`` leaves now, waits (until the returned day, ``None``: a day
    later, checked again) or is cancelled — from their data only."""
    if immediate:
        return "send", None
    if person.opted_out or stopped:
        return "cancel", None
    if is_paused(person, day):
        if occasion in REMINDER_OCCASIONS:
            return "cancel", None
        return "hold", person.paused_until + timedelta(days=1) if person.paused_until else None
    return "send", None


def _owner_ids(session: Session, person: Person) -> list[int]:
    return [p.id for p in same_owner(session, person) if p.id is not None]


def cancel_pending(
    session: Session,
    person_ids: Iterable[int],
    *,
    reason: str,
    project_id: int | None = None,
    reminders_only: bool = False,
    until: date | None = None,
) -> int:
    """Cancel the messages still waiting for these people (never those they asked for)."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    query = select(OutboxMessage).where(
        col(OutboxMessage.person_id).in_(ids),
        col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.FAILED]),
    )
    if project_id is not None:
        query = query.where(OutboxMessage.project_id == project_id)
    if until is not None:
        query = query.where(col(OutboxMessage.due_on) <= until)
    cancelled = 0
    for row in session.exec(query):
        if row.facts.get("immediate") or (reminders_only and row.occasion not in REMINDER_OCCASIONS):
            continue
        row.state = OutboxState.CANCELLED
        row.last_error = reason
        forget_content(row)
        session.add(row)
        cancelled += 1
    return cancelled


def pause(session: Session, person: Person, *, until: date | None, actor: str) -> int:
    """Pause every reminder to this person (all their projects) until ``until`` included, or until
    resumed; returns how many pending reminders were cancelled."""
    if until is not None and until < today():
        raise InvalidInput("error.notifications.pause_end_past")
    people = same_owner(session, person)
    for row in people:
        row.paused = True
        row.paused_until = until
        session.add(row)
    cancelled = cancel_pending(
        session, _owner_ids(session, person), reason=written("stored.outbox.paused"), reminders_only=True, until=until
    )
    audit.record(
        session, actor=actor, action="person.paused", person_id=person.id,
        until=until.isoformat() if until else None, cancelled=cancelled,
    )
    session.flush()
    return cancelled


def resume(session: Session, person: Person, *, actor: str, restart: bool = False) -> int:
    """End the pause; with ``restart``, also start again reminders the person had stopped (only at
    their request). Messages held by the pause leave at the next cycle; returns how many."""
    ids = _owner_ids(session, person)
    for row in same_owner(session, person):
        row.paused = False
        row.paused_until = None
        if restart:
            row.opted_out = False
        session.add(row)
    if restart:
        session.execute(delete(ReminderStop).where(col(ReminderStop.person_id).in_(ids)))
    held = list(
        session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.person_id).in_(ids), OutboxMessage.state == OutboxState.PENDING
            )
        )
    )
    for message in held:
        message.next_attempt_at = min(message.next_attempt_at, now())
        session.add(message)
    audit.record(session, actor=actor, action="person.resumed", person_id=person.id, restart=restart)
    session.flush()
    return len(held)


def stop(session: Session, person: Person, *, project: Project | None, actor: str) -> int:
    """Stop reminders for one project (``project``) or for all (``None``); returns how many pending
    messages were cancelled."""
    ids = _owner_ids(session, person)
    if project is None:
        for row in same_owner(session, person):
            row.opted_out = True
            session.add(row)
        cancelled = cancel_pending(session, ids, reason=written("stored.outbox.stopped"))
    else:
        assert project.id is not None
        member_ids = set(
            session.exec(
                select(Membership.person_id).where(
                    Membership.project_id == project.id, col(Membership.person_id).in_(ids)
                )
            )
        ) or {person.id or 0}
        known = stopped_projects(session, ids)
        for person_id in sorted(member_ids):
            if (person_id, project.id) not in known:
                session.add(ReminderStop(person_id=person_id, project_id=project.id))
        cancelled = cancel_pending(session, ids, reason=written("stored.outbox.stopped"), project_id=project.id)
    audit.record(
        session, actor=actor, action="person.stopped", person_id=person.id,
        project_id=project.id if project else None, scope="project" if project else "all", cancelled=cancelled,
    )
    session.flush()
    return cancelled


# --- the one-click link -----------------------------------------------------------------------


def create_pause_link(session: Session, *, person_id: int, project_id: int | None) -> str:
    """A new pause link for one email; only its hash is stored."""
    token = new_token()
    session.add(
        PauseLink(
            token_hash=token_hash(token),
            person_id=person_id,
            project_id=project_id,
            expires_at=now() + PAUSE_LINK_LIFETIME,
        )
    )
    return token


def pause_link(session: Session, token: str) -> tuple[PauseLink, Person]:
    """The link and its person, or :class:`PauseLinkUnusable`."""
    link = session.exec(select(PauseLink).where(PauseLink.token_hash == token_hash(token))).first()
    person = session.get(Person, link.person_id) if link is not None else None
    if link is None or person is None or link.expires_at < now():
        raise PauseLinkUnusable("error.notifications.pause_link_unusable")
    return link, person


@dataclass(frozen=True)
class Done:
    """What a choice did, for the confirmation page."""

    choice: Choice
    until: date | None
    project: Project | None


def apply_choice(session: Session, person: Person, choice: str, *, project: Project | None, actor: str) -> Done:
    """Apply a choice of the pause page or of "Mon compte"."""
    if choice in ("1m", "3m"):
        until = add_months(today(), 1 if choice == "1m" else 3)
        pause(session, person, until=until, actor=actor)
        return Done("1m" if choice == "1m" else "3m", until, None)
    if choice == "open":
        pause(session, person, until=None, actor=actor)
        return Done("open", None, None)
    if choice == "stop-project" and project is not None:
        stop(session, person, project=project, actor=actor)
        return Done("stop-project", None, project)
    if choice == "stop-all":
        stop(session, person, project=None, actor=actor)
        return Done("stop-all", None, None)
    raise InvalidInput("error.notifications.unknown_pause_choice")


def leave_project(session: Session, project: Project, person: Person, *, actor: str) -> list[str]:
    """Take a person out of a project: their roles there end, their history stays, and the messages
    still waiting for them in this project are cancelled. Returns the roles they left."""
    roles = remove_member(session, project, person, actor=actor)
    assert person.id is not None
    cancel_pending(session, [person.id], reason=written("stored.outbox.left_project"), project_id=project.id)
    return roles
