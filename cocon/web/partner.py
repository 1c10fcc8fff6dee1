"""Mon espace: a partner's home on a phone, and their message preferences.

* ``GET /mon-espace`` — the next gatherings and what is expected of them, their reminders (a pause
  is one tap away), their contributions and expenses with reimbursement status, their proposals
  and what became of them, and a form to make one (the service ``cocon proposal add`` calls).
  Lists, no staff tables. ``/`` leads partner accounts here.
* ``POST /mon-espace/propositions`` — the proposal, for a project the person belongs to.
* ``POST /compte/preferences`` — channel, digest time and language, from "Mon compte".
"""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web import i18n
from cocon.web.access import visible_project
from cocon.web.pages import DB, LoggedIn, language_of, notice_of, redirect, render, said, set_cookie
from cocon.web.pauses import reminder_state
from cocon.web.security import LANG_COOKIE
from evaluation.contributions import euros, hours_text
from evaluation.personal import personal_account
from evaluation.proposals import add_proposal, status_label
from notifications.gatherings import clock
from notifications.pauses import stopped_projects
from notifications.preferences import update_own_preferences
from planning.calendar import long_date
from store import limits
from store.agenda import upcoming_for
from store.clock import today
from store.exceptions import CoconError
from store.models import Person, Project, ProposalSource, ProposalStatus

router = APIRouter()

#: How many coming gatherings and steps the home shows (a phone screen, not the whole plan).
AGENDA_SHOWN = 3


def reminders_sentence(session: Session, person: Person, projects: list[Project], lang: str) -> str:
    """The person's reminders in one sentence addressed to them (``projects``: their current ones)."""
    stopped = {project_id for _, project_id in stopped_projects(session, [person.id or 0])}
    if person.opted_out or (projects and all(p.id in stopped for p in projects)):
        return i18n.translate("reminders_stopped", lang)
    if person.paused and (person.paused_until is None or person.paused_until >= today()):
        if person.paused_until is None:
            return i18n.translate("reminders_paused_open", lang)
        return i18n.translate("reminders_paused_until", lang, day=long_date(person.paused_until, lang))
    some = [p.name for p in projects if p.id in stopped]
    if some:
        return i18n.translate("partner_reminders_stopped_for", lang, projects=", ".join(some))
    return i18n.translate("reminders_active", lang)


def _home(request: Request, session: DB, viewer: LoggedIn, *, error: str | None = None, text: str = "",
          status_code: int = 200) -> Response:
    lang = language_of(request)
    mine = personal_account(session, viewer.person_id, current_only=True)
    return render(
        request,
        "partner_home.html",
        viewer,
        title_key="partner_title",
        status_code=status_code,
        agenda=upcoming_for(session, viewer.person, today=today(), lang=lang, limit=AGENDA_SHOWN),
        clock=lambda start: clock(start, lang),
        blocks=mine,
        reminders=reminders_sentence(session, viewer.person, [b.project for b in mine], lang),
        notice=notice_of(request, lang),
        error=error,
        text=text,
        text_limit=limits.TEXT,
        euros=lambda cents: euros(cents, lang),
        hours=lambda value: hours_text(value, lang),
        status_labels={s: status_label(s, lang) for s in ProposalStatus},
    )


@router.get("/mon-espace")
def partner_home(request: Request, session: DB, viewer: LoggedIn) -> Response:
    return _home(request, session, viewer)


@router.post("/mon-espace/propositions")
def make_proposal(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    project: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """A partner's own proposal, recorded as ``cocon proposal add`` records one."""
    found = visible_project(session, viewer, project)
    if not any(b.project.id == found.id for b in personal_account(session, viewer.person_id, current_only=True)):
        raise HTTPException(status_code=404)  # staff who only follow the structure propose elsewhere
    try:
        add_proposal(session, found, viewer.person, text=text, source=ProposalSource.OTHER, actor=viewer.actor)
    except CoconError as problem:
        session.rollback()
        return _home(request, session, viewer, error=said(problem, request), text=text, status_code=400)
    return redirect(request, "/mon-espace?ok=my_proposal#propositions")


@router.post("/compte/preferences")
def save_preferences(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    channel: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    digest_time: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    lang = language_of(request)
    wanted = f"sms:{phone.strip()}" if channel == "sms" else channel
    if channel == "sms" and viewer.person.channel == "apprise" and phone.strip() == (viewer.person.phone or ""):
        wanted = ""  # unchanged: their own channel stays as it is
    try:
        update_own_preferences(
            session,
            viewer.person,
            actor=viewer.actor,
            channel=wanted or None,
            digest_time=digest_time.strip() or None,
            language=language or None,
        )
    except CoconError as problem:
        session.rollback()
        return render(
            request, "account.html", viewer, title_key="account_title", status_code=400, error=said(problem, request),
            notice=None, reminders=reminder_state(session, viewer.person, None, lang),
        )
    response = redirect(request, "/compte?ok=preferences#preferences")
    if language in ("fr", "en"):  # the pages follow the language chosen for the messages
        set_cookie(response, request, LANG_COOKIE, language, max_age=365 * 24 * 3600)
    return response

