"""Invitations to gatherings as calendar events, and what invitees' calendars are told later.

An invitation (a digest item, see :mod:`notifications.envelopes`) carries a ``METHOD:REQUEST``
event addressed to its recipient alone, with two answer links. Each invitation sent is remembered
(:class:`~store.models.GatheringInvitation`, with the ``SEQUENCE`` sent); at every reminder cycle
:func:`queue_gathering_changes` compares it with the gathering as it is now:

* moved (date), or its time or place changed → an update: the same ``UID``, a higher ``SEQUENCE``;
* skipped (plan steps are never deleted: skipping is how a gathering is removed) → a
  ``METHOD:CANCEL``, once.

Past and finished gatherings are left alone. The messages are standalone outbox rows, held like
any other by pauses, absences and quiet hours.
"""

from dataclasses import dataclass, replace
from datetime import date, time

from sqlmodel import Session, col, select

from notifications.attachments import Attachment
from notifications.messages import GatheringNoticeContext, render_message
from notifications.queue import enqueue
from planning.ics import Attendee, IcsEvent, calendar_bytes
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
from store.projects import template_of
from store.publication import public_url


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


def answer_links(session: Session, project: Project, step_key: str, person: Person) -> AnswerLinks | None:
    """The invitation's two links, when Cocon knows its public address."""
    base = public_url(session)
    if base is None or project.id is None or person.id is None:
        return None
    token = create_answer_link(session, project_id=project.id, step_key=step_key, person_id=person.id)
    return AnswerLinks(f"{base}{ANSWER_PATH}{token}/{YES}", f"{base}{ANSWER_PATH}{token}/{NO}")


def organizer_of(session: Session, project: Project) -> Attendee | None:
    """The ORGANIZER of a project's events: its coordination's address."""
    for person in coordinator_people(session, project):
        if person.email:
            return Attendee(person.email, f"Coordination — {project.name}")
    return None


def invitation_event(session: Session, view: GatheringView, person: Person, *, lang: str, cancelled: bool = False) -> IcsEvent:
    """One gathering's event for one invitee: they are its only ATTENDEE."""
    agenda = template_of(session, view.project).step(view.step.template_step).agenda
    return calendar_event(
        view,
        description=agenda.get(lang) if agenda else "",
        organizer=organizer_of(session, view.project),
        attendee=Attendee(person.email, person.name) if person.email else None,
        cancelled=cancelled,
    )


def remember_invitation(session: Session, view: GatheringView, person: Person) -> None:
    """Note the version of the event this person's calendar now has."""
    row = session.exec(
        select(GatheringInvitation).where(
            GatheringInvitation.project_id == view.project.id,
            GatheringInvitation.step_key == view.step.key,
            GatheringInvitation.person_id == person.id,
        )
    ).first()
    row = row or GatheringInvitation(project_id=view.project.id or 0, step_key=view.step.key, person_id=person.id or 0)
    row.sequence, row.cancelled = view.sequence, False
    session.add(row)


def _notice(session: Session, view: GatheringView, person: Person, *, cancelled: bool, sent: int) -> bool:
    lang = "en" if person.language == "en" else "fr"
    links = None if cancelled else answer_links(session, view.project, view.step.key, person)
    context = GatheringNoticeContext(
        person_name=person.name,
        project_name=view.project.name,
        title=view.title,
        day=view.day,
        start=clock(view.where.start, lang),
        place=view.where.place,
        video=view.where.video,
        cancelled=cancelled,
        answer_yes=links.yes if links else None,
        answer_no=links.no if links else None,
    )
    name = "gathering-cancelled" if cancelled else "gathering-update"
    message = render_message(name, context, lang)
    event = invitation_event(session, view, person, lang=lang, cancelled=cancelled)
    if cancelled:  # a cancellation is a newer version of the event than any the calendar holds
        event = replace(event, sequence=max(view.sequence, sent) + 1)
    data = calendar_bytes(view.project.name, [event], method="CANCEL" if cancelled else "REQUEST")
    queued = enqueue(
        session,
        project_id=view.project.id or 0,
        person_id=person.id,
        occasion=Occasion.GATHERING_CANCELLED if cancelled else Occasion.GATHERING_UPDATE,
        about=f"step:{view.step.key}#{view.sequence}{'x' if cancelled else ''}",
        due_on=view.day,
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=[Attachment("annulation.ics" if cancelled else "invitation.ics", data, "text/calendar")],
    )
    return queued is not None


def queue_gathering_changes(session: Session, *, on: date | None = None) -> int:
    """Queue an update for every invitee whose calendar holds an older version of an upcoming
    gathering, and a cancellation for every one whose gathering was skipped or removed; returns
    how many messages were queued."""
    day = on or today()
    # only upcoming gatherings: what is past stays as it was
    rows = list(session.exec(
        select(GatheringInvitation)
        .join(PlanStep, (col(PlanStep.project_id) == col(GatheringInvitation.project_id))
              & (col(PlanStep.key) == col(GatheringInvitation.step_key)))
        .where(col(GatheringInvitation.cancelled).is_(False), col(PlanStep.due) >= day)
    ))
    queued = 0
    by_project: dict[int, list[GatheringInvitation]] = {}
    for row in rows:
        by_project.setdefault(row.project_id, []).append(row)
    for project_id, invitations in sorted(by_project.items()):
        project = session.get(Project, project_id)
        if project is None:
            continue
        keys = sorted({row.step_key for row in invitations})
        steps = {
            s.key: s
            for s in session.exec(select(PlanStep).where(PlanStep.project_id == project_id, col(PlanStep.key).in_(keys)))
        }
        people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_({r.person_id for r in invitations})))}
        for lang in ("fr", "en"):
            views = {v.step.key: v for v in gathering_views(session, project, list(steps.values()), lang)}
            for row in invitations:
                person = people.get(row.person_id)
                if person is None or ("en" if person.language == "en" else "fr") != lang or person.opted_out:
                    continue
                step = steps.get(row.step_key)
                if step is None or step.due < day or step.status == StepStatus.DONE:  # plan steps are never deleted
                    continue
                view = views[row.step_key]
                if step.status == StepStatus.SKIPPED:
                    queued += _notice(session, view, person, cancelled=True, sent=row.sequence)
                    row.cancelled = True
                elif view.sequence > row.sequence:
                    queued += _notice(session, view, person, cancelled=False, sent=row.sequence)
                    row.sequence = view.sequence
                else:
                    continue
                session.add(row)
    session.flush()
    return queued
