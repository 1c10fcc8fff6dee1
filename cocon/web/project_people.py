"""Personnes: who takes part, their roles and reminders; add, change (as ``cocon person update``),
take out of the project, export (JSON) and erase (with a confirmation step).

A person with an account, or recorded by another project, manages their own details: the page
refuses to change, export or erase them (``store.people.identity_owned_by``).
"""

import json
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web import i18n
from cocon.web.access import Viewer, managed_project, member_or_404, visible_project
from cocon.web.auth import email_login_link
from cocon.web.pages import DB, LoggedIn, language_of, redirect, settings_of
from cocon.web.pauses import reminder_state
from cocon.web.project_frame import project_page, refused, reloaded
from notifications.pauses import leave_project
from store.erasure import reclaim_space
from store.exceptions import CoconError, InvalidInput
from store.models import Person, Project
from store.participation import update_person
from store.people import add_person, erase_person, export_person, identity_owned_by, members, role_coverage
from store.projects import template_of

router = APIRouter()

#: The moments a person may prefer, in the order the forms show them.
SLOTS = ("matin", "apres-midi", "soir", "semaine", "week-end")


def _people_context(session: Session, viewer: Viewer, project: Project, lang: str) -> dict[str, Any]:
    template = template_of(session, project)
    by_person: dict[int, dict[str, Any]] = {}
    for person, membership in members(session, project):
        entry = by_person.setdefault(
            person.id or 0,
            {
                "person": person,
                "roles": [],
                "reminders": reminder_state(session, person, project.id, lang),
                "own": identity_owned_by(session, person, project),
            },
        )
        role = template.roles.get(membership.role)
        entry["roles"].append(role.label.get(lang) if role else membership.role)
    return {
        "people": list(by_person.values()),
        "coverage": role_coverage(session, project, lang),
        "roles": [(role_id, role.label.get(lang)) for role_id, role in template.roles.items()],
        "slots": SLOTS,
    }


def show_people(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None
) -> Response:
    context = _people_context(session, viewer, project, language_of(request))
    return project_page(
        request, session, viewer, project, "project_people.html", section="people", error=error,
        status_code=400 if error else 200, **context,
    )


def _owned(session: Session, project: Project, person: Person) -> Person:
    """The person if this project may change their details; else the refusal in one sentence."""
    if not identity_owned_by(session, person, project):
        raise InvalidInput("person_not_ours", name=person.name)
    return person


def show_person(
    request: Request, session: Session, viewer: Viewer, project: Project, person: Person, *,
    error: str | None = None,
) -> Response:
    lang = language_of(request)
    return project_page(
        request, session, viewer, project, "project_person.html", section="people", error=error,
        status_code=400 if error else 200, person=person, slots=SLOTS,
        own=identity_owned_by(session, person, project),
        reminders=reminder_state(session, person, project.id, lang),
    )


@router.get("/projets/{slug}/personnes")
def people_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return show_people(request, session, viewer, visible_project(session, viewer, slug))


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
        return show_people(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}/personnes?ok=person")


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
        error = i18n.translate("link_not_sent", language_of(request), name=person.name)
        return show_people(request, session, viewer, reloaded(session, viewer, project), error=error)
    return redirect(request, f"/projets/{slug}/personnes?ok=link")


@router.get("/projets/{slug}/personnes/{person_id}")
def person_page(request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int) -> Response:
    project = managed_project(session, viewer, slug)
    return show_person(request, session, viewer, project, member_or_404(session, project, person_id))


@router.post("/projets/{slug}/personnes/{person_id}")
def update_person_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    person_id: int,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "fr",
    availability: Annotated[list[str] | None, Form()] = None,
    quiet_hours: Annotated[str, Form()] = "",
    unavailable: Annotated[str, Form()] = "",
) -> Response:
    """The same change as ``cocon person update``: every field of the form is the new value."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    try:
        update_person(
            session,
            _owned(session, project, person),
            actor=viewer.actor,
            name=name,
            email=email.strip() or None,
            phone=phone.strip() or None,
            language=language,
            availability=availability or [],
            quiet_hours=quiet_hours.strip() or None,
            unavailable=[line.strip() for line in unavailable.splitlines() if line.strip()],
        )
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return show_person(request, session, viewer, project, member_or_404(session, project, person_id),
                           error=refused(error, request))
    return redirect(request, f"/projets/{slug}/personnes?ok=updated")


@router.post("/projets/{slug}/personnes/{person_id}/retirer")
def remove_person_action(request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int) -> Response:
    """Take the person out of the project; what is still waiting to be sent to them is cancelled."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    try:
        leave_project(session, project, person, actor=viewer.actor)
    except CoconError as error:
        return show_people(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    return redirect(request, f"/projets/{slug}/personnes?ok=removed")


@router.get("/projets/{slug}/personnes/{person_id}/export.json")
def export_person_action(request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int) -> Response:
    """Everything Cocon holds about the person, as ``cocon person export`` writes it."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    try:
        data = export_person(session, _owned(session, project, person).id or 0)
    except CoconError as error:
        return show_person(request, session, viewer, project, person, error=refused(error, request))
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="personne-{person_id}.json"', "Cache-Control": "no-store"},
    )


@router.get("/projets/{slug}/personnes/{person_id}/effacer")
def erase_confirmation(request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int) -> Response:
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    return project_page(
        request, session, viewer, project, "project_person_erase.html", section="people",
        person=person, own=identity_owned_by(session, person, project),
    )


@router.post("/projets/{slug}/personnes/{person_id}/effacer")
def erase_person_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    background: BackgroundTasks,
    slug: str,
    person_id: int,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Erase the person's name and contact details everywhere (as ``cocon person erase --yes``)."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    try:
        if confirm != "oui":
            raise InvalidInput("erase_not_confirmed")
        erase_person(session, _owned(session, project, person).id or 0, actor=viewer.actor)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return project_page(
            request, session, viewer, project, "project_person_erase.html", section="people",
            error=refused(error, request), status_code=400, person=member_or_404(session, project, person_id),
            own=identity_owned_by(session, person, project),
        )
    # After the commit (the response's), rewrite the file so the erased bytes leave the disk.
    background.add_task(reclaim_space, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/personnes?ok=erased")
