"""Questionnaire: answer the end-of-project questionnaire from the invitation link (phone-friendly).

The page needs no login: the link is the credential, and the answer is stored without any link
to the person (the evaluation service only marks the invitation as answered). The page speaks
the invitation's language.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cocon.web import i18n
from cocon.web.pages import DB, MaybeViewer, language_of, render
from evaluation.exceptions import InvitationUnusable
from evaluation.questionnaire import DONT_KNOW, answer_questionnaire, questionnaire_for
from store.exceptions import CoconError

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
            message=str(error),
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
            message=str(error),
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
            error=str(error),
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
