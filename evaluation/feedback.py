"""Inviting participants to the questionnaire, and reminding them (day 7 and 14) until they answer.

The invitation and both reminders are queued together, because the token exists in clear only
now (the store keeps its SHA-256). Whether a reminder still makes sense is data, not a check some
process must have imported: answering cancels the waiting reminders (:func:`evaluation.questionnaire.cancel_reminders`);
each reminder carries its last day (``drop_after``: two days after its own, never after the
invitation expires); a pause, a stop or an opt-out is read from the person at send time by the
outbox (:mod:`notifications.pauses`).
"""

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from evaluation.checkpoints import all_members
from evaluation.messages import FEEDBACK_INVITATION, FEEDBACK_REMINDER, FeedbackMessage
from evaluation.participants import role_group, thanked
from evaluation.questionnaire import REMINDER_DAYS, VALID_DAYS, NewInvitation, about, invitations, invite, still_waiting
from notifications.messages import render_message
from notifications.queue import enqueue
from store import audit
from store.clock import PARIS, today
from store.exceptions import Phrase
from store.models import Occasion, OutboxMessage, OutboxState, Person, Project, RoleGroup
from store.projects import template_of
from store.publication import require_public_url
from store.tokens import new_token
from store.tokens import token_hash as hash_token

INVITATION_OCCASION = Occasion.FEEDBACK_INVITATION
REMINDER_OCCASION = Occasion.FEEDBACK_REMINDER
ANSWER_PATH = "/questionnaire/"
#: A reminder not sent within this many days of its day is dropped.
LATE_AFTER_DAYS = 2


def feedback_people(session: Session, project: Project) -> list[tuple[Person, RoleGroup]]:
    """Everyone taking part (coordinators only excepted), with their role group."""
    template = template_of(session, project)
    return [
        (m.person, role_group(template, m.roles)) for m in thanked(template, all_members(session, project)) if m.active
    ]


def _queue(session: Session, project: Project, new: NewInvitation, link_base: str) -> int:
    invitation, person = new.invitation, new.person
    assert project.id is not None and person.id is not None
    context = FeedbackMessage(
        person_name=person.name,
        project_name=project.name,
        link=f"{link_base}{ANSWER_PATH}{new.token}",
        expires_on=invitation.expires_at.astimezone(PARIS).date(),
        partner=invitation.role_group == RoleGroup.PARTNER,
    )
    queued = 0
    start = today()
    plan = [(INVITATION_OCCASION, FEEDBACK_INVITATION, start)] + [
        (REMINDER_OCCASION, FEEDBACK_REMINDER, start + timedelta(days=days)) for days in REMINDER_DAYS
    ]
    for occasion, name, due_on in plan:
        message = render_message(name, context, invitation.lang)
        row = enqueue(
            session,
            project_id=project.id,
            person_id=person.id,
            occasion=occasion,
            about=about(invitation),
            due_on=due_on,
            subject=message.subject,
            text=message.text,
            html=message.html,
            # each waits for its day, 9:00 in Paris (an invitation queued later that day leaves at once)
            not_before=datetime.combine(due_on, time(9), tzinfo=PARIS).astimezone(UTC),
        )
        if row is not None and occasion == REMINDER_OCCASION:
            # a reminder that missed its day is dropped, not sent in a burst; none once expired
            last = min(due_on + timedelta(days=LATE_AFTER_DAYS), context.expires_on)
            row.facts = {**row.facts, "drop_after": last.isoformat()}
            session.add(row)
        queued += row is not None
    return queued


def invite_participants(
    session: Session, project: Project, *, actor: str, valid_days: int = VALID_DAYS
) -> list[NewInvitation]:
    """Invite every participant not yet invited; queue the invitation and its two reminders.

    Without a public address nothing is created: the invitation would carry no working link."""
    link_base = require_public_url(session, Phrase("error.what.questionnaire_invitation"))
    created = invite(session, project, feedback_people(session, project), actor=actor, valid_days=valid_days)
    for new in created:
        _queue(session, project, new, link_base)
    return created


def relaunch_unanswered(session: Session, project: Project, *, actor: str) -> int:
    """Relaunch everyone invited who has not answered yet and whose invitation is still valid.

    The store keeps only each link's SHA-256, so a relaunch gives a new link: the invitation's
    token changes, a reminder carrying the new link is queued for today, and the reminders still
    waiting are rewritten with it (the old link stops working). Only counts come out of here:
    never who answered. An invitation already relaunched today is not relaunched twice.
    """
    link_base = require_public_url(session, Phrase("error.what.questionnaire_reminder"))
    assert project.id is not None
    waiting = [i for i in invitations(session, project) if still_waiting(i)]
    relaunched = 0
    day = today()
    for invitation in waiting:
        person = session.get(Person, invitation.person_id)
        if person is None:
            continue
        token = new_token()
        context = FeedbackMessage(
            person_name=person.name,
            project_name=project.name,
            link=f"{link_base}{ANSWER_PATH}{token}",
            expires_on=invitation.expires_at.astimezone(PARIS).date(),
            partner=invitation.role_group == RoleGroup.PARTNER,
        )
        message = render_message(FEEDBACK_REMINDER, context, invitation.lang)
        row = enqueue(
            session,
            project_id=project.id,
            person_id=person.id,
            occasion=REMINDER_OCCASION,
            about=about(invitation),
            due_on=day,
            subject=message.subject,
            text=message.text,
            html=message.html,
        )
        if row is None:  # a reminder for today already exists: its link is the one that works
            continue
        later = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.about == about(invitation),
                OutboxMessage.occasion == REMINDER_OCCASION,
                col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.FAILED]),
                OutboxMessage.id != row.id,
            )
        ).all()
        for pending in later:
            pending.subject, pending.text, pending.html = message.subject, message.text, message.html
            session.add(pending)
        invitation.token_hash = hash_token(token)
        session.add(invitation)
        relaunched += 1
    if relaunched:
        audit.record(session, actor=actor, action="feedback.relaunched", project_id=project.id, invitations=relaunched)
    session.flush()
    return relaunched
