"""Gatherings on the web: when and where, answers, and calendar subscriptions.

* ``GET /reponse/{token}/oui|non`` — an invitation's links: the page asks to confirm (opening it
  records nothing, so mail filters that follow links cannot answer); one tap (``POST`` to the same
  address) records the answer, with no login, and the page then offers to change it.
* ``GET /projets/{slug}/etapes/{key}/lieu`` — a gathering: when, where, the viewer's own answer;
  for the coordination, the form to change time and place (``POST``, fragment
  ``_gathering_form.html``) and who comes (fragment ``_gathering_answers.html``).
* ``POST /projets/{slug}/etapes/{key}/reponse`` — a member answers from the page.
* ``GET /calendrier/{token}.ics`` — a calendar subscription (``text/calendar``, no login; a
  revoked or unknown address answers 404).
* ``GET|POST /compte/calendrier`` — a person makes or revokes their subscription link;
  ``GET|POST /projets/{slug}/calendrier`` — the coordination does so for the team's.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session

from cocon.web import i18n
from cocon.web.access import may_manage, visible_project
from cocon.web.pages import DB, LoggedIn, MaybeViewer, language_of, notice_of, redirect, render, said
from notifications.gatherings import clock
from planning.calendar import long_date
from store.calendars import (
    FEED_SUFFIX,
    FeedUnknown,
    create_feed,
    feed_calendar,
    feed_of,
    feed_url,
    has_live_feed,
    revoke_feed,
)
from store.exceptions import CoconError
from store.gatherings import (
    NO,
    YES,
    AnswerLinkUnusable,
    GatheringView,
    answer_from_link,
    answer_link,
    answer_of,
    attendance_answers,
    gathering_view,
    invitees,
    record_answer,
    set_where,
)
from store.models import Person, Project

router = APIRouter()

_CHOICES = {YES: True, NO: False}


def _lang(person: Person) -> str:
    return "en" if person.language == "en" else "fr"


def _when(view: GatheringView, lang: str) -> str:
    day = long_date(view.day, lang)
    start = clock(view.where.start, lang)
    if start is None:
        return day
    return f"{day} à {start}" if lang != "en" else f"{day} at {start}"


# --- answering from the email ------------------------------------------------------------------


def _gone(request: Request, viewer: object) -> Response:
    return render(
        request, "message.html", viewer, title_key="answer_title", status_code=410,  # type: ignore[arg-type]
        message=i18n.translate("answer_link_gone", "fr"), link=None, link_label="",
    )


@router.get("/reponse/{token}/{choice}")
def answer_by_link(request: Request, session: DB, viewer: MaybeViewer, token: str, choice: str) -> Response:
    """The link of the invitation email: a page that asks to confirm with one tap. Opening it records
    nothing, so that a mail filter following the links of an email cannot answer for the person."""
    if choice not in _CHOICES:
        raise HTTPException(status_code=404)
    try:
        target = answer_link(session, token)
    except AnswerLinkUnusable:
        return _gone(request, viewer)
    lang = _lang(target.person)
    view = gathering_view(session, target.project, target.step.key, lang)
    return render(
        request, "answer.html", viewer, title_key="answer_title", lang=lang,  # type: ignore[arg-type]
        view=view, when=_when(view, lang), coming=_CHOICES[choice], recorded=False,
        action=f"/reponse/{token}/{choice}",
    )


@router.post("/reponse/{token}/{choice}")
def change_answer_by_link(request: Request, session: DB, viewer: MaybeViewer, token: str, choice: str) -> Response:
    """Record the answer; the page offers to change it."""
    if choice not in _CHOICES:
        raise HTTPException(status_code=404)
    try:
        target = answer_from_link(session, token, coming=_CHOICES[choice])
    except AnswerLinkUnusable:
        return _gone(request, viewer)
    lang = _lang(target.person)
    view = gathering_view(session, target.project, target.step.key, lang)
    other = NO if choice == YES else YES
    return render(
        request, "answer.html", viewer, title_key="answer_title", lang=lang,  # type: ignore[arg-type]
        view=view, when=_when(view, lang), coming=_CHOICES[choice], recorded=True,
        action=f"/reponse/{token}/{other}",
    )


# --- a gathering's page ------------------------------------------------------------------------------


def _gathering_page(request: Request, session: Session, viewer: LoggedIn, project: Project, key: str, **extra: object) -> Response:
    lang = language_of(request)
    view = gathering_view(session, project, key, lang)
    manager = may_manage(session, viewer, project)
    invited = any(p.id == viewer.person_id for p in invitees(session, project, view.step))
    context: dict[str, Any] = {
        "project": project,
        "view": view,
        "when": _when(view, lang),
        "manager": manager,
        "invited": invited,
        "my_answer": answer_of(session, project.id or 0, view.step.key, viewer.person_id) if invited else None,
        "answers": attendance_answers(session, project, key, lang) if manager else None,
        "form_error": None,
        **extra,
    }
    status = 400 if extra.get("form_error") else 200
    return render(request, "gathering.html", viewer, title_key="gathering_title", status_code=status,
                  **{"page_title": view.title, **context})


@router.get("/projets/{slug}/etapes/{key}/lieu")
def gathering_page(request: Request, session: DB, viewer: LoggedIn, slug: str, key: str) -> Response:
    project = visible_project(session, viewer, slug)
    return _gathering_page(request, session, viewer, project, key, notice=notice_of(request, language_of(request)))


@router.post("/projets/{slug}/etapes/{key}/lieu")
def gathering_where(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    key: str,
    start: Annotated[str, Form()] = "",
    duration: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    video: Annotated[str, Form()] = "",
) -> Response:
    """The coordination changes one occurrence's time, duration, place or video link."""
    project = visible_project(session, viewer, slug)
    if not may_manage(session, viewer, project):
        raise HTTPException(status_code=403)
    try:
        set_where(session, project, key, actor=viewer.actor, start=start.strip() or None,
                  duration=duration.strip() or None, place=place, video=video.strip() or None)
    except CoconError as error:
        session.rollback()
        return _gathering_page(request, session, viewer, project, key, notice=None, form_error=said(error, request))
    return redirect(request, f"/projets/{slug}/etapes/{key}/lieu?ok=where")


