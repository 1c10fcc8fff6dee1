"""What is coming for one person: the gatherings they attend and the steps they own, soonest first.

The partner's home (``/mon-espace``) reads :func:`upcoming_for`. Who is invited to a gathering,
with its time, place and the person's answer, comes from :func:`store.gatherings.upcoming_gatherings`
(the same rule as the invitations sent); the steps a person owns come from their roles.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from store.gatherings import UpcomingGathering, upcoming_gatherings
from store.models import OPEN_STATUSES, Membership, Person, PlanStep, Project
from store.plans import step_title
from store.projects import template_of


@dataclass(frozen=True)
class AgendaItem:
    project_slug: str
    project_name: str
    key: str
    title: str
    due: date
    kind: str
    gathering: bool
    owner: bool  # the person's role owns the step: something is expected of them
    expected: str | None  # what the template says the step is about (its description or agenda)
    meeting: UpcomingGathering | None = None  # a gathering they are invited to: time, place, answer


def upcoming_for(session: Session, person: Person, *, today: date, lang: str = "fr", limit: int = 8) -> list[AgendaItem]:
    """The person's next gatherings and owned steps, in all their current projects, soonest first."""
    roles_by_project: dict[int, set[str]] = {}
    for project_id, role in session.exec(
        select(Membership.project_id, Membership.role).where(
            Membership.person_id == person.id, col(Membership.left_at).is_(None)
        )
    ):
        roles_by_project.setdefault(project_id, set()).add(role)
    if not roles_by_project:
        return []
    projects = {p.id: p for p in session.exec(select(Project).where(col(Project.id).in_(sorted(roles_by_project))))}
    steps = session.exec(
        select(PlanStep)
        .where(
            col(PlanStep.project_id).in_(sorted(roles_by_project)),
            col(PlanStep.status).in_(sorted(OPEN_STATUSES)),
            col(PlanStep.due) >= today,
        )
        .order_by(col(PlanStep.due), col(PlanStep.position))
    ).all()
    meetings = {(g.view.project.id, g.view.step.key): g for g in upcoming_gatherings(session, person, lang=lang, on=today)}
    items: list[AgendaItem] = []
    templates = {}
    for step in steps:
        project = projects[step.project_id]
        if project.template_record_id not in templates:
            templates[project.template_record_id] = template_of(session, project)
        template = templates[project.template_record_id]
        spec = template.step(step.template_step)
        owner = step.owner_role in roles_by_project[step.project_id]
        meeting = meetings.get((step.project_id, step.key))
        if not (owner or meeting):
            continue
        about = spec.description or spec.agenda
        items.append(
            AgendaItem(
                project_slug=project.slug,
                project_name=project.name,
                key=step.key,
                title=step_title(spec.title.get(lang), step, lang),
                due=step.due,
                kind=step.kind,
                gathering=meeting is not None,
                owner=owner,
                expected=about.get(lang) if about else None,
                meeting=meeting,
            )
        )
        if len(items) >= limit:
            break
    return items
