"""When a message queued now for a person would leave: at once, later (their daytime, quiet
hours, an absence or a pause), or never (reminders stopped). The outbox decides the same way when
it sends (``envelopes``); this tells a coordinator in advance."""

from datetime import datetime, time, timedelta

from sqlmodel import Session

from notifications.envelopes import prefs_of
from notifications.pauses import send_decision, stopped_projects
from notifications.planner import next_contact_time
from store.clock import PARIS, now
from store.models import Occasion, Person


def leaves_at(session: Session, person: Person, *, project_id: int, occasion: Occasion) -> datetime | None:
    """The moment a message queued now for ``person`` leaves (now, or later), or ``None`` if it
    would be cancelled."""
    moment = now()
    stopped = (person.id or 0, project_id) in stopped_projects(session, [person.id or 0])
    decision, until = send_decision(
        person, project_id=project_id, occasion=occasion, immediate=False, stopped=stopped,
        day=moment.astimezone(PARIS).date(),
    )
    if decision == "cancel":
        return None
    if decision == "hold":  # a pause: until its end, or (open-ended) at least until tomorrow
        after = datetime.combine(until, time(0), tzinfo=PARIS) if until else moment + timedelta(days=1)
    else:
        after = moment
    return next_contact_time(prefs_of(person), after)


def waits(session: Session, person: Person, *, project_id: int, occasion: Occasion) -> bool:
    """Whether such a message would not leave at once."""
    when = leaves_at(session, person, project_id=project_id, occasion=occasion)
    return when is None or when > now()
