"""Charte: read the charter, sign it (logged in, or from the partner's signing link), download the PDF.

After a signature the signer is sent the signed copy (:mod:`notifications.charter_confirmation`)."""

import logging
from dataclasses import dataclass
from functools import lru_cache

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from charters.exceptions import SigningLinkRefused
from charters.rendering import VersionStamp, markdown_to_html, render_html, render_pdf
from charters.signing import (
    CharterStatus,
    SignerState,
    SignerStatus,
    charter_status,
    check_signing_token,
    create_signing_link,
    record_signature,
    redeem_signing_token,
    sign_on_paper,
    signing_path,
)
from charters.verification import verify_charter
from charters.versions import all_versions, compare_versions, refresh_version, signing_language
from cocon.web import i18n
from cocon.web.access import Viewer, managed_project, member_or_404, visible_project
from cocon.web.mail import dispatch_soon, send_signing_link
from cocon.web.pages import (
    DB,
    LoggedIn,
    MaybeViewer,
    language_of,
    public_base,
    redirect,
    render,
    said,
    settings_of,
)
from cocon.web.project_frame import project_page, refused, reloaded
from notifications.charter_confirmation import queue_signature_confirmation
from notifications.timing import waits
from store.attention import Memo, data_stamp
from store.clock import today
from store.exceptions import CoconError
from store.models import CharterSignature, CharterVersion, Occasion, Person, Project, SignatureMethod
from store.tokens import token_hash

log = logging.getLogger(__name__)
router = APIRouter()


def _charter_html(version: CharterVersion) -> Markup:
    return _markdown(version.text)


@lru_cache(maxsize=128)
def _markdown(text: str) -> Markup:
    """The charter text as HTML: Markdown rendered by the charters service with raw HTML escaped.
    A version's text never changes, and rendering it is the page's costliest step: done once per text."""
    return Markup(markdown_to_html(text))


@dataclass(frozen=True)
class _CharterData:
    version: CharterVersion
    status: CharterStatus
    versions: list[CharterVersion]  # newest first


#: The charter's current version, status and history, per project, until the content version moves
#: (store/models/changes.py): refreshing the version renders the whole charter from the project.
_CHARTERS = Memo(64)


def _charter_data(session: Session, viewer: Viewer, project: Project) -> _CharterData:
    def compute() -> _CharterData:
        version = refresh_version(session, project, actor=viewer.actor).version
        status = charter_status(session, project, actor=viewer.actor)
        return _CharterData(version, status, list(reversed(all_versions(session, project, version.language))))

    # The version is read before the data: a refresh that writes a new version moves it, so what was
    # computed then is kept under a key no later request asks for.
    found = _CHARTERS(("charter-page", data_stamp(session), project.id, today()), compute)
    assert isinstance(found, _CharterData)
    return found


def _pdf(project: Project, version: CharterVersion) -> Response:
    stamp = VersionStamp.of(version)
    page = render_html(version.text, lang=version.language, title=project.name, stamp=stamp)
    filename = f"charte-{project.slug}-v{version.number}.pdf"
    return Response(
        render_pdf(page),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _confirm(session: Session, project: Project, person: Person, signature: CharterSignature) -> bool:
    """Queue the signed copy to the signer. The signature stands even if its copy cannot be made
    (the coordination can send the PDF): that failure is logged, by type only, and rolled back alone."""
    try:
        with session.begin_nested():
            return queue_signature_confirmation(session, project, person, signature) is not None
    except Exception as error:
        log.error("la confirmation de signature n'a pas pu être préparée (%s)", type(error).__name__)
        return False


def _charter_refused(request: Request, session: Session, viewer: Viewer, project: Project, error: CoconError) -> Response:
    """The charter page again, its data read afresh after the refused action, with the sentence."""
    return _charter_page(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request),
                         status_code=400)


