"""Équipe: a coordinator invites colleagues and facilitators (the same service as ``cocon user
add``; the invitation is a login link by email) and chooses which structures a facilitator
follows — among the structures the coordinator belongs to, never others."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from accounts.links import create_magic_link
from accounts.staff import colleagues, invite_account, parse_kind, set_structures
from cocon.web.access import Viewer
from cocon.web.mail import dispatch_soon, send_login_link
from cocon.web.pages import DB, LoggedIn, language_of, notice_of, public_base, redirect, render, said, settings_of
from store import audit
from store.exceptions import CoconError
from store.models import Account, AccountKind, Membership, Person, Project
from store.projects import structures_of

router = APIRouter()

#: The kinds of account a coordinator may create from the page.
INVITABLE = (AccountKind.COORDINATOR, AccountKind.FACILITATOR, AccountKind.PROFESSIONAL)


def _coordinator(viewer: Viewer) -> None:
    if viewer.kind != AccountKind.COORDINATOR:
        raise HTTPException(status_code=403)


def _mine(session: Session, viewer: Viewer) -> list[str]:
    return sorted(structures_of(session, viewer.person_id), key=str.casefold)


def _page(
    request: Request, session: Session, viewer: Viewer, *, error: str | None = None, status_code: int = 200
) -> Response:
    mine = _mine(session, viewer)
    return render(
        request,
        "team.html",
        viewer,
        title_key="team_title",
        status_code=status_code,
        structures=mine,
        accounts=colleagues(session, mine),
        kinds=INVITABLE,
        error=error,
        notice=None if error else notice_of(request, language_of(request)),
    )


@router.get("/equipe")
def team_page(request: Request, session: DB, viewer: LoggedIn) -> Response:
    _coordinator(viewer)
    return _page(request, session, viewer)


def _project_for_mail(session: Session, person: Person, structures: list[str], inviter: Viewer) -> int | None:
    """The project the invitation is filed under in the outbox: one of the new account's
    structures, else one of the inviter's projects."""
    folded = {s.casefold() for s in structures}
    for project_id, structure in session.exec(select(Project.id, Project.structure).order_by(col(Project.id))):
        if structure.casefold() in folded:
            return project_id
    return session.exec(
        select(Membership.project_id).where(
            Membership.person_id == inviter.person_id, col(Membership.left_at).is_(None)
        )
    ).first()


@router.post("/equipe")
def invite_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    structures: Annotated[list[str] | None, Form()] = None,
) -> Response:
    _coordinator(viewer)
    chosen = structures or []
    try:
        account = invite_account(
            session,
            email=email,
            name=name,
            kind=parse_kind(kind),
            structures=chosen,
            inviter_structures=_mine(session, viewer),
            actor=viewer.actor,
        )
    except CoconError as error:
        session.rollback()
        return _page(request, session, viewer, error=said(error, request), status_code=400)
    person = session.get(Person, account.person_id)
    assert person is not None and person.id is not None
    project_id = _project_for_mail(session, person, account.structures, viewer)
    if project_id is not None:
        token, link = create_magic_link(session, person_id=person.id, next_path="/tableau-de-bord")
        send_login_link(
            session,
            person=person,
            project_id=project_id,
            link_id=link.id or 0,
            url=f"{public_base(request)}/lien/{token}",
            lang=person.language,
        )
        audit.record(session, actor=viewer.actor, action="login_link.sent", project_id=project_id, person_id=person.id)
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, "/equipe?ok=invited_account")


@router.post("/equipe/{account_id}/structures")
def structures_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    account_id: int,
    structures: Annotated[list[str] | None, Form()] = None,
) -> Response:
    _coordinator(viewer)
    mine = _mine(session, viewer)
    account = session.get(Account, account_id)
    if account is None or account_id not in {a.id for a, _ in colleagues(session, mine)}:
        raise HTTPException(status_code=404)
    try:
        set_structures(session, account, structures or [], inviter_structures=mine, actor=viewer.actor)
    except CoconError as error:
        session.rollback()
        return _page(request, session, viewer, error=said(error, request), status_code=400)
    return redirect(request, f"/equipe?ok=structures#compte-{account_id}")


