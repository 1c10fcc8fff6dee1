"""Invitations to gatherings as calendar events, and what invitees' calendars are told later.

An invitation (a digest item, see :mod:`notifications.envelopes`) carries a ``METHOD:REQUEST``
event addressed to its recipient alone, with two answer links. Each invitation sent is remembered
(:class:`~store.models.GatheringInvitation`, with the ``SEQUENCE`` sent); at every reminder cycle
:func:`queue_gathering_changes` compares it with the gathering as it is now and queues a digest
item (so that a person still gets one message a day):

* moved (date), or its time or place changed → an update: the same ``UID``, a higher ``SEQUENCE``;
* skipped (plan steps are never deleted: skipping is how a gathering is removed) → a
  ``METHOD:CANCEL``, once.

Past and finished gatherings are left alone. Like every digest item they wait for quiet hours and
absences to end; a pause cancels them, and the next cycle after it queues them again if still true.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, time

from sqlmodel import Session, col, select

from locales import gettext
from notifications.planner import DigestItem
from notifications.queue import enqueue_items
from planning.ics import Attendee, IcsEvent
from store.clock import today
from store.gatherings import (
    ANSWER_PATH,
    NO,
    YES,
    GatheringView,
    calendar_event,
    create_answer_link,
    gathering_views,
)
from store.models import GatheringInvitation, Occasion, Person, PlanStep, Project, StepStatus
from store.people import coordinator_people


def clock(start: time | None, lang: str) -> str | None:
    """``18 h`` / ``18 h 30`` in French, ``18:30`` in English."""
    if start is None:
        return None
    if lang == "en":
        return f"{start:%H:%M}"
    return f"{start.hour} h {start:%M}" if start.minute else f"{start.hour} h"


@dataclass(frozen=True)
class AnswerLinks:
    yes: str
    no: str


def answer_links(session: Session, project: Project, step_key: str, person: Person, *, base: str | None) -> AnswerLinks | None:
    """The invitation's two links, when Cocon knows its public address (``base``,
    :func:`store.publication.public_url`, read once by the caller)."""
    if base is None or project.id is None or person.id is None:
        return None
    token = create_answer_link(session, project_id=project.id, step_key=step_key, person_id=person.id)
    return AnswerLinks(f"{base}{ANSWER_PATH}{token}/{YES}", f"{base}{ANSWER_PATH}{token}/{NO}")


def organizer_of(session: Session, project: Project, lang: str = "fr") -> Attendee | None:
    """The ORGANIZER of a project's events: its coordination's address."""
    return organizer(project, next((p.email for p in coordinator_people(session, project) if p.email), None), lang)


def organizer(project: Project, coordination_email: str | None, lang: str) -> Attendee | None:
    if not coordination_email:
        return None
    return Attendee(coordination_email, gettext("mail.calendar.organizer", lang, project=project.name))


def invitation_event(
    view: GatheringView, person: Person, *, agenda: str, organizer: Attendee | None, cancelled: bool = False
) -> IcsEvent:
    """One gathering's event for one invitee: they are its only ATTENDEE (``agenda``: the step's
    agenda in the invitee's language; ``organizer``: :func:`organizer_of`, read once per project)."""
    return calendar_event(
        view,
        description=agenda,
        organizer=organizer,
        attendee=Attendee(person.email, person.name) if person.email else None,
        cancelled=cancelled,
    )


class InvitationsSent:
    """The invitations already sent to some people for some projects, read in one query (a
    dispatch claim reads them once instead of once per invitation it renders)."""

    def __init__(self, session: Session, project_ids: Sequence[int], person_ids: Sequence[int]) -> None:
        self.session = session
        self.rows: dict[tuple[int, str, int], GatheringInvitation] = {
            (row.project_id, row.step_key, row.person_id): row
            for row in session.exec(
                select(GatheringInvitation).where(
                    col(GatheringInvitation.project_id).in_(sorted(set(project_ids))),
                    col(GatheringInvitation.person_id).in_(sorted(set(person_ids))),
                )
            )
        }

    def get(self, view: GatheringView, person: Person) -> GatheringInvitation | None:
        return self.rows.get((view.project.id or 0, view.step.key, person.id or 0))

    def remember(self, view: GatheringView, person: Person) -> None:
        """Note the version of the event this person's calendar now has."""
        key = (view.project.id or 0, view.step.key, person.id or 0)
        row = self.rows.get(key) or GatheringInvitation(project_id=key[0], step_key=key[1], person_id=key[2])
        row.sequence, row.cancelled = view.sequence, False
        self.session.add(row)
        self.rows[key] = row


def queue_gathering_changes(session: Session, *, on: date | None = None, shard: tuple[int, int] | None = None) -> int:
    """Queue, as digest items of the day, an update for every invitee whose calendar holds an
    older version of an upcoming gathering, and a cancellation for every one whose gathering was
    skipped (``shard=(k, n)``: the projects whose id is ``k`` modulo ``n``); returns how many were
    new. What the calendar is told is decided when the digest is
    rendered (:func:`notice_event`), from the gathering as it is then."""
    day = on or today()
    # only upcoming gatherings: what is past stays as it was
    rows = list(session.exec(
        select(GatheringInvitation, PlanStep)
        .join(PlanStep, (col(PlanStep.project_id) == col(GatheringInvitation.project_id))
              & (col(PlanStep.key) == col(GatheringInvitation.step_key)))
        .where(col(GatheringInvitation.cancelled).is_(False), col(PlanStep.due) >= day,
               col(PlanStep.status) != StepStatus.DONE,
               *([col(GatheringInvitation.project_id) % shard[1] == shard[0]] if shard else []))
    ))
    items: list[DigestItem] = []
    by_project: dict[int, list[tuple[GatheringInvitation, PlanStep]]] = {}
    for invitation, step in rows:
        by_project.setdefault(invitation.project_id, []).append((invitation, step))
    for project_id, pairs in sorted(by_project.items()):
        project = session.get(Project, project_id)
        if project is None:
            continue
        views = {v.step.key: v for v in gathering_views(session, project, [step for _, step in pairs])}
        for invitation, step in pairs:
            about = f"step:{step.key}"
            if step.status == StepStatus.SKIPPED:
                items.append(DigestItem(project_id, invitation.person_id, Occasion.GATHERING_CANCELLED, about, day))
            elif views[step.key].sequence > invitation.sequence:
                items.append(DigestItem(project_id, invitation.person_id, Occasion.GATHERING_UPDATE, about, day,
                                        {"sequence": views[step.key].sequence}))
    return enqueue_items(session, items)


def gathering_notice_relevant(step: PlanStep, occasion: str, today_: date) -> bool:
    """Whether an update or a cancellation is still true when it is about to leave."""
    if step.due < today_:
        return False
    if occasion == Occasion.GATHERING_CANCELLED:
        return step.status == StepStatus.SKIPPED
    return step.status not in (StepStatus.DONE, StepStatus.SKIPPED)


def notice_event(
    sent: InvitationsSent, view: GatheringView, person: Person, *, agenda: str, organizer: Attendee | None, cancelled: bool
) -> IcsEvent:
    """The event an update (the gathering as it is now) or a cancellation carries, noted as the
    version this person's calendar now has."""
    row = sent.get(view, person)
    event = invitation_event(view, person, agenda=agenda, organizer=organizer, cancelled=cancelled)
    if cancelled:  # a cancellation is a newer version of the event than any the calendar holds
        event = replace(event, sequence=max(view.sequence, row.sequence if row is not None else 0) + 1)
        if row is not None:
            row.cancelled = True
            sent.session.add(row)
    else:
        sent.remember(view, person)
    return event