def _charter_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    project: Project,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    data = _charter_data(session, viewer, project)
    version, status = data.version, data.status
    mine = next((s for s in status.signers if s.person_id == viewer.person_id), None)
    lang = language_of(request)
    return project_page(
        request,
        session,
        viewer,
        project,
        "charter.html",
        section="charter",
        status_code=status_code,
        version=version,
        text=_charter_html(version),
        status=status,
        not_signed=unsigned_signers(status),
        can_sign=mine is not None and mine.required and mine.state != SignerState.SIGNED,
        error=error,
        describe=lambda s: s.describe(lang),
        versions=data.versions,
    )


def unsigned_signers(status: CharterStatus) -> list[SignerStatus]:
    """Who must sign the current version and has not: people whose role signs, and only them."""
    return [s for s in status.signers if s.required and s.state != SignerState.SIGNED]


@router.get("/projets/{slug}/charte")
def charter_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = visible_project(session, viewer, slug)
    return _charter_page(request, session, viewer, project)


@router.post("/projets/{slug}/charte/signer")
def sign_charter(
    request: Request, session: DB, viewer: LoggedIn, background: BackgroundTasks, slug: str
) -> Response:
    project = visible_project(session, viewer, slug)
    try:
        signature = record_signature(session, project, viewer.person, method=SignatureMethod.LINK, actor=viewer.actor)
    except CoconError as error:
        return _charter_refused(request, session, viewer, project, error)
    if _confirm(session, project, viewer.person, signature):
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/charte?ok=signed")


@router.get("/projets/{slug}/charte/changements/{number}")
def charter_changes(request: Request, session: DB, viewer: LoggedIn, slug: str, number: str) -> Response:
    """What changed in version ``number`` compared with the one before (as ``cocon charter diff``)."""
    project = managed_project(session, viewer, slug)
    if not number.isdigit() or len(number) > 6:
        raise HTTPException(status_code=404)
    try:
        comparison = compare_versions(session, project, actor=viewer.actor, lang=signing_language(project),
                                      to_number=int(number))
    except CoconError:
        session.rollback()
        return redirect(request, f"/projets/{slug}/charte")
    lines = [(line[:1], line) for line in comparison.changes.splitlines()[2:]]  # no file header lines
    return project_page(
        request, session, viewer, project, "charter_changes.html", section="charter",
        comparison=comparison, lines=lines,
    )


