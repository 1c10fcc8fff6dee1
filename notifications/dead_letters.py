"""A message given up after every attempt is not silent: the coordination hears of it."""

from sqlmodel import Session

from notifications.messages import DeadMessageContext, render_message
from notifications.queue import enqueue
from store.clock import today
from store.models import Occasion, OutboxMessage, Person, Project
from store.people import coordinator_people

#: Occasion of the alert sent to the coordinator when a message is dead (never alerted about).
DEAD_ALERT = Occasion.OUTBOX_DEAD


def alert_dead(session: Session, row: OutboxMessage) -> None:
    """Tell the project's coordinators (and its team channel) that a message could not be sent."""
    if row.occasion == DEAD_ALERT:
        return
    project = session.get(Project, row.project_id)
    if project is None:
        return
    recipient = session.get(Person, row.person_id) if row.person_id is not None else None
    targets: list[tuple[int | None, str | None, str]] = [
        (p.id, None, p.language) for p in coordinator_people(session, project)
    ]
    if project.team_channel:
        targets.append((None, project.team_channel, project.language))
    context = DeadMessageContext(
        project_name=project.name,
        recipient_name=recipient.name if recipient else None,
        occasion=row.occasion,
        attempts=row.attempts,
        day=row.due_on,
    )
    for person_id, channel, lang in targets:
        message = render_message("outbox-dead", context, lang)
        enqueue(
            session,
            project_id=project.id or 0,
            person_id=person_id,
            occasion=DEAD_ALERT,
            about=f"outbox:{row.id}",
            due_on=today(),
            subject=message.subject,
            text=message.text,
            html=message.html,
            channel_url=channel,
        )
