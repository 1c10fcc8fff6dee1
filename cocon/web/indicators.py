"""A project's indicators: choose them with baseline, target and minimum during *avant* (from the
catalogue or specific to the project; later changes need a reason, printed in the report), record
measured values, and show where each stands."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web import i18n
from cocon.web.access import Viewer, managed_project, visible_project
from cocon.web.pages import DB, LoggedIn, language_of, redirect, said
from cocon.web.project_frame import project_page, reloaded
from cocon.web.project_parts import typed_number
from evaluation.indicators import (
    choose_indicator,
    drop_indicator,
    ensure_indicators,
    format_value,
    indicator_history,
    indicator_names,
    indicator_statuses,
    is_locked,
    record_value,
)
from project_templates.loader import indicator_catalogue
from project_templates.schema import StepKind
from store import plans
from store.exceptions import CoconError, Phrase
from store.models import Project, StepStatus

router = APIRouter()

UNITS = ("count", "percent", "hours", "score", "yesno")
SOURCES = ("manual", "auto", "questionnaire")


def _page(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None, status_code: int = 200
) -> Response:
    lang = language_of(request)
    statuses = indicator_statuses(session, project)
    chosen = {s.definition.code for s in statuses}
    catalogue = indicator_catalogue()
    return project_page(
        request,
        session,
        viewer,
        project,
        "indicators.html",
        section="indicators",
        title_key="indicators_page_title",
        error=error,
        status_code=status_code,
        statuses=statuses,
        locked=is_locked(project),
        choice_made=any(
            s.kind == StepKind.INDICATORS and s.status == StepStatus.DONE for s in plans.plan_steps(session, project)
        ),
        catalogue=[d for code, d in sorted(catalogue.items()) if code not in chosen],
        chosen=[s.definition for s in statuses],
        history=indicator_history(session, project),
        names=indicator_names(session, project, lang),
        format_value=format_value,
        units=[(unit, i18n.translate(f"unit_{unit}", lang)) for unit in UNITS],
        sources=[(source, i18n.translate(f"source_{source}", lang)) for source in SOURCES],
    )


@router.get("/projets/{slug}/indicateurs")
def indicators_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return _page(request, session, viewer, visible_project(session, viewer, slug))


def _failed(request: Request, session: Session, viewer: Viewer, project: Project, error: CoconError) -> Response:
    project = reloaded(session, viewer, project)
    return _page(request, session, viewer, project, error=said(error, request), status_code=400)


@router.post("/projets/{slug}/indicateurs/choisir")
def choose_indicator_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    code: Annotated[str, Form()] = "",
    baseline: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    minimum: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    definition: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "",
) -> Response:
    """Add a catalogue indicator, change one already chosen, or (with a name) add a project-specific one."""
    project = managed_project(session, viewer, slug)
    custom = {
        key: value.strip()
        for key, value in {
            "name": name,
            "definition": definition,
            "unit": unit,
            "source": source,
            "direction": direction,
        }.items()
        if value.strip()
    }
    try:
        choose_indicator(
            session,
            project,
            code.strip(),
            actor=viewer.actor,
            reason=reason,
            custom=custom or None,
            baseline=typed_number(baseline, Phrase("error.field.baseline")),
            target=typed_number(target, Phrase("error.field.target")),
            minimum=typed_number(minimum, Phrase("error.field.minimum")),
        )
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}/indicateurs?ok=indicator_chosen")


@router.post("/projets/{slug}/indicateurs/retirer")
def drop_indicator_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    code: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        drop_indicator(session, project, code, actor=viewer.actor, reason=reason)
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}/indicateurs?ok=indicator_dropped")


@router.post("/projets/{slug}/indicateurs/choix-fait")
def indicators_chosen_action(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    """The group has made its choice: the indicators step is done (as ``indicator choose --done``)."""
    project = managed_project(session, viewer, slug)
    ensure_indicators(session, project)
    plans.complete_steps(session, project, (StepKind.INDICATORS,), actor=viewer.actor, note="indicateurs choisis")
    return redirect(request, f"/projets/{slug}/indicateurs?ok=indicators_done")


@router.post("/projets/{slug}/indicateurs/valeur")
def record_value_action(
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
        record_value(
            session, project, code, typed_number(value, Phrase("error.field.value")), actor=viewer.actor, note=note.strip() or None
        )
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}/indicateurs?ok=indicator")
