"""Logging in and out: passwords (throttled), magic links by email, setting a password, language."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, func, select

from cocon.web import i18n
from cocon.web.mail import dispatch_soon, send_login_link
from cocon.web.pages import (
    DB,
    LoggedIn,
    MaybeViewer,
    language_of,
    public_base,
    redirect,
    render,
    set_cookie,
    settings_of,
)
from cocon.web.pauses import reminder_state
from cocon.web.security import (
    LANG_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    LinkRefused,
    check_magic_link,
    close_session,
    create_magic_link,
    find_account,
    hash_password,
    normalise_email,
    open_session,
    password_problem,
    prune,
    record_attempt,
    redeem_magic_link,
    safe_next,
    throttle_state,
    verify_password,
)
from store import audit
from store.clock import now
from store.models import Account, AccountKind, MagicLink, Membership, Person

router = APIRouter()

#: At most this many login links are emailed to one person per hour.
MAX_LINKS_PER_HOUR = 3


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


def _person_for_link(session: Session, email: str) -> Person | None:
    """Someone who may receive a login link: a member of a project, reachable by email."""
    address = normalise_email(email)
    person = session.exec(select(Person).where(Person.email == address)).first()
    if person is None or person.opted_out:
        return None
    return person


def _links_sent_recently(session: Session, person_id: int) -> int:
    since = now() - timedelta(hours=1)
    return session.exec(
        select(func.count())
        .select_from(MagicLink)
        .where(MagicLink.person_id == person_id, col(MagicLink.created_at) >= since)
    ).one()


def email_login_link(
    request: Request, session: Session, person: Person, background: BackgroundTasks, *, next_path: str = "/", actor: str
) -> bool:
    """Create a link for a person and put the email in the outbox; False if nothing was sent."""
    assert person.id is not None
    if _links_sent_recently(session, person.id) >= MAX_LINKS_PER_HOUR:
        return False
    project_id = session.exec(
        select(Membership.project_id).where(Membership.person_id == person.id, col(Membership.left_at).is_(None))
    ).first()
    if project_id is None or not person.email:
        return False
    token, link = create_magic_link(session, person_id=person.id, next_path=next_path)
    base = public_base(request)
    send_login_link(
        session,
        person=person,
        project_id=project_id,
        link_id=link.id or 0,
        url=f"{base}/lien/{token}",
        lang=person.language,
    )
    audit.record(session, actor=actor, action="login_link.sent", project_id=project_id, person_id=person.id)
    dispatch_soon(background, settings_of(request).database_url)
    return True


@router.post("/connexion/lien")
def ask_login_link(
    request: Request, session: DB, background: BackgroundTasks, email: Annotated[str, Form()] = ""
) -> Response:
    person = _person_for_link(session, email)
    if person is not None:
        email_login_link(request, session, person, background, actor=f"person:{person.id}")
    # Same answer whether or not the address is known, so that the form reveals nothing.
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
    reminders = reminder_state(session, viewer.person, None, language_of(request))
    return render(request, "account.html", viewer, title_key="account_title", error=None, notice=None, reminders=reminders)


@router.post("/compte/mot-de-passe")
def set_password(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    lang = language_of(request)
    problem = password_problem(password, lang)
    if problem is None and password != confirm:
        problem = i18n.translate("password_mismatch", lang)
    if problem is None and not viewer.person.email:
        problem = i18n.translate("password_needs_email", lang)
    if problem is not None:
        return render(
            request, "account.html", viewer, title_key="account_title", status_code=400, error=problem, notice=None
        )
    account = viewer.account
    if account is None:
        assert viewer.person.email is not None
        account = Account(
            person_id=viewer.person_id, email=normalise_email(viewer.person.email), kind=AccountKind.PARTNER
        )
    account.password_hash = hash_password(password)
    session.add(account)
    audit.record(session, actor=viewer.actor, action="password.set", person_id=viewer.person_id)
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
