"""Projet and Nouveau projet: the project page with its actions, and creating a project.

Every action calls the store or a service; an error they raise (a :class:`CoconError`, one
French sentence) is shown on the page, with status 400, above the form that caused it.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from cocon.web import i18n
from cocon.web.access import Viewer, managed_project, may_manage, member_or_404, visible_project
from cocon.web.auth import email_login_link
from cocon.web.pages import DB, LoggedIn, language_of, notice_of, redirect, render
from cocon.web.pauses import reminder_state
from cocon.web.timeline import TimelineRow, timeline_svg
from evaluation.checkpoints import RECORDED_KINDS, CheckpointRecord, record_checkpoint
from evaluation.indicators import format_value, indicator_statuses, record_value
from notifications.queue import list_messages
from planning.calendar import HolidayZone
from project_templates import LoadedTemplate, builtin_templates
from store.clock import today
from store.exceptions import CoconError, InvalidInput
from store.models import OPEN_STATUSES, Gathering, Project, StepStatus
from store.people import add_person, members, role_coverage
from store.phases import advance_phase, gate_problems
from store.plans import STATUS_LABELS, mark_done, move_step, plan_changes, plan_steps, step_title
from store.projects import create_project, describe_dates, structures_of, template_of

router = APIRouter()



# --- creating a project -----------------------------------------------------------------------


def _builtin(template_id: str) -> LoadedTemplate:
    """Only the built-in templates are offered on the web (a path would read the server's files)."""
    for loaded in builtin_templates():
        if loaded.template.id == template_id:
            return loaded
    raise InvalidInput("Choisissez un modèle de projet dans la liste.")


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
            start=_parse_date(start, "le début") if start.strip() else None,
            end=_parse_date(end, "la fin"),
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
        return _new_project_page(request, viewer, chosen=template, error=str(error), values=values, status_code=400)
    return redirect(request, f"/projets/{project.slug}?ok=created")


# --- the project page -------------------------------------------------------------------------


def _project_context(session: Session, viewer: Viewer, project: Project, lang: str) -> dict[str, Any]:
    template = template_of(session, project)
    steps = plan_steps(session, project)
    titles = {s.key: step_title(template.step(s.template_step).title.get(lang), s, lang) for s in steps}
    now_day = today()
    rows = [
        TimelineRow(titles[s.key], s.phase, s.due, s.baseline_due, StepStatus(s.status))
        for s in steps
    ]
    by_person: dict[int, dict[str, Any]] = {}
    for person, membership in members(session, project):
        entry = by_person.setdefault(
            person.id or 0,
            {"person": person, "roles": [], "reminders": reminder_state(session, person, project.id, lang)},
        )
        role = template.roles.get(membership.role)
        entry["roles"].append(role.label.get(lang) if role else membership.role)
    manager = may_manage(session, viewer, project)
    gatherings = list(
        session.exec(select(Gathering).where(Gathering.project_id == project.id).order_by(col(Gathering.held_on)))
    )
    recorded = {g.step_key for g in gatherings}
    return {
        "project": project,
        "tpl": template,
        "dates": describe_dates(project, lang),
        "steps": steps,
        "titles": titles,
        "status_labels": STATUS_LABELS["en" if lang == "en" else "fr"],
        "timeline": timeline_svg(rows, start=project.start, end=project.end, today=now_day, lang=lang),
        "today": now_day,
        "people": list(by_person.values()),
        "coverage": role_coverage(session, project, lang),
        "roles": [(role_id, role.label.get(lang)) for role_id, role in template.roles.items()],
        "manager": manager,
        "gate": gate_problems(session, project, lang),
        "changes": plan_changes(session, project),
        "open_steps": [s for s in steps if s.status in OPEN_STATUSES],
        "checkpoint_steps": [
            s
            for s in steps
            if s.kind in RECORDED_KINDS and s.status in OPEN_STATUSES and s.key not in recorded
        ],
        "gatherings": gatherings,
        "indicators": indicator_statuses(session, project),
        "format_value": format_value,
        "outbox": list_messages(session, project)[-30:] if manager else [],
        "names": {p["person"].id: p["person"].name for p in by_person.values()},
        "error": None,
        "notice": None,
    }


def show_project(
    request: Request,
    session: Session,
    viewer: Viewer,
    project: Project,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language_of(request)
    context = _project_context(session, viewer, project, lang)
    context["notice"] = notice_of(request, lang)
    context["error"] = error
    return render(
        request,
        "project.html",
        viewer,
        title_key="project_title",
        status_code=status_code,
        page_title=project.name,
        **context,
    )


@router.get("/projets/{slug}")
def project_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return show_project(request, session, viewer, visible_project(session, viewer, slug))


def _failed(request: Request, session: Session, viewer: Viewer, project: Project, error: CoconError) -> Response:
    session.rollback()
    project = visible_project(session, viewer, project.slug)
    return show_project(request, session, viewer, project, error=str(error), status_code=400)


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Date illisible pour {what} : utilisez le format AAAA-MM-JJ.") from None


@router.post("/projets/{slug}/personnes")
def add_person_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "fr",
    availability: Annotated[list[str] | None, Form()] = None,
    quiet_hours: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        add_person(
            session,
            project,
            name=name,
            role=role,
            email=email.strip() or None,
            phone=phone.strip() or None,
            language=language,
            availability=availability or [],
            quiet_hours=quiet_hours.strip() or None,
            actor=viewer.actor,
        )
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}?ok=person#personnes")


@router.post("/projets/{slug}/personnes/{person_id}/lien")
def send_link_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    background: BackgroundTasks,
    slug: str,
    person_id: int,
    next: Annotated[str, Form()] = "",
) -> Response:
    """Email a member a login link that lands on this project (or on ``next`` within it)."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    target = next if next.startswith(f"/projets/{slug}") else f"/projets/{slug}"
    if not email_login_link(request, session, person, background, next_path=target, actor=viewer.actor):
        return _failed(
            request,
            session,
            viewer,
            project,
            InvalidInput(i18n.translate("link_not_sent", language_of(request), name=person.name)),
        )
    return redirect(request, f"/projets/{slug}?ok=link#personnes")


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
        move_step(session, project, step, _parse_date(to, "la nouvelle date"), reason=reason, actor=viewer.actor)
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}?ok=moved#plan")


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
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}?ok=done#plan")


@router.post("/projets/{slug}/phase")
def advance_phase_action(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        advance_phase(session, project, actor=viewer.actor, lang=language_of(request))
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}?ok=phase")


@router.post("/projets/{slug}/points-etape")
def record_checkpoint_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    step: Annotated[str, Form()] = "",
    held_on: Annotated[str, Form()] = "",
    attendees: Annotated[list[int] | None, Form()] = None,
    decisions: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        record = CheckpointRecord(
            held_on=_parse_date(held_on, "la date du point d'étape"),
            attendees=attendees or [],
            decisions=[line.strip() for line in decisions.splitlines() if line.strip()],
            notes=notes.strip() or None,
        )
        record_checkpoint(session, project, step, record, actor=viewer.actor)
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}?ok=checkpoint#points-etape")


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
            raise InvalidInput(f"Valeur illisible « {value} » : écrivez un nombre, par exemple 12 ou 7,5.") from None
        record_value(session, project, code, number, actor=viewer.actor, note=note.strip() or None)
    except CoconError as error:
        return _failed(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}?ok=indicator#indicateurs")
