"""Gatherings: when and where (template default, changed per occurrence), their calendar event,
who is invited and who answered "je viens / je ne viens pas".

Used alike by the CLI (``cocon step where|answers``), the web pages, the invitations of
:mod:`notifications.envelopes` and the calendar feeds of :mod:`store.calendars`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from planning.ics import Attendee, IcsEvent, gathering_uid
from project_templates.phrases import sentence
from project_templates.schema import (
    EVERYONE,
    GATHERING_KINDS,
    ProjectTemplate,
    check_video_url,
    parse_clock,
    parse_span,
)
from store import audit
from store.clock import now, today
from store.exceptions import CoconError, InvalidInput, Phrase
from store.limits import check_length
from store.members import members
from store.models import (
    AnswerLink,
    GatheringAnswer,
    GatheringDetails,
    Membership,
    Person,
    PlanChange,
    PlanStep,
    Project,
    StepStatus,
)
from store.plans import get_step, step_title
from store.projects import template_of
from store.tokens import new_token, token_hash

_GATHERING_KINDS = frozenset(kind.value for kind in GATHERING_KINDS)
#: How long the links of an invitation stay good after it was sent.
ANSWER_LINK_LIFETIME = timedelta(days=180)
#: Where the answer links of an invitation lead.
ANSWER_PATH = "/reponse/"
YES, NO = "oui", "non"

Via = Literal["email", "page", "coordination"]


class NotAGathering(InvalidInput):
    """The step is not a gathering: it has no time, no place, no invitees."""


class AnswerLinkUnusable(CoconError):
    """The answer link is unknown or has expired."""


@dataclass(frozen=True)
class Where:
    """When and where a gathering takes place (``start`` None: the day only)."""

    start: time | None
    minutes: int
    place: str | None
    video: str | None

    def location(self) -> str | None:
        """What goes in a calendar's LOCATION: the address, else the video link."""
        return self.place or self.video


@dataclass(frozen=True)
class GatheringView:
    """One gathering as people see it."""

    project: Project
    step: PlanStep
    title: str
    where: Where
    sequence: int

    @property
    def day(self) -> date:
        return self.step.due

    @property
    def uid(self) -> str:
        return gathering_uid(self.project.slug, self.step.key)


def is_gathering(step: PlanStep) -> bool:
    return step.kind in _GATHERING_KINDS


def gathering_step(session: Session, project: Project, key: str) -> PlanStep:
    """The plan step ``key`` if it is a gathering, else one sentence saying which steps are."""
    step = get_step(session, project, key)
    if not is_gathering(step):
        raise NotAGathering("error.store.not_a_gathering", step=key)
    return step


def _details(session: Session, project_id: int, keys: Iterable[str]) -> dict[str, GatheringDetails]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = session.exec(
        select(GatheringDetails).where(GatheringDetails.project_id == project_id, col(GatheringDetails.step_key).in_(wanted))
    )
    return {row.step_key: row for row in rows}


