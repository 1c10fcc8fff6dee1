"""Questionnaire: answer the end-of-project questionnaire from the invitation link (phone-friendly);
and, for the coordination, invite everyone, relaunch those who have not answered, follow the counts.

The page needs no login: the link is the credential, and the answer is stored without any link
to the person (the evaluation service only marks the invitation as answered). The page speaks
the invitation's language.
"""

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from cocon.web import i18n
from cocon.web.access import Viewer, managed_project
from cocon.web.mail import dispatch_soon
from cocon.web.pages import DB, LoggedIn, MaybeViewer, language_of, redirect, render, said, settings_of
from cocon.web.project_frame import project_page, reloaded
from evaluation.assessment import open_questionnaire
from evaluation.exceptions import InvitationUnusable
from evaluation.feedback import feedback_people, relaunch_unanswered
from evaluation.questionnaire import DONT_KNOW, answer_questionnaire, invitations, questionnaire_for, still_waiting
from store.exceptions import CoconError
from store.models import Project

router = APIRouter()


@router.get("/questionnaire/{token}")
def questionnaire_page(request: Request, session: DB, viewer: MaybeViewer, token: str) -> Response:
    try:
        view = questionnaire_for(session, token)
    except InvitationUnusable as error:
        return render(
            request,
            "message.html",
            viewer,
            title_key="questionnaire_title",
            status_code=410,
            message=said(error, request),
            link=None,
            link_label="",
        )
    return render(
        request,
        "questionnaire.html",
        viewer,
        title_key="questionnaire_title",
        lang=view.lang,
        view=view,
        token=token,
        dont_know=DONT_KNOW,
        answers={},
        error=None,
    )


@router.post("/questionnaire/{token}")
async def answer(request: Request, session: DB, viewer: MaybeViewer, token: str) -> Response:
    form = await request.form()
    answers = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    try:
        view = await run_in_threadpool(questionnaire_for, session, token)
    except InvitationUnusable as error:
        return render(
            request,
            "message.html",
            viewer,
            title_key="questionnaire_title",
            status_code=410,
            message=said(error, request),
            link=None,
            link_label="",
        )
    try:
        await run_in_threadpool(answer_questionnaire, session, token, answers)
    except CoconError as error:
        session.rollback()
        return render(
            request,
            "questionnaire.html",
            viewer,
            title_key="questionnaire_title",
            lang=view.lang,
            status_code=400,
            view=view,
            token=token,
            dont_know=DONT_KNOW,
            answers=answers,
            error=said(error, request),
        )
    return render(
        request,
        "message.html",
        viewer,
        title_key="questionnaire_thanks_title",
        lang=view.lang,
        message=i18n.translate("questionnaire_thanks", view.lang or language_of(request)),
        link=None,
        link_label="",
    )


# --- the coordination's side: invite everyone, relaunch, follow the answers (counts only) ---------


def _status_page(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None, status_code: int = 200
) -> Response:
    rows = invitations(session, project)
    answered = sum(1 for r in rows if r.answered)
    waiting = sum(1 for r in rows if still_waiting(r))
    return project_page(
        request,
        session,
        viewer,
        project,
        "questionnaire_status.html",
        section="questionnaire_nav",
        title_key="questionnaire_page_title",
        error=error,
        status_code=status_code,
        invited=len(rows),
        answered=answered,
        waiting=waiting,
        expired=len(rows) - answered - waiting,
        not_invited=len([p for p, _ in feedback_people(session, project) if p.id not in {r.person_id for r in rows}]),
    )


@router.get("/projets/{slug}/questionnaire")
def questionnaire_status(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return _status_page(request, session, viewer, managed_project(session, viewer, slug))


@router.post("/projets/{slug}/questionnaire/inviter")
def invite_everyone(request: Request, session: DB, viewer: LoggedIn, background: BackgroundTasks, slug: str) -> Response:
    """Invite everyone taking part who is not invited yet (the same service as ``cocon feedback invite``)."""
    project = managed_project(session, viewer, slug)
    try:
        created = open_questionnaire(session, project, actor=viewer.actor)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _status_page(request, session, viewer, project, error=said(error, request), status_code=400)
    if created:
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/questionnaire?ok=invited&n={created}")


@router.post("/projets/{slug}/questionnaire/relancer")
def relaunch(request: Request, session: DB, viewer: LoggedIn, background: BackgroundTasks, slug: str) -> Response:
    """Relaunch everyone who has not answered yet; the page says how many, never who."""
    project = managed_project(session, viewer, slug)
    try:
        count = relaunch_unanswered(session, project, actor=viewer.actor)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _status_page(request, session, viewer, project, error=said(error, request), status_code=400)
    if count:
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/questionnaire?ok=relaunched&n={count}")
