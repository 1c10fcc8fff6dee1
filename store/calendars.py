"""Calendar subscriptions: a secret ``.ics`` address per person (their gatherings and the steps
they own) and per project (the team's whole plan), which calendar applications read again by
themselves.

The address holds a 256-bit token; the store keeps its SHA-256 only. Making a new link replaces
the old one (which then answers 404), and revoking ends it. A person's feed names no one else: no
organizer, no attendees, only their project's steps and places.
"""

from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from planning.ics import IcsEvent, calendar_bytes, gathering_uid
from store import audit
from store.clock import now
from store.exceptions import CoconError, Phrase
from store.gatherings import calendar_event, gathering_views, invitees, is_gathering
from store.members import members
from store.models import CalendarFeed, Membership, Person, PlanStep, Project, StepStatus
from store.plans import plan_steps, step_title
from store.projects import template_of
from store.publication import require_public_url
from store.tokens import new_token, token_hash

#: Where a feed is served: ``{public address}/calendrier/{token}.ics``.
FEED_PATH = "/calendrier/"
FEED_SUFFIX = ".ics"


class FeedUnknown(CoconError):
    """No live calendar feed has this address."""


def _live(session: Session, *, person_id: int | None, project_id: int | None) -> list[CalendarFeed]:
    query = select(CalendarFeed).where(col(CalendarFeed.revoked_at).is_(None))
    if person_id is not None:
        query = query.where(CalendarFeed.person_id == person_id)
    else:
        query = query.where(col(CalendarFeed.person_id).is_(None), CalendarFeed.project_id == project_id)
    return list(session.exec(query))


def revoke_feed(session: Session, *, person: Person | None = None, project: Project | None = None, actor: str) -> int:
    """End a person's feed (``person``) or a project's team feed (``project`` alone); returns how many."""
    person_id = person.id if person is not None else None
    project_id = project.id if project is not None and person is None else None
    ended = 0
    for feed in _live(session, person_id=person_id, project_id=project_id):
        feed.revoked_at = now()
        session.add(feed)
        ended += 1
    if ended:
        audit.record(session, actor=actor, action="calendar.revoked", person_id=person_id,
                     project_id=project.id if project is not None else None)
    session.flush()
    return ended


def create_feed(session: Session, *, person: Person | None = None, project: Project | None = None, actor: str) -> str:
    """A new feed address (the previous one of the same person or team stops working); returns
    its token, shown once: the store keeps its hash only."""
    if person is None and project is None:
        raise ValueError("a feed is a person's or a project's")
    revoke_feed(session, person=person, project=project, actor=actor)
    token = new_token()
    session.add(CalendarFeed(
        token_hash=token_hash(token),
        person_id=person.id if person is not None else None,
        project_id=project.id if project is not None else None,
        created_by=actor,
    ))
    audit.record(session, actor=actor, action="calendar.link", person_id=person.id if person is not None else None,
                 project_id=project.id if project is not None else None)
    session.flush()
    return token


def feed_url(session: Session, token: str) -> str:
    """The https address to paste into a calendar application (without a public address, a refusal
    the face writes in the reader's language)."""
    what = Phrase("error.what.calendar_link")
    return f"{require_public_url(session, what)}{FEED_PATH}{token}{FEED_SUFFIX}"


def has_live_feed(session: Session, *, person: Person | None = None, project: Project | None = None) -> bool:
    person_id = person.id if person is not None else None
    project_id = project.id if project is not None and person is None else None
    return bool(_live(session, person_id=person_id, project_id=project_id))


def feed_of(session: Session, token: str) -> CalendarFeed:
    """The live feed of this token, else :class:`FeedUnknown`."""
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token))).first() if 20 <= len(token) <= 100 else None
    if feed is None or feed.revoked_at is not None:
        raise FeedUnknown("error.store.feed_unknown")
    return feed


@dataclass(frozen=True)
class _Part:
    project: Project
    steps: list[PlanStep]


def _events(session: Session, project: Project, steps: list[PlanStep], lang: str) -> list[IcsEvent]:
    """Gatherings as timed events (no organizer, no attendees), other steps as all-day items."""
    template = template_of(session, project)
    events: list[IcsEvent] = []
    for view in gathering_views(session, project, steps, lang):
        agenda = template.step(view.step.template_step).agenda
        events.append(calendar_event(view, description=agenda.get(lang) if agenda else ""))
    for step in steps:
        if is_gathering(step):
            continue
        title = step_title(template.step(step.template_step).title.get(lang), step, lang)
        events.append(IcsEvent(uid=gathering_uid(project.slug, step.key), day=step.due, title=f"{title} — {project.name}"))
    events.sort(key=lambda e: (e.day, e.uid))
    return events


def with_gathering_times(session: Session, project: Project, events: list[IcsEvent], lang: str = "fr") -> list[IcsEvent]:
    """A plan's all-day events, its gatherings given their time, place and SEQUENCE (same UIDs)."""
    steps = {gathering_uid(project.slug, s.key): s for s in plan_steps(session, project)}
    views = {view.uid: view for view in gathering_views(session, project, list(steps.values()), lang)}
    result = []
    for event in events:
        view = views.get(event.uid)
        if view is not None:
            where = view.where
            event = replace(event, start=where.start, minutes=where.minutes, location=where.location(),
                            url=where.video, sequence=view.sequence)
        result.append(event)
    return result


def _open(steps: list[PlanStep]) -> list[PlanStep]:
    return [s for s in steps if s.status != StepStatus.SKIPPED]


def person_parts(session: Session, person: Person) -> list[_Part]:
    """A person's steps: the gatherings they are invited to and the steps of the roles they hold."""
    project_ids = sorted(set(session.exec(
        select(Membership.project_id).where(Membership.person_id == person.id, col(Membership.left_at).is_(None))
    )))
    parts = []
    for project_id in project_ids:
        project = session.get(Project, project_id)
        if project is None:
            continue
        team, template = members(session, project), template_of(session, project)
        roles = {m.role for p, m in team if p.id == person.id}
        chosen = []
        for step in _open(plan_steps(session, project)):
            if step.owner_role in roles or (
                is_gathering(step)
                and any(p.id == person.id for p in invitees(session, project, step, template=template, team=team))
            ):
                chosen.append(step)
        parts.append(_Part(project, chosen))
    return parts


def feed_calendar(session: Session, feed: CalendarFeed, lang: str = "fr") -> bytes:
    """The feed's calendar: a person's own steps and gatherings, or the team's whole plan."""
    if feed.person_id is not None:
        person = session.get(Person, feed.person_id)
        if person is None:
            raise FeedUnknown("error.store.feed_unknown")
        lang = "en" if person.language == "en" else "fr"
        parts = person_parts(session, person)
        name = "Cocon — mes rencontres" if lang == "fr" else "Cocon — my gatherings"
    else:
        project = session.get(Project, feed.project_id)
        if project is None:
            raise FeedUnknown("error.store.feed_unknown")
        lang = "en" if project.language == "en" else "fr"
        parts = [_Part(project, _open(plan_steps(session, project)))]
        name = f"Cocon — {project.name}"
    events = [event for part in parts for event in _events(session, part.project, part.steps, lang)]
    return calendar_bytes(name, events, stamp=now(), subscription=True)
