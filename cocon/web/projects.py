"""Nouveau projet and the project's overview: creating a project, what to do next, the phase.

Every action calls the store or a service; an error they raise (a :class:`CoconError`, one
French sentence) is shown on the page, with status 400, above the form that caused it.
"""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web.access import Viewer, managed_project, may_manage, visible_project
from cocon.web.pages import DB, LoggedIn, language_of, redirect, render, said
from cocon.web.project_frame import parse_date, project_page, refused, reloaded
from evaluation.indicators import record_value
from notifications.queue import dead_messages
from planning.calendar import HolidayZone
from project_templates import LoadedTemplate, builtin_templates
from project_templates.phases import NEXT_PHASE
from project_templates.schema import StepKind
from store.clock import today
from store.exceptions import CoconError, InvalidInput, Phrase
from store.models import OPEN_STATUSES, PlanStep, Project, ProjectPhase, StepStatus
from store.people import add_person, role_coverage
from store.phases import advance_phase, gate_problems
from store.plans import is_overdue, plan_steps, step_title
from store.projects import create_project, describe_dates, structures_of, template_of

router = APIRouter()



# --- creating a project -----------------------------------------------------------------------


def _builtin(template_id: str) -> LoadedTemplate:
    """Only the built-in templates are offered on the web (a path would read the server's files)."""
    for loaded in builtin_templates():
        if loaded.template.id == template_id:
            return loaded
    raise InvalidInput("error.web.choose_template")


@router.get("/projets/nouveau")
def new_project_form(request: Request, viewer: LoggedIn, modele: str = "") -> Response:
    return _new_project_page(request, viewer, chosen=modele)


def _new_project_page(
    request: Request,
    viewer: Viewer,
    *,
    chosen: str,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if not viewer.can_create_projects:
        raise HTTPException(status_code=403)
    templates = builtin_templates()
    selected = next((t for t in templates if t.template.id == chosen), None)
    return render(
        request,
        "new_project.html",
        viewer,
        title_key="new_project_title",
        status_code=status_code,
        templates=templates,
        selected=selected,
        error=error,
        values=values
        or {"name": "", "structure": (viewer.structures or [""])[0], "start": today().isoformat(), "end": ""},
    )


@router.post("/projets/nouveau")
def create_project_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    template: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    structure: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    alsace_moselle: Annotated[str, Form()] = "",
) -> Response:
    if not viewer.can_create_projects:
        raise HTTPException(status_code=403)
    values = {"name": name, "structure": structure, "start": start, "end": end, "alsace_moselle": alsace_moselle}
    try:
        loaded = _builtin(template)
        project = create_project(
            session,
            loaded=loaded,
            name=name,
            structure=structure,
            start=parse_date(start, Phrase("error.field.start")) if start.strip() else None,
            end=parse_date(end, Phrase("error.field.end")),
            actor=viewer.actor,
            allowed_structures=structures_of(session, viewer.person_id),
            holiday_zone=HolidayZone.ALSACE_MOSELLE if alsace_moselle else HolidayZone.METROPOLE,
        )
        coordinating = loaded.template.coordinator_roles()
        if coordinating and viewer.person.email:
            add_person(
                session,
                project,
                name=viewer.person.name,
                role=coordinating[0],
                email=viewer.person.email,
                language=viewer.person.language,
                actor=viewer.actor,
            )
    except CoconError as error:
        session.rollback()
        return _new_project_page(request, viewer, chosen=template, error=said(error, request), values=values, status_code=400)
    return redirect(request, f"/projets/{project.slug}?ok=created")


# --- the overview -----------------------------------------------------------------------------

#: Where each kind of step is done, and the words of the link that goes there.
KIND_PAGES: dict[str, tuple[str, str]] = {
    StepKind.CHARTER: ("/charte", "go_charter"),
    StepKind.MEETING: ("/points-etape", "go_checkpoints"),
    StepKind.CHECKPOINT: ("/points-etape", "go_checkpoints"),
    StepKind.CONVIVIALITY: ("/points-etape", "go_checkpoints"),
    StepKind.INDICATORS: ("/indicateurs", "go_indicators"),
    StepKind.FEEDBACK: ("/questionnaire", "go_questionnaire"),
    StepKind.EVALUATION: ("/evaluation", "go_evaluation"),
    StepKind.RESTITUTION: ("/evaluation", "go_evaluation"),
    StepKind.THANKS: ("/evaluation", "go_evaluation"),
}
#: Steps done by hand on the plan page (mapping the actors, tasks).
PLAN_PAGE = ("/planning", "go_plan")
#: How many coming steps the overview names.
NEXT_COUNT = 3


@dataclass(frozen=True)
class ToDo:
    """One step to act on, in words: its title, its date, and the page where it is done."""

    title: str
    due: date
    late: bool
    href: str
    link_key: str


def _todo(project: Project, step: PlanStep, title: str, on: date) -> ToDo:
    path, link_key = KIND_PAGES.get(step.kind, PLAN_PAGE)
    return ToDo(title, step.due, is_overdue(step, on), f"/projets/{project.slug}{path}", link_key)


def _overview_context(session: Session, viewer: Viewer, project: Project, lang: str) -> dict[str, Any]:
    template = template_of(session, project)
    steps = plan_steps(session, project)
    names = {s.key: step_title(template.step(s.template_step).title.get(lang), s, lang) for s in steps}
    on = today()
    open_steps = sorted((s for s in steps if s.status in OPEN_STATUSES), key=lambda s: (s.due, s.id or 0))
    late = [_todo(project, s, names[s.key], on) for s in open_steps if is_overdue(s, on)]
    coming = [_todo(project, s, names[s.key], on) for s in open_steps if not is_overdue(s, on)][:NEXT_COUNT]
    manager = may_manage(session, viewer, project)
    return {
        "tpl": template,
        "dates": describe_dates(project, lang),
        "done_count": sum(1 for s in steps if s.status in (StepStatus.DONE, StepStatus.SKIPPED)),
        "step_count": len(steps),
        "late": late,
        "coming": coming,
        "missing_roles": [c for c in role_coverage(session, project, lang) if c.missing],
        "gate": gate_problems(session, project, lang) if project.phase != ProjectPhase.CLOS else [],
        "closed": project.phase == ProjectPhase.CLOS,
        "next_phase": NEXT_PHASE.get(project.phase),
        "undelivered": len(dead_messages(session, project)) if manager else 0,
    }


def show_overview(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None
) -> Response:
    context = _overview_context(session, viewer, project, language_of(request))
    return project_page(
        request, session, viewer, project, "project.html", section="overview", error=error,
        status_code=400 if error else 200, **context,
    )


@router.get("/projets/{slug}")
def project_page_route(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return show_overview(request, session, viewer, visible_project(session, viewer, slug))


@router.post("/projets/{slug}/phase")
def advance_phase_action(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        advance_phase(session, project, actor=viewer.actor, lang=language_of(request))
    except CoconError as error:
        return show_overview(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}?ok=phase")


@router.post("/projets/{slug}/indicateurs")
def record_indicator_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    code: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        try:
            number = float(value.replace(",", ".")) if value.strip() else None
        except ValueError:
            raise InvalidInput("error.web.unreadable_value", value=value) from None
        record_value(session, project, code, number, actor=viewer.actor, note=note.strip() or None)
    except CoconError as error:
        return show_overview(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}/indicateurs?ok=indicator")