def _moves(session: Session, project_id: int, keys: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = session.exec(
        select(PlanChange.step_key, func.count())
        .where(PlanChange.project_id == project_id, col(PlanChange.step_key).in_(wanted))
        .group_by(col(PlanChange.step_key))
    )
    return {key: int(count) for key, count in rows}


def gathering_views(session: Session, project: Project, steps: Iterable[PlanStep], lang: str = "fr") -> list[GatheringView]:
    """The gatherings among ``steps``, each with its time, place and calendar SEQUENCE (few queries)."""
    chosen = [s for s in steps if is_gathering(s)]
    if not chosen or project.id is None:
        return []
    template = template_of(session, project)
    details = _details(session, project.id, (s.key for s in chosen))
    moves = _moves(session, project.id, (s.key for s in chosen))
    views = []
    for step in chosen:
        declared = template.step(step.template_step)
        spec = declared.gathering
        own = details.get(step.key)
        start_text = own.start_time if own is not None else (spec.time if spec else None)
        where = Where(
            start=time.fromisoformat(start_text) if start_text else None,
            minutes=(own.minutes if own is not None and own.minutes else None) or (spec.minutes if spec else 120),
            place=own.place if own is not None else (spec.place if spec else None),
            video=own.video_url if own is not None else (spec.video if spec else None),
        )
        sequence = moves.get(step.key, 0) + (own.revision if own is not None else 0)
        views.append(GatheringView(project, step, step_title(declared.title.get(lang), step, lang), where, sequence))
    return views


def gathering_view(session: Session, project: Project, key: str, lang: str = "fr") -> GatheringView:
    return gathering_views(session, project, [gathering_step(session, project, key)], lang)[0]


_KEEP = object()


def set_where(
    session: Session,
    project: Project,
    key: str,
    *,
    actor: str,
    start: str | object | None = _KEEP,
    duration: str | object | None = _KEEP,
    place: str | object | None = _KEEP,
    video: str | object | None = _KEEP,
) -> GatheringView:
    """Change one occurrence's time, duration, place or video link (what is not given stays).

    ``start`` ``""`` or ``None`` makes it an all-day gathering again; ``place``/``video`` ``""``
    or ``None`` removes them. Each change bumps the calendar SEQUENCE, so that invitees' calendars
    take the new version (:mod:`notifications.gatherings` sends it).
    """
    step = gathering_step(session, project, key)
    if step.status in (StepStatus.DONE, StepStatus.SKIPPED):
        raise InvalidInput("error.store.gathering_finished", step=key)
    current = gathering_view(session, project, key).where
    new_start, new_minutes, new_place, new_video = current.start, current.minutes, current.place, current.video
    try:
        if start is not _KEEP:
            new_start = time.fromisoformat(parse_clock(start)) if start else None
        if duration is not _KEEP and duration:
            new_minutes = parse_span(duration)
        if video is not _KEEP:
            new_video = check_video_url(str(video)) if video else None
    except ValueError as error:
        raise InvalidInput("error.store.gathering_value", problem=sentence(error)) from None
    if place is not _KEEP:
        text = str(place).strip() if place else ""
        check_length(text, field=Phrase("error.field.place"), limit=300)
        new_place = " ".join(text.split()) or None
    if (new_start, new_minutes, new_place, new_video) == (current.start, current.minutes, current.place, current.video):
        return gathering_view(session, project, key)
    row = _details(session, project.id or 0, [key]).get(key) or GatheringDetails(
        project_id=project.id or 0, step_key=key, changed_by=actor
    )
    row.start_time = new_start.strftime("%H:%M") if new_start else None
    row.minutes = new_minutes
    row.place = new_place
    row.video_url = new_video
    row.revision += 1
    row.changed_by, row.changed_at = actor, now()
    session.add(row)
    audit.record(session, actor=actor, action="gathering.where", project_id=project.id, step=key,
                 start=row.start_time, minutes=new_minutes, revision=row.revision)
    session.flush()
    return gathering_view(session, project, key)


def calendar_event(
    view: GatheringView,
    *,
    description: str = "",
    organizer: Attendee | None = None,
    attendee: Attendee | None = None,
    cancelled: bool = False,
) -> IcsEvent:
    """The gathering as a calendar event (timed in Europe/Paris when it has a start time)."""
    where = view.where
    return IcsEvent(
        uid=view.uid,
        day=view.day,
        title=f"{view.title} — {view.project.name}",
        description=description,
        start=where.start,
        minutes=where.minutes,
        location=where.location(),
        url=where.video,
        sequence=view.sequence,
        organizer=organizer,
        attendee=attendee,
        cancelled=cancelled,
    )


# --- who is invited, who comes ---------------------------------------------------------------


def invitees(
    session: Session,
    project: Project,
    step: PlanStep,
    *,
    template: ProjectTemplate | None = None,
    team: list[tuple[Person, Membership]] | None = None,
) -> list[Person]:
    """Who a gathering invites: its owners and participants (each once), as the reminders do.
    ``template`` and ``team`` (the members) save reading them again for each step."""
    declared = (template or template_of(session, project)).step(step.template_step)
    wanted = {step.owner_role, *declared.participants}
    found: dict[int, Person] = {}
    for person, membership in members(session, project) if team is None else team:
        if person.id is not None and (EVERYONE in wanted or membership.role in wanted):
            found.setdefault(person.id, person)
    return list(found.values())


def record_answer(
    session: Session, project: Project, step_key: str, person: Person, *, coming: bool, via: Via, actor: str
) -> GatheringAnswer:
    """Keep a person's answer (the last one counts)."""
    step = gathering_step(session, project, step_key)
    row = session.exec(
        select(GatheringAnswer).where(
            GatheringAnswer.project_id == project.id, GatheringAnswer.step_key == step.key, GatheringAnswer.person_id == person.id
        )
    ).first()
    row = row or GatheringAnswer(project_id=project.id or 0, step_key=step.key, person_id=person.id or 0, coming=coming, via=via)
    row.coming, row.via, row.answered_at = coming, via, now()
    session.add(row)
    audit.record(session, actor=actor, action="gathering.answer", project_id=project.id, person_id=person.id,
                 step=step.key, coming=coming, via=via)
    session.flush()
    return row


@dataclass(frozen=True)
class AnswerRow:
    person: Person
    coming: bool | None  # None: no answer yet
    answered_at: datetime | None


@dataclass(frozen=True)
class Answers:
    """Who comes to a gathering: every invitee with their answer."""

    view: GatheringView
    rows: list[AnswerRow]

    @property
    def coming(self) -> list[Person]:
        return [r.person for r in self.rows if r.coming is True]

    @property
    def not_coming(self) -> list[Person]:
        return [r.person for r in self.rows if r.coming is False]

    @property
    def silent(self) -> list[Person]:
        return [r.person for r in self.rows if r.coming is None]


def attendance_answers(session: Session, project: Project, step_key: str, lang: str = "fr") -> Answers:
    """Every invitee of a gathering with their answer, for the coordination."""
    view = gathering_view(session, project, step_key, lang)
    given = {
        row.person_id: row
        for row in session.exec(
            select(GatheringAnswer).where(GatheringAnswer.project_id == project.id, GatheringAnswer.step_key == view.step.key)
        )
    }
    rows = []
    for person in invitees(session, project, view.step):
        answer = given.get(person.id or 0)
        rows.append(AnswerRow(person, answer.coming if answer else None, answer.answered_at if answer else None))
    return Answers(view, rows)


def answer_of(session: Session, project_id: int, step_key: str, person_id: int) -> bool | None:
    row = session.exec(
        select(GatheringAnswer).where(
            GatheringAnswer.project_id == project_id, GatheringAnswer.step_key == step_key, GatheringAnswer.person_id == person_id
        )
    ).first()
    return row.coming if row else None


# --- answer links ------------------------------------------------------------------------------


def create_answer_link(session: Session, *, project_id: int, step_key: str, person_id: int) -> str:
    """A new secret for an invitation's two links (``…/oui`` and ``…/non``); the store keeps its hash."""
    token = new_token()
    session.add(AnswerLink(token_hash=token_hash(token), project_id=project_id, step_key=step_key, person_id=person_id,
                           expires_at=now() + ANSWER_LINK_LIFETIME))
    session.flush()
    return token


@dataclass(frozen=True)
class AnswerTarget:
    """What an answer link is good for: one person, one gathering."""

    person: Person
    project: Project
    step: PlanStep


def answer_link(session: Session, token: str) -> AnswerTarget:
    """The person and gathering of a live answer link, else :class:`AnswerLinkUnusable`."""
    if not 20 <= len(token) <= 100:
        raise AnswerLinkUnusable("error.store.answer_link_unusable")
    link = session.exec(select(AnswerLink).where(AnswerLink.token_hash == token_hash(token))).first()
    if link is None or link.expires_at <= now():
        raise AnswerLinkUnusable("error.store.answer_link_unusable")
    person = session.get(Person, link.person_id)
    project = session.get(Project, link.project_id)
    step = session.exec(
        select(PlanStep).where(PlanStep.project_id == link.project_id, PlanStep.key == link.step_key)
    ).first()
    if person is None or project is None or step is None:
        raise AnswerLinkUnusable("error.store.answer_link_unusable")
    return AnswerTarget(person, project, step)


def answer_from_link(session: Session, token: str, *, coming: bool) -> AnswerTarget:
    """Record the answer given by tapping a link of the invitation email."""
    target = answer_link(session, token)
    record_answer(session, target.project, target.step.key, target.person, coming=coming, via="email",
                  actor=f"person:{target.person.id}")
    return target


# --- a person's next gatherings --------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingGathering:
    """A gathering a person is invited to, with their answer (for their home page)."""

    view: GatheringView
    answer: bool | None


def upcoming_gatherings(session: Session, person: Person, *, lang: str = "fr", on: date | None = None) -> list[UpcomingGathering]:
    """The gatherings ``person`` is invited to from ``on`` (default today), soonest first."""
    first = on or today()
    project_ids = sorted(set(session.exec(
        select(Membership.project_id).where(Membership.person_id == person.id, col(Membership.left_at).is_(None))
    )))
    found: list[UpcomingGathering] = []
    for project_id in project_ids:
        project = session.get(Project, project_id)
        if project is None:
            continue
        steps = session.exec(
            select(PlanStep).where(
                PlanStep.project_id == project_id,
                col(PlanStep.due) >= first,
                col(PlanStep.status).in_([StepStatus.PLANNED, StepStatus.IN_PROGRESS]),
            )
        ).all()
        template, team = template_of(session, project), members(session, project)
        mine = [
            s for s in steps
            if is_gathering(s) and any(p.id == person.id for p in invitees(session, project, s, template=template, team=team))
        ]
        answers = {
            row.step_key: row.coming
            for row in session.exec(
                select(GatheringAnswer).where(GatheringAnswer.project_id == project_id, GatheringAnswer.person_id == person.id)
            )
        }
        for view in gathering_views(session, project, mine, lang):
            found.append(UpcomingGathering(view, answers.get(view.step.key)))
    found.sort(key=lambda g: (g.view.day, g.view.where.start or time(0), g.view.project.name))
    return found

