"""Pause and stop, without logging in and with: the link of every email, "Mon compte", the people page.

* ``GET /pause/{token}`` — the page an email's link opens (on a phone): five big buttons; one tap
  applies the choice (``POST``), and the next page says what was done. The link is the credential;
  it allows nothing but pausing and stopping.
* ``POST /pause/{token}/un-clic`` — RFC 8058 one-click unsubscribe, what mail applications post to
  the ``List-Unsubscribe`` address: it stops reminders at once (that project, or all when the
  email covered several). No CSRF token here: a mail application has none, and the unguessable
  token in the address is what authorises the request. ``GET`` on it shows the page.
* ``POST /compte/rappels`` — the same choices, and "resume", for the logged-in person.
* ``POST /projets/{slug}/personnes/{id}/rappels`` — the coordination pauses, resumes or stops a member.
"""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session, col, select

from cocon.web import i18n
from cocon.web.access import managed_project
from cocon.web.pages import DB, LoggedIn, MaybeViewer, redirect, render
from notifications.envelopes import ONE_CLICK_SUFFIX, PAUSE_PATH
from notifications.pauses import (
    Done,
    PauseLinkUnusable,
    apply_choice,
    pause_link,
    resume,
    stop,
    stopped_projects,
)
from planning.calendar import long_date
from store.clock import today
from store.models import Membership, Person, Project

router = APIRouter()


def _lang(person: Person) -> str:
    return "en" if person.language == "en" else "fr"


def _gone(request: Request, viewer: object, lang: str) -> Response:
    return render(
        request, "message.html", viewer, title_key="pause_title", status_code=410, lang=lang,  # type: ignore[arg-type]
        message=i18n.translate("pause_link_gone", lang), link=None, link_label="",
    )


def _done_message(done: Done | None, lang: str) -> str:
    if done is None:
        return i18n.translate("pause_done_resume", lang)
    if done.choice in ("1m", "3m") and done.until is not None:
        return i18n.translate("pause_done_until", lang, day=long_date(done.until, lang))
    if done.choice == "stop-project" and done.project is not None:
        return i18n.translate("pause_done_stop_project", lang, project=done.project.name)
    if done.choice == "open":
        return i18n.translate("pause_done_open", lang)
    return i18n.translate("pause_done_stop_all", lang)


def _link_project(session: Session, project_id: int | None) -> Project | None:
    return session.get(Project, project_id) if project_id is not None else None


@router.get("/pause/{token}")
@router.get("/pause/{token}" + ONE_CLICK_SUFFIX)
def pause_page(request: Request, session: DB, viewer: MaybeViewer, token: str) -> Response:
    try:
        link, person = pause_link(session, token)
    except PauseLinkUnusable:
        return _gone(request, viewer, "fr")
    return render(
        request, "pause.html", viewer, title_key="pause_title", lang=_lang(person),
        person=person, project=_link_project(session, link.project_id), action=f"{PAUSE_PATH}{token}",
    )


@router.post("/pause/{token}")
def pause_choice(
    request: Request, session: DB, viewer: MaybeViewer, token: str, choice: Annotated[str, Form()] = ""
) -> Response:
    try:
        link, person = pause_link(session, token)
    except PauseLinkUnusable:
        return _gone(request, viewer, "fr")
    lang = _lang(person)
    done = apply_choice(
        session, person, choice, project=_link_project(session, link.project_id), actor=f"person:{person.id}"
    )
    return render(
        request, "message.html", viewer, title_key="pause_done_title", lang=lang,
        message=_done_message(done, lang), link=None, link_label="",
    )


@router.post("/pause/{token}" + ONE_CLICK_SUFFIX)
def one_click(session: DB, token: str) -> Response:
    """RFC 8058: the mail application posts ``List-Unsubscribe=One-Click``; reminders stop."""
    try:
        link, person = pause_link(session, token)
    except PauseLinkUnusable:
        return PlainTextResponse("Lien inconnu ou expiré.", status_code=404)
    stop(session, person, project=_link_project(session, link.project_id), actor=f"person:{person.id}")
    return PlainTextResponse("Rappels arrêtés.")


@router.post("/compte/rappels")
def account_reminders(
    request: Request, session: DB, viewer: LoggedIn, choice: Annotated[str, Form()] = ""
) -> Response:
    person = session.get(Person, viewer.person_id)
    if person is None:
        raise HTTPException(status_code=404)
    lang = _lang(person)
    if choice == "resume":
        resume(session, person, actor=viewer.actor, restart=True)
        done: Done | None = None
    else:
        done = apply_choice(session, person, choice, project=None, actor=viewer.actor)
    return render(
        request, "message.html", viewer, title_key="pause_done_title", lang=lang,
        message=_done_message(done, lang), link="/compte", link_label=i18n.translate("account_title", lang),
    )


@router.post("/projets/{slug}/personnes/{person_id}/rappels")
def member_reminders(
    request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int, choice: Annotated[str, Form()] = ""
) -> Response:
    """The coordination pauses, resumes or stops a member's reminders (resuming never restarts
    reminders the person stopped themselves)."""
    project = managed_project(session, viewer, slug)
    member = session.exec(
        select(Membership).where(
            Membership.project_id == project.id, Membership.person_id == person_id, col(Membership.left_at).is_(None)
        )
    ).first()
    person = session.get(Person, person_id) if member else None
    if person is None:
        raise HTTPException(status_code=404)
    if choice == "resume":
        resume(session, person, actor=viewer.actor)
    elif choice in ("1m", "3m", "open", "stop-project"):
        apply_choice(session, person, choice, project=project, actor=viewer.actor)
    else:
        raise HTTPException(status_code=400)
    return redirect(request, f"/projets/{slug}/personnes?ok=reminders")


def reminder_state(session: Session, person: Person, project_id: int | None, lang: str) -> str:
    """A person's reminders in words, for "Mon compte" and the people page."""
    stopped = person.opted_out or (
        project_id is not None and (person.id or 0, project_id) in stopped_projects(session, [person.id or 0])
    )
    if stopped:
        return i18n.translate("person_state_stopped", lang)
    if person.paused and (person.paused_until is None or person.paused_until >= today()):
        if person.paused_until is None:
            return i18n.translate("person_state_paused_open", lang)
        return i18n.translate("person_state_paused_until", lang, day=long_date(person.paused_until, lang))
    return i18n.translate("person_state_active", lang)
