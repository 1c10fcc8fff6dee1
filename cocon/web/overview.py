"""The dashboard's read model: one row per visible project, computed with a few grouped queries
(never one query per project), so that a facilitator following a thousand projects still gets
the page quickly. "Charter not signed" is read from the plan: the charters service marks the
charter step done when every required signer has signed the current version.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cocon.web.access import Viewer, visibility_clause
from project_templates.schema import StepKind
from store.models import OPEN_STATUSES, OutboxMessage, OutboxState, PlanStep, Project, ProjectPhase, StepStatus
from store.plans import overdue_condition, step_title
from store.projects import template_of

PAGE_SIZE = 50


@dataclass(frozen=True)
class Milestone:
    title: str
    due: date


@dataclass(frozen=True)
class ProjectRow:
    slug: str
    name: str
    structure: str
    phase: ProjectPhase
    end: date
    next_milestone: Milestone | None
    overdue: int
    charter_unsigned: bool
    dead_notifications: int


class _Line(NamedTuple):
    id: int
    slug: str
    name: str
    structure: str
    phase: str
    end: date
    template_record_id: int


@dataclass(frozen=True)
class Overview:
    rows: list[ProjectRow]
    total: int
    page: int
    pages: int
    structures: list[str]
    overdue_total: int
    unsigned_total: int
    dead_total: int


def overview(
    session: Session,
    viewer: Viewer,
    *,
    today: date,
    structure: str | None = None,
    phase: ProjectPhase | None = None,
    page: int = 1,
    lang: str = "fr",
) -> Overview:
    """The projects a viewer sees, filtered by structure and phase, one page at a time."""
    visible = visibility_clause(viewer)
    structures = list(
        session.exec(select(Project.structure).where(visible).distinct().order_by(col(Project.structure)))
    )
    conditions = [visible]
    if structure:
        conditions.append(col(Project.structure) == structure)
    if phase:
        conditions.append(col(Project.phase) == phase)
    # Plain columns, not ORM objects: a thousand rows stay cheap.
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            Project.id,
            Project.slug,
            Project.name,
            Project.structure,
            Project.phase,
            Project.end,
            Project.template_record_id,
        )
        .where(*conditions)
        .order_by(col(Project.end), col(Project.slug))
    ).all()
    projects = [_Line(*row) for row in rows]
    ids = select(Project.id).where(*conditions)
    overdue, unsigned, dead = _flags(session, ids, today)

    def charter_pending(project_id: int, project_phase: ProjectPhase) -> bool:
        return project_id in unsigned and project_phase in (ProjectPhase.AVANT, ProjectPhase.PENDANT)

    pages = max(1, -(-len(projects) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = projects[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    milestones = _next_milestones(session, {p.id: p.template_record_id for p in shown}, lang)
    page_rows = [
        ProjectRow(
            slug=p.slug,
            name=p.name,
            structure=p.structure,
            phase=ProjectPhase(p.phase),
            end=p.end,
            next_milestone=milestones.get(p.id),
            overdue=overdue.get(p.id, 0),
            charter_unsigned=charter_pending(p.id, ProjectPhase(p.phase)),
            dead_notifications=dead.get(p.id, 0),
        )
        for p in shown
    ]
    return Overview(
        rows=page_rows,
        total=len(projects),
        page=page,
        pages=pages,
        structures=structures,
        overdue_total=sum(overdue.values()),
        unsigned_total=sum(1 for p in projects if charter_pending(p.id, ProjectPhase(p.phase))),
        dead_total=sum(dead.values()),
    )


def _flags(session: Session, ids: Any, today: date) -> tuple[dict[int, int], set[int], dict[int, int]]:
    """For the projects ``ids`` selects: overdue steps, unsigned charter, dead messages (one query each)."""
    overdue = dict(
        session.exec(
            select(PlanStep.project_id, func.count())
            .where(col(PlanStep.project_id).in_(ids), overdue_condition(today))
            .group_by(col(PlanStep.project_id))
        ).all()
    )
    unsigned = set(
        session.exec(
            select(PlanStep.project_id).where(
                col(PlanStep.project_id).in_(ids),
                PlanStep.kind == StepKind.CHARTER.value,
                PlanStep.status != StepStatus.DONE,
            )
        ).all()
    )
    dead = dict(
        session.exec(
            select(OutboxMessage.project_id, func.count())
            .where(col(OutboxMessage.project_id).in_(ids), OutboxMessage.state == OutboxState.DEAD)
            .group_by(col(OutboxMessage.project_id))
        ).all()
    )
    return overdue, unsigned, dead


def _next_milestones(session: Session, templates: dict[int, int], lang: str) -> dict[int, Milestone]:
    """The first open step of each project on the page (a window query for the whole page).

    ``templates`` maps each project id to the id of the template record it was created from.
    """
    if not templates:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=col(PlanStep.project_id), order_by=(col(PlanStep.due), col(PlanStep.position)))
        .label("rank")
    )
    ranked = (
        select(PlanStep.id, rank)
        .where(col(PlanStep.project_id).in_(list(templates)), col(PlanStep.status).in_(OPEN_STATUSES))
        .subquery()
    )
    firsts = session.exec(select(PlanStep).where(col(PlanStep.id).in_(select(ranked.c.id).where(ranked.c.rank == 1))))
    # One project per template record is enough to read the template (parsed once, then cached).
    representative: dict[int, int] = {}
    for project_id, record_id in templates.items():
        representative.setdefault(record_id, project_id)
    parsed = {}
    for record_id, project_id in representative.items():
        project = session.get(Project, project_id)
        assert project is not None
        parsed[record_id] = template_of(session, project)
    result: dict[int, Milestone] = {}
    for step in firsts:
        template = parsed[templates[step.project_id]]
        title = step_title(template.step(step.template_step).title.get(lang), step, lang)
        result[step.project_id] = Milestone(title, step.due)
    return result
