"""Read what the planner needs from the store, in a few queries for all projects at once."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, cast, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from notifications.planner import CATCH_UP_DAYS, PersonView, ProjectView, StepView, horizon
from planning.calendar import HolidayZone
from project_templates.schema import ProjectTemplate
from store.clock import PARIS
from store.models import (
    CharterSignature,
    CharterVersion,
    Membership,
    Person,
    PlanStep,
    Project,
    ProjectPhase,
    ReminderStop,
    StepStatus,
)
from store.projects import template_of

_FINISHED = frozenset({StepStatus.DONE, StepStatus.SKIPPED})


def signed_people(session: Session, project_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Per project, who has signed the current version of its charter (in any language)."""
    ids = list(project_ids)
    if not ids:
        return {}
    versions = session.exec(
        select(CharterVersion.id, CharterVersion.project_id, CharterVersion.language, CharterVersion.number).where(
            col(CharterVersion.project_id).in_(ids)
        )
    ).all()
    latest: dict[tuple[int, str], tuple[int, int]] = {}
    for version_id, project_id, language, number in versions:
        key = (project_id, language)
        if key not in latest or number > latest[key][0]:
            latest[key] = (number, version_id or 0)
    project_of = {version_id: project_id for (project_id, _), (_, version_id) in latest.items()}
    if not project_of:
        return {}
    signed: dict[int, set[int]] = defaultdict(set)
    for version_id, person_id in session.exec(
        select(CharterSignature.version_id, CharterSignature.person_id).where(
            col(CharterSignature.version_id).in_(list(project_of))
        )
    ):
        signed[project_of[version_id]].add(person_id)
    return {project_id: frozenset(people) for project_id, people in signed.items()}


def load_projects(
    session: Session, *, email_enabled: bool, today: date, shard: tuple[int, int] | None = None
) -> list[ProjectView]:
    """Every open project as the planner sees it on ``today``: only the steps that may yield a
    reminder around that day are read (the planner's horizon). ``shard=(k, n)`` keeps the projects
    whose id is ``k`` modulo ``n`` (one of ``n`` workers' share of a cycle)."""
    projects = _project_rows(session, today, shard)
    if not projects:
        return []
    ids = [p[0] for p in projects if p[0] is not None]
    templates = _templates(session, dict.fromkeys(record_id for _, record_id, _, _, _ in projects))
    steps = _steps(session, ids, templates.values(), today)
    members = _members(session, ids, email_enabled=email_enabled, today=today)
    signed = signed_people(session, ids)
    return [
        ProjectView(
            id=project_id or 0,
            template=templates[record_id],
            phase=ProjectPhase(phase),
            phase_changed_on=_local_day(changed),
            steps=tuple(steps.get(project_id or 0, ())),
            people=tuple(sorted(members.get(project_id or 0, ()), key=lambda p: p.id)),
            signed=signed.get(project_id or 0, frozenset()),
            zone=HolidayZone(zone),
        )
        for project_id, record_id, phase, changed, zone in projects
    ]


_ProjectRow = tuple[int | None, int, str, datetime | None, str]


def _project_rows(session: Session, today: date, shard: tuple[int, int] | None) -> list[_ProjectRow]:
    """(id, template record, phase, phase changed at, holiday zone) of the projects to plan, by id."""
    # Closed projects are read only while their "project closed" notice can still be due.
    closed_since = datetime.combine(today, time(0), tzinfo=PARIS) - timedelta(days=CATCH_UP_DAYS + 1)
    project_query = sa_select(
        col(Project.id), col(Project.template_record_id), col(Project.phase), col(Project.phase_changed_at),
        col(Project.holiday_zone),
    ).where(
        or_(col(Project.phase) != ProjectPhase.CLOS, col(Project.phase_changed_at) >= closed_since)
    )
    if shard is not None:
        project_query = project_query.where(col(Project.id) % shard[1] == shard[0])
    return list(session.execute(project_query.order_by(col(Project.id))).tuples())


def _templates(session: Session, record_ids: Iterable[int]) -> dict[int, ProjectTemplate]:
    """One template per distinct record, not per project."""
    templates: dict[int, ProjectTemplate] = {}
    for record_id in record_ids:
        first = session.exec(select(Project).where(Project.template_record_id == record_id).limit(1)).one()
        templates[record_id] = template_of(session, first)
    return templates


def _steps(
    session: Session, ids: list[int], templates: Iterable[ProjectTemplate], today: date
) -> dict[int, list[StepView]]:
    """Per project, its steps not skipped whose due date lies within the planner's horizon."""
    query = sa_select(
        col(PlanStep.project_id),
        col(PlanStep.key),
        col(PlanStep.template_step),
        col(PlanStep.kind),
        col(PlanStep.owner_role),
        col(PlanStep.due),
        cast(col(PlanStep.status), String),  # the raw value: no enum conversion per row
        col(PlanStep.note),
    ).where(col(PlanStep.project_id).in_(ids), col(PlanStep.status) != StepStatus.SKIPPED)
    bounds = [horizon(t) for t in templates]
    lead, lag = max(b[0] for b in bounds), max(b[1] for b in bounds)
    query = query.where(col(PlanStep.due).between(today - timedelta(days=lag), today + timedelta(days=lead)))
    finished = {s.name for s in _FINISHED} | {s.value for s in _FINISHED}  # stored by name or value
    steps: dict[int, list[StepView]] = defaultdict(list)
    for project_id, key, template_step, kind, owner_role, due, status, note in session.execute(query):
        steps[project_id].append(
            StepView(key, template_step, kind, owner_role, due, status in finished, bool(note and note.strip()), False)
        )
    return steps


def _members(session: Session, ids: list[int], *, email_enabled: bool, today: date) -> dict[int, list[PersonView]]:
    """Per project, its current members with their roles and whether they may be contacted."""
    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    people: dict[int, tuple[bool, bool, bool]] = {}
    for project_id, role, person_id, email, apprise_url, paused, paused_until, opted_out in session.execute(
        sa_select(
            col(Membership.project_id),
            col(Membership.role),
            col(Person.id),
            col(Person.email),
            col(Person.apprise_url),
            col(Person.paused),
            col(Person.paused_until),
            col(Person.opted_out),
        )
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(col(Membership.project_id).in_(ids), col(Membership.left_at).is_(None))
    ):
        assert person_id is not None
        roles[(project_id, person_id)].add(role)
        # a pause with an end date is over the day after it (nothing needs to switch it off)
        in_pause = bool(paused) and (paused_until is None or today <= paused_until)
        people[person_id] = (bool((email and email_enabled) or apprise_url), in_pause, opted_out)
    stopped = {
        (project_id, person_id)
        for project_id, person_id in session.execute(
            sa_select(col(ReminderStop.project_id), col(ReminderStop.person_id)).where(
                col(ReminderStop.project_id).in_(ids)
            )
        )
    }
    members: dict[int, list[PersonView]] = defaultdict(list)
    for (project_id, person_id), person_roles in roles.items():
        reachable, paused, opted_out = people[person_id]
        opted_out = opted_out or (project_id, person_id) in stopped
        members[project_id].append(PersonView(person_id, frozenset(person_roles), reachable, paused, opted_out))
    return members


def _local_day(changed: datetime | None) -> date | None:
    return changed.astimezone(PARIS).date() if changed is not None else None