@router.post("/projets/{slug}/charte/verifier")
def charter_verify_action(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    """Recompute every stored hash of the charter (as ``cocon charter verify``)."""
    project = managed_project(session, viewer, slug)
    problems, count = verify_charter(session, project, actor=viewer.actor)
    if problems:
        return redirect(request, f"/projets/{slug}/charte?ok=charter_tampered&n={len(problems)}")
    return redirect(request, f"/projets/{slug}/charte?ok=charter_intact&n={count}")


@router.get("/projets/{slug}/charte.pdf")
def charter_pdf(session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = visible_project(session, viewer, slug)
    return _pdf(project, refresh_version(session, project, actor=viewer.actor).version)


@router.post("/projets/{slug}/charte/lien/{person_id}")
def send_signing_link_action(
    request: Request, session: DB, viewer: LoggedIn, background: BackgroundTasks, slug: str, person_id: int
) -> Response:
    """Email a signer a single-use link to read and sign the charter."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    if not person.email:
        return _charter_page(
            request,
            session,
            viewer,
            project,
            status_code=400,
            error=i18n.translate("no_email", language_of(request), name=person.name),
        )
    try:
        _send_link(request, session, viewer, project, person)
    except CoconError as error:
        return _charter_refused(request, session, viewer, project, error)
    dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/charte?ok=sign_link")


def _send_link(request: Request, session: Session, viewer: Viewer, project: Project, person: Person) -> None:
    """Queue the email carrying a new single-use signing link for ``person``."""
    token = create_signing_link(session, project, person, actor=viewer.actor)
    assert project.id is not None
    send_signing_link(
        session,
        person=person,
        project_id=project.id,
        project_name=project.name,
        url=f"{public_base(request)}{signing_path(token)}",
        lang=person.language,
        link_ref=token_hash(token)[:16],
    )


@router.post("/projets/{slug}/charte/liens")
def send_all_links_action(
    request: Request, session: DB, viewer: LoggedIn, background: BackgroundTasks, slug: str
) -> Response:
    """Email a signing link to everyone who must sign and has not (and has an email address)."""
    project = managed_project(session, viewer, slug)
    assert project.id is not None
    status = charter_status(session, project, actor=viewer.actor)
    sent = later = 0
    try:
        for signer in unsigned_signers(status):
            person = member_or_404(session, project, signer.person_id)
            if not person.email:
                continue
            _send_link(request, session, viewer, project, person)
            sent += 1
            later += waits(session, person, project_id=project.id, occasion=Occasion.CHARTER_LINK)
    except CoconError as error:
        return _charter_refused(request, session, viewer, project, error)
    if sent:
        dispatch_soon(background, settings_of(request).database_url)
    key = "sign_links_none" if not sent else "sign_links_later" if later else "sign_links"
    return redirect(request, f"/projets/{slug}/charte?ok={key}&n={sent}&plus_tard={later}")


@router.post("/projets/{slug}/charte/papier/{person_id}")
def paper_signature_action(request: Request, session: DB, viewer: LoggedIn, slug: str, person_id: int) -> Response:
    """The coordination records a signature made on the printed charter."""
    project = managed_project(session, viewer, slug)
    person = member_or_404(session, project, person_id)
    try:
        sign_on_paper(session, project, person, actor=viewer.actor)
    except CoconError as error:
        return _charter_refused(request, session, viewer, project, error)
    return redirect(request, f"/projets/{slug}/charte?ok=paper")


def _link_refused(request: Request, viewer: Viewer | None, error: SigningLinkRefused) -> Response:
    return render(
        request,
        "message.html",
        viewer,
        title_key="link_refused_title",
        status_code=410,
        message=said(error, request),
        link=None,
        link_label="",
    )


@router.get("/charte/signer/{token}")
def signing_link_page(request: Request, session: DB, viewer: MaybeViewer, token: str) -> Response:
    """The page a partner's signing link opens: the charter and a button to sign (GET never signs)."""
    try:
        found = check_signing_token(session, token)
    except SigningLinkRefused as error:
        return _link_refused(request, viewer, error)
    return render(
        request,
        "charter_link.html",
        viewer,
        title_key="charter_title",
        project=found.project,
        person=found.person,
        version=found.version,
        text=_charter_html(found.version),
        token=token,
    )


@router.get("/charte/signer/{token}/pdf")
def signing_link_pdf(request: Request, session: DB, viewer: MaybeViewer, token: str) -> Response:
    try:
        found = check_signing_token(session, token)
    except SigningLinkRefused as error:
        return _link_refused(request, viewer, error)
    return _pdf(found.project, found.version)


@router.post("/charte/signer/{token}")
def sign_with_link(
    request: Request, session: DB, viewer: MaybeViewer, background: BackgroundTasks, token: str
) -> Response:
    try:
        signature = redeem_signing_token(session, token)
    except SigningLinkRefused as error:
        return _link_refused(request, viewer, error)
    except CoconError as error:
        session.rollback()
        return render(
            request,
            "message.html",
            viewer,
            title_key="charter_title",
            status_code=400,
            message=said(error, request),
            link=None,
            link_label="",
        )
    version = session.get(CharterVersion, signature.version_id)
    assert version is not None
    project, signer = session.get(Project, version.project_id), session.get(Person, signature.person_id)
    if project and signer and _confirm(session, project, signer, signature):
        dispatch_soon(background, settings_of(request).database_url)
    return render(
        request,
        "message.html",
        viewer,
        title_key="charter_signed_title",
        message=i18n.translate(
            "charter_signed_text", language_of(request), number=version.number, sha=version.sha256[:12]
        ),
        link="/connexion",
        link_label=i18n.translate("charter_follow_project", language_of(request)),
    )
