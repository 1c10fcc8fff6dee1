"""Logging in and out: passwords (throttled), magic links by email, setting a password, language."""

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from accounts.exceptions import AccountError, LinkRefused
from accounts.links import (
    MAX_LINKS_PER_HOUR,
    check_magic_link,
    create_magic_link,
    links_sent_recently,
    person_for_link,
    redeem_magic_link,
    safe_next,
)
from accounts.passwords import verify_password
from accounts.sessions import SESSION_MAX_AGE, close_session, open_session
from accounts.staff import change_password, find_account
from accounts.throttle import prune, record_attempt, throttle_state
from cocon.web import i18n
from cocon.web.mail import dispatch_now, dispatch_soon, send_login_link
from cocon.web.pages import (
    DB,
    LoggedIn,
    MaybeViewer,
    language_of,
    notice_of,
    public_base,
    redirect,
    render,
    said,
    set_cookie,
    settings_of,
)
from cocon.web.pauses import reminder_state
from cocon.web.security import LANG_COOKIE, SESSION_COOKIE
from store import audit, limits
from store.clock import now
from store.db import session_scope
from store.models import Account, Membership, Person

log = logging.getLogger(__name__)
router = APIRouter()

def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
    email: str = "",
    next_path: str = "/",
) -> Response:
    return render(
        request,
        "login.html",
        None,
        title_key="login_title",
        status_code=status_code,
        error=error,
        notice=notice,
        email=email,
        next_path=safe_next(next_path),
    )


@router.get("/connexion")
def login_form(request: Request, viewer: MaybeViewer, next: str = "/") -> Response:
    if viewer is not None:
        return redirect(request, safe_next(next))
    return _login_page(request, next_path=next)


@router.post("/connexion")
def login(
    request: Request,
    session: DB,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    lang = language_of(request)
    ip = client_ip(request)
    throttle = throttle_state(session, email=email, ip=ip)
    if throttle.blocked:
        audit.record(session, actor="web", action="login.throttled")
        message = i18n.translate("login_throttled", lang, minutes=throttle.retry_after_minutes)
        return _login_page(request, status_code=429, error=message, email=email, next_path=next)
    account = find_account(session, email)
    stored = account.password_hash if account is not None and not account.disabled else None
    if not verify_password(stored, password) or account is None:
        record_attempt(session, email=email, ip=ip, succeeded=False)
        return _login_page(
            request, status_code=400, error=i18n.translate("login_failed", lang), email=email, next_path=next
        )
    record_attempt(session, email=email, ip=ip, succeeded=True)
    prune(session)
    assert account.id is not None
    account.last_login_at = now()
    session.add(account)
    token = open_session(session, person_id=account.person_id, account_id=account.id, via="password")
    audit.record(
        session, actor=f"person:{account.person_id}", action="login", person_id=account.person_id, via="password"
    )
    response = redirect(request, safe_next(next))
    set_cookie(response, request, SESSION_COOKIE, token, max_age=int(SESSION_MAX_AGE.total_seconds()))
    return response


@router.post("/deconnexion")
def logout(request: Request, session: DB) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE))
    response = redirect(request, "/connexion")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def queue_login_link(session: Session, person: Person, *, base: str, next_path: str = "/", actor: str) -> bool:
    """Create a link for a person and put the email in the outbox; False if nothing was queued."""
    assert person.id is not None
    if links_sent_recently(session, person.id) >= MAX_LINKS_PER_HOUR:
        return False
    project_id = session.exec(
        select(Membership.project_id).where(Membership.person_id == person.id, col(Membership.left_at).is_(None))
    ).first()
    if project_id is None or not person.email:
        return False
    token, link = create_magic_link(session, person_id=person.id, next_path=next_path)
    send_login_link(
        session,
        person=person,
        project_id=project_id,
        link_id=link.id or 0,
        url=f"{base}/lien/{token}",
        lang=person.language,
    )
    audit.record(session, actor=actor, action="login_link.sent", project_id=project_id, person_id=person.id)
    return True


