"""Planning: the timeline, moving a step (its dependents follow), a step's state (start, done,
skip, reopen — as ``cocon step``), the plan's history and its calendar file.

Every action calls :mod:`store.plans`, the service ``cocon plan`` and ``cocon step`` call.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web.access import Viewer, managed_project, visible_project
from cocon.web.pages import DB, LoggedIn, language_of, redirect
from cocon.web.project_frame import parse_date, project_page, refused, reloaded
from cocon.web.timeline import TimelineRow, timeline_svg
from project_templates.schema import GATHERING_KINDS
from store.clock import today
from store.exceptions import CoconError, InvalidInput, Phrase
from store.models import OPEN_STATUSES, PlanChange, Project, StepStatus
from store.plan_calendar import plan_ics
from store.plans import (
    is_overdue,
    mark_done,
    move_step,
    plan_changes,
    plan_steps,
    set_status,
    status_label,
    step_title,
)
from store.projects import template_of

router = APIRouter()

#: The state changes offered on the page, as ``cocon step start|done|skip|reopen``, and the
#: confirmation each one shows.
STATE_ACTIONS: dict[str, tuple[StepStatus, str]] = {
    "start": (StepStatus.IN_PROGRESS, "started"),
    "done": (StepStatus.DONE, "done"),
    "skip": (StepStatus.SKIPPED, "skipped"),
    "reopen": (StepStatus.PLANNED, "reopened"),
}


def last_move(changes: Sequence[PlanChange]) -> list[PlanChange]:
    """The rows written by the latest move: the step moved and the dependents that followed it."""
    if not changes:
        return []
    latest = changes[-1]
    group: list[PlanChange] = []
    for change in reversed(changes):
        same = (change.moved_step, change.reason, change.changed_by) == (
            latest.moved_step, latest.reason, latest.changed_by
        )
        if not same:
            break
        group.append(change)
    return list(reversed(group))


def _plan_context(session: Session, project: Project, lang: str) -> dict[str, Any]:
    steps = plan_steps(session, project)
    template = template_of(session, project)
    names = {s.key: step_title(template.step(s.template_step).title.get(lang), s, lang) for s in steps}
    on = today()
    rows = [TimelineRow(names[s.key], s.phase, s.due, s.baseline_due, StepStatus(s.status)) for s in steps]
    changes = plan_changes(session, project)
    return {
        "steps": steps,
        "titles": names,
        "late_keys": {s.key for s in steps if is_overdue(s, on)},
        "status_labels": {s: status_label(s, lang) for s in StepStatus},
        "timeline": timeline_svg(rows, start=project.start, end=project.end, today=on, lang=lang),
        "open_steps": [s for s in steps if s.status in OPEN_STATUSES],
        "gathering_steps": [s for s in steps if s.kind in GATHERING_KINDS and s.status in OPEN_STATUSES],
        "changes": changes,
        "last_move": last_move(changes),
    }


def show_plan(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None
) -> Response:
    context = _plan_context(session, project, language_of(request))
    if request.query_params.get("ok") != "moved":  # the box answers a move, not any other action
        context["last_move"] = []
    return project_page(
        request, session, viewer, project, "project_plan.html", section="plan", error=error,
        status_code=400 if error else 200, **context,
    )


@router.get("/projets/{slug}/planning")
def plan_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return show_plan(request, session, viewer, visible_project(session, viewer, slug))


@router.get("/projets/{slug}/planning.ics")
def plan_calendar(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    """The plan as a calendar file to import (one all-day event per step)."""
    project = visible_project(session, viewer, slug)
    return Response(
        plan_ics(session, project, language_of(request)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{project.slug}.ics"', "Cache-Control": "no-store"},
    )


@router.post("/projets/{slug}/etapes/deplacer")
def move_step_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    step: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        moved = move_step(session, project, step, parse_date(to, Phrase("error.field.new_date")), reason=reason, actor=viewer.actor)
    except CoconError as error:
        return show_plan(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}/planning?ok={'moved' if moved else 'not_moved'}")


@router.post("/projets/{slug}/etapes/terminer")
def mark_done_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    step: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        mark_done(session, project, step, actor=viewer.actor, note=note.strip() or None, by_hand=True)
    except CoconError as error:
        return show_plan(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}/planning?ok=done")


@router.post("/projets/{slug}/etapes/etat")
def step_state_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    step: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Start, finish, skip or reopen a step, along the transitions the store allows."""
    project = managed_project(session, viewer, slug)
    try:
        if action not in STATE_ACTIONS:
            raise InvalidInput("error.web.step_action")
        status, done_key = STATE_ACTIONS[action]
        set_status(session, project, step, status, actor=viewer.actor, note=note.strip() or None, by_hand=True)
    except CoconError as error:
        return show_plan(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}/planning?ok={done_key}")
