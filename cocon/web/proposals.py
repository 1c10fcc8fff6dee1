"""A project's proposals: record what a participant proposed, say what became of it (a proposal
not retained needs its reason), list them. Members read; the coordination records and decides."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web.access import Viewer, managed_project, member_or_404, visible_project
from cocon.web.pages import DB, LoggedIn, language_of, redirect, said
from cocon.web.project_frame import project_page, reloaded
from cocon.web.project_parts import names_of, people_of, typed_day
from evaluation.proposals import (
    add_proposal,
    decide_proposal,
    parse_source,
    parse_status,
    proposals,
    source_label,
    status_label,
)
from store.clock import today
from store.exceptions import CoconError, Phrase
from store.models import Project, ProposalSource, ProposalStatus

router = APIRouter()


def _page(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None, status_code: int = 200
) -> Response:
    lang = "en" if language_of(request) == "en" else "fr"
    rows = proposals(session, project)
    return project_page(
        request,
        session,
        viewer,
        project,
        "proposals.html",
        section="proposals_nav",
        title_key="proposals_page_title",
        error=error,
        status_code=status_code,
        rows=rows,
        people=people_of(session, project),
        names=names_of(session, [r.person_id for r in rows if r.person_id is not None]),
        statuses={s: status_label(s, lang) for s in ProposalStatus},
        sources={s: source_label(s, lang) for s in ProposalSource},
        today=today(),
    )


@router.get("/projets/{slug}/propositions")
def proposals_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return _page(request, session, viewer, visible_project(session, viewer, slug))


@router.post("/projets/{slug}/propositions")
def add_proposal_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    text: Annotated[str, Form()] = "",
    person: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "point-etape",
    on: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    who = member_or_404(session, project, int(person)) if person.strip().isdigit() else None
    try:
        add_proposal(
            session,
            project,
            who,
            text=text,
            source=parse_source(source),
            proposed_on=typed_day(on, Phrase("error.field.proposal_day"), default=today()),
            actor=viewer.actor,
        )
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return redirect(request, f"/projets/{slug}/propositions?ok=proposal")


@router.post("/projets/{slug}/propositions/{proposal_id}/suite")
def decide_proposal_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    proposal_id: str,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    if not proposal_id.isdigit():
        raise HTTPException(status_code=404)
    try:
        decide_proposal(session, project, int(proposal_id), parse_status(status), outcome=reason, actor=viewer.actor)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return redirect(request, f"/projets/{slug}/propositions?ok=decided#proposition-{proposal_id}")