def email_login_link(
    request: Request, session: Session, person: Person, background: BackgroundTasks, *, next_path: str = "/", actor: str
) -> bool:
    """A coordinator sends someone a login link: queued now, sent after the response."""
    queued = queue_login_link(session, person, base=public_base(request), next_path=next_path, actor=actor)
    if queued:
        dispatch_soon(background, settings_of(request).database_url)
    return queued


def link_if_known(database_url: str | None, base: str, email: str) -> None:
    """Queue and send a login link if the address belongs to someone who may log in.

    Runs after the response has gone out, in its own transaction, so that the form answers in
    the same time whether or not the address is known.
    """
    try:
        with session_scope(database_url) as session:
            person = person_for_link(session, email)
            queued = person is not None and queue_login_link(session, person, base=base, actor=f"person:{person.id}")
    except Exception as error:  # the person may ask again; the page has already been answered
        log.error("a login link could not be prepared (%s)", type(error).__name__)
        return
    if queued:
        dispatch_now(database_url)


@router.post("/connexion/lien")
def ask_login_link(request: Request, background: BackgroundTasks, email: Annotated[str, Form()] = "") -> Response:
    # No lookup here: known and unknown addresses take the same path until the answer has left.
    background.add_task(link_if_known, settings_of(request).database_url, public_base(request), email[: limits.EMAIL])
    return _login_page(request, notice=i18n.translate("magic_sent", language_of(request)))


def _refused(request: Request, reason: str) -> Response:
    return render(
        request,
        "message.html",
        None,
        title_key="link_refused_title",
        status_code=410,
        message=i18n.translate(f"link_refused_{reason}", language_of(request)),
        link="/connexion",
        link_label=i18n.translate("link_ask_new", language_of(request)),
    )


@router.get("/lien/{token}")
def open_login_link(request: Request, session: DB, token: str) -> Response:
    """Show a button rather than logging in on GET: mail scanners open links without a person."""
    try:
        link = check_magic_link(session, token)
    except LinkRefused as refused:
        return _refused(request, refused.reason)
    person = session.get(Person, link.person_id)
    assert person is not None
    return render(
        request, "magic_link.html", None, title_key="magic_confirm_title", token=token, person_name=person.name
    )


@router.post("/lien/{token}")
def use_login_link(request: Request, session: DB, token: str) -> Response:
    try:
        link = redeem_magic_link(session, token)
    except LinkRefused as refused:
        if refused.reason != "unknown":  # a random address writes nothing, however often it is tried
            audit.record(session, actor="web", action="login_link.refused", reason=refused.reason)
        return _refused(request, refused.reason)
    account = session.exec(select(Account).where(Account.person_id == link.person_id)).first()
    cookie = open_session(
        session, person_id=link.person_id, account_id=account.id if account else None, via="magic-link"
    )
    audit.record(session, actor=f"person:{link.person_id}", action="login", person_id=link.person_id, via="magic-link")
    response = redirect(request, link.next_path)
    set_cookie(response, request, SESSION_COOKIE, cookie, max_age=int(SESSION_MAX_AGE.total_seconds()))
    return response


@router.get("/compte")
def account_page(request: Request, session: DB, viewer: LoggedIn) -> Response:
    lang = language_of(request)
    reminders = reminder_state(session, viewer.person, None, lang)
    return render(
        request, "account.html", viewer, title_key="account_title", error=None, notice=notice_of(request, lang),
        reminders=reminders,
    )


@router.post("/compte/mot-de-passe")
def set_password(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    current: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Set or change one's password; other browsers logged in as this person are logged out."""
    lang = language_of(request)
    try:
        change_password(
            session,
            person=viewer.person,
            account=viewer.account,
            current=current,
            new=password,
            confirm=confirm,
            keep_session_id=viewer.session_id,
        )
    except AccountError as problem:
        return render(
            request, "account.html", viewer, title_key="account_title", status_code=400, error=said(problem, request), notice=None
        )
    return render(
        request,
        "account.html",
        viewer,
        title_key="account_title",
        error=None,
        notice=i18n.translate("password_saved", lang),
    )


@router.post("/langue")
def switch_language(
    request: Request, lang: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    response = redirect(request, safe_next(next))
    set_cookie(response, request, LANG_COOKIE, "en" if lang == "en" else "fr", max_age=365 * 24 * 3600)
    return response