@router.post("/projets/{slug}/etapes/{key}/reponse")
def gathering_answer(
    request: Request, session: DB, viewer: LoggedIn, slug: str, key: str, coming: Annotated[str, Form()] = ""
) -> Response:
    """A member invited to the gathering answers from the page."""
    project = visible_project(session, viewer, slug)
    if coming not in _CHOICES:
        raise HTTPException(status_code=400)
    view = gathering_view(session, project, key)
    if not any(p.id == viewer.person_id for p in invitees(session, project, view.step)):
        raise HTTPException(status_code=403)
    record_answer(session, project, key, viewer.person, coming=_CHOICES[coming], via="page", actor=viewer.actor)
    return redirect(request, f"/projets/{slug}/etapes/{key}/lieu?ok=answer")


# --- calendar subscriptions --------------------------------------------------------------------------


@router.get("/calendrier/{token}" + FEED_SUFFIX)
def calendar_feed(session: DB, token: str) -> Response:
    """A subscription, read by calendar applications: no login, no cookie, the address is the key."""
    try:
        feed = feed_of(session, token)
        data = feed_calendar(session, feed)
    except FeedUnknown:
        return PlainTextResponse("Agenda inconnu.", status_code=404)
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=900", "Content-Disposition": 'inline; filename="cocon.ics"'},
    )


def _feed_page(request: Request, session: Session, viewer: LoggedIn, *, project: Project | None, url: str | None, action: str) -> Response:
    person = viewer.person if project is None else None
    active = has_live_feed(session, person=person, project=project)
    return render(
        request, "calendar_link.html", viewer, title_key="calendar_title" if project is None else "calendar_team_title",
        project=project, url=url, active=active or url is not None, action=action,
    )


@router.get("/compte/calendrier")
def my_calendar(request: Request, session: DB, viewer: LoggedIn) -> Response:
    return _feed_page(request, session, viewer, project=None, url=None, action="/compte/calendrier")


@router.post("/compte/calendrier")
def my_calendar_change(request: Request, session: DB, viewer: LoggedIn, choice: Annotated[str, Form()] = "") -> Response:
    """Make (or replace) the person's subscription link, shown once; or revoke it."""
    return _feed_change(request, session, viewer, None, choice, "/compte/calendrier")


@router.get("/projets/{slug}/calendrier")
def team_calendar(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = _managed(session, viewer, slug)
    return _feed_page(request, session, viewer, project=project, url=None, action=f"/projets/{slug}/calendrier")


@router.post("/projets/{slug}/calendrier")
def team_calendar_change(request: Request, session: DB, viewer: LoggedIn, slug: str, choice: Annotated[str, Form()] = "") -> Response:
    project = _managed(session, viewer, slug)
    return _feed_change(request, session, viewer, project, choice, f"/projets/{slug}/calendrier")


def _managed(session: Session, viewer: LoggedIn, slug: str) -> Project:
    project = visible_project(session, viewer, slug)
    if not may_manage(session, viewer, project):
        raise HTTPException(status_code=403)
    return project


def _feed_change(request: Request, session: Session, viewer: LoggedIn, project: Project | None, choice: str, action: str) -> Response:
    person = viewer.person if project is None else None
    if choice == "link":
        token = create_feed(session, person=person, project=project, actor=viewer.actor)
        return _feed_page(request, session, viewer, project=project, url=feed_url(session, token), action=action)
    if choice == "revoke":
        revoke_feed(session, person=person, project=project, actor=viewer.actor)
        return redirect(request, action)
    raise HTTPException(status_code=400)

