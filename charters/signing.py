"""Signatures of the charter: on paper (recorded by the coordinator) or by a single-use link.

A signing link carries ``secrets.token_urlsafe(32)`` (256 bits); only its SHA-256 is stored. It
is bound to one person, one project and the charter version current when it was issued, and
expires after :data:`LINK_VALIDITY`. :func:`redeem_signing_token` is what the web page calls;
every refusal (unknown, used, expired, foreign, outdated token) is written to the audit log and
committed before the error is raised, so the trace survives the caller's rollback.

When every required signer (an active member whose role has ``signer: true``) has signed the
current version, the plan's charter steps are marked done.
"""

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from charters.exceptions import (
    AlreadySigned,
    ForeignSigningToken,
    NotAMember,
    OutdatedSigningToken,
    SigningLinkRefused,
    SigningTokenExpired,
    SigningTokenUsed,
    UnknownSigningToken,
    VersionNotCurrent,
)
from charters.steps import complete_charter_steps
from charters.versions import all_versions, refresh_version, signing_language
from locales import gettext
from locales.labels import label
from planning.calendar import long_datetime
from store import audit
from store.clock import PARIS, now
from store.models import CharterSignature, CharterVersion, Person, Project, SignatureMethod, SigningToken
from store.people import members
from store.projects import template_of
from store.tokens import claim_once, new_token, token_hash

LINK_VALIDITY = timedelta(days=30)
LINK_PREFIX = "/charte/signer/"


def signing_path(token: str) -> str:
    """The path of the web page where a token is redeemed."""
    return f"{LINK_PREFIX}{token}"


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def signature_hash(*, version_sha256: str, person_id: int, signed_at: datetime, method: str) -> str:
    """The hash sealing a signature to the exact text signed, the signer, the time and the method."""
    payload = f"{version_sha256}|{person_id}|{_instant(signed_at)}|{method}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- who must sign ----------------------------------------------------------------------------


def _member_roles(session: Session, project: Project) -> dict[int, tuple[Person, list[str]]]:
    result: dict[int, tuple[Person, list[str]]] = {}
    for person, membership in members(session, project):
        assert person.id is not None
        result.setdefault(person.id, (person, []))[1].append(membership.role)
    return result


def _require_member(session: Session, project: Project, person: Person) -> None:
    if person.id not in _member_roles(session, project):
        raise NotAMember("error.charters.not_a_member", person=person.name, project=project.slug)


def _signatures_of(session: Session, version: CharterVersion) -> dict[int, CharterSignature]:
    rows = session.exec(select(CharterSignature).where(CharterSignature.version_id == version.id))
    return {row.person_id: row for row in rows}


# --- recording a signature --------------------------------------------------------------------


def record_signature(
    session: Session,
    project: Project,
    person: Person,
    *,
    method: SignatureMethod,
    actor: str,
    expected_version: int | None = None,
) -> CharterSignature:
    """Record that ``person`` signed the current version; completes the charter step if all did.

    ``expected_version`` is the number printed on the copy that was signed: it must be current.
    """
    _require_member(session, project, person)
    version = refresh_version(session, project, actor=actor).version
    assert version.id is not None and person.id is not None
    if expected_version is not None and expected_version != version.number:
        raise VersionNotCurrent("error.charters.version_not_current", current=version.number, signed=expected_version,
                                project=project.slug)
    if person.id in _signatures_of(session, version):
        raise AlreadySigned("error.charters.already_signed", person=person.name, version=version.number)
    signed_at = now()
    signature = CharterSignature(
        version_id=version.id,
        person_id=person.id,
        method=method,
        signed_at=signed_at,
        recorded_by=actor,
        signature_hash=signature_hash(
            version_sha256=version.sha256, person_id=person.id, signed_at=signed_at, method=method.value
        ),
    )
    session.add(signature)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="charter.signed",
        project_id=project.id,
        person_id=person.id,
        version=version.number,
        sha256=version.sha256,
        method=method.value,
    )
    if _status(session, project, version).complete:
        complete_charter_steps(
            session,
            project,
            actor=actor,
            note=f"charte version {version.number} signée par toutes les personnes requises",
        )
    return signature


def sign_on_paper(
    session: Session, project: Project, person: Person, *, actor: str, expected_version: int | None = None
) -> CharterSignature:
    """The coordinator records a signature made on the printed charter (of ``expected_version``, if given)."""
    return record_signature(
        session, project, person, method=SignatureMethod.PAPER, actor=actor, expected_version=expected_version
    )


# --- signing links ------------------------------------------------------------------------------


def create_signing_link(
    session: Session,
    project: Project,
    person: Person,
    *,
    actor: str,
    valid_for: timedelta = LINK_VALIDITY,
    version: CharterVersion | None = None,
) -> str:
    """Issue a single-use link for ``person`` to sign the current version; returns the raw token once.

    ``version`` is that current version when the caller has just refreshed it (a batch of
    reminders refreshes each project's charter once, not once per person)."""
    _require_member(session, project, person)
    version = version or refresh_version(session, project, actor=actor).version
    assert project.id is not None and person.id is not None
    token = new_token()
    expires_at = now() + valid_for
    row = SigningToken(
        token_hash=token_hash(token),
        project_id=project.id,
        person_id=person.id,
        version_id=version.id,
        created_by=actor,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="charter.link_created",
        project_id=project.id,
        person_id=person.id,
        link_id=row.id,
        version=version.number,
        expires_at=expires_at.isoformat(),
    )
    return token


@dataclass(frozen=True)
class SigningRequest:
    """What a valid link lets its holder sign (for the page to show before signing)."""

    link: SigningToken
    project: Project
    person: Person
    version: CharterVersion


def _refuse(
    session: Session, error: SigningLinkRefused, link: SigningToken | None, **details: Any
) -> SigningLinkRefused:
    if link is None:  # a random address: nothing to tell the project, and no row per guess
        return error
    audit.record(
        session,
        actor="lien de signature",
        action="charter.link_refused",
        project_id=link.project_id if link else None,
        person_id=link.person_id if link else None,
        reason=error.reason,
        link_id=link.id if link else None,
        **details,
    )
    session.commit()
    return error


def check_signing_token(session: Session, token: str, *, project_slug: str | None = None) -> SigningRequest:
    """Validate a token without using it. Refusals are audited and raise a :class:`SigningLinkRefused`."""
    link = session.exec(select(SigningToken).where(SigningToken.token_hash == token_hash(token))).first()
    if link is None:
        raise _refuse(
            session,
            UnknownSigningToken("error.charters.link_unknown"),
            None,
        )
    project = session.get(Project, link.project_id)
    person = session.get(Person, link.person_id)
    assert project is not None and person is not None
    if project_slug is not None and project_slug != project.slug:
        raise _refuse(
            session,
            ForeignSigningToken("error.charters.link_other_project"),
            link,
            presented_for=project_slug,
        )
    if link.used_at is not None:
        raise _refuse(
            session,
            SigningTokenUsed("error.charters.link_used"),
            link,
        )
    if link.expires_at <= now():
        raise _refuse(
            session,
            SigningTokenExpired("error.charters.link_expired"),
            link,
        )
    if person.id not in _member_roles(session, project):
        raise _refuse(
            session,
            ForeignSigningToken("error.charters.link_person_left", person=person.name),
            link,
        )
    version = refresh_version(session, project, actor="lien de signature").version
    if link.version_id != version.id:
        raise _refuse(
            session,
            OutdatedSigningToken("error.charters.link_outdated"),
            link,
            current_version=version.number,
        )
    return SigningRequest(link=link, project=project, person=person, version=version)


def redeem_signing_token(session: Session, token: str, *, project_slug: str | None = None) -> CharterSignature:
    """Sign through a link: check it, use it up, and record the signature (method ``link``)."""
    request = check_signing_token(session, token, project_slug=project_slug)
    assert request.link.id is not None
    # One conditional UPDATE: of concurrent requests with the same link, exactly one signs.
    if not claim_once(session, SigningToken, request.link.id, column="used_at", value=now()):
        raise SigningTokenUsed("error.charters.link_used")
    session.refresh(request.link)
    return record_signature(
        session, request.project, request.person, method=SignatureMethod.LINK, actor=f"person:{request.person.id}"
    )


# --- status ---------------------------------------------------------------------------------------


class SignerState(StrEnum):
    SIGNED = "signed"
    OUTDATED = "outdated"
    MISSING = "missing"




@dataclass(frozen=True)
class SignerStatus:
    person_id: int
    name: str
    roles: list[str]
    required: bool
    state: SignerState
    version: int | None
    signed_at: datetime | None
    method: SignatureMethod | None

    def describe(self, lang: str = "fr") -> str:
        method = label("signature_method", self.method, lang) if self.method else ""
        at = long_datetime(self.signed_at.astimezone(PARIS), lang) if self.signed_at else ""
        return gettext(f"label.signer_state.{self.state.value}", lang, version=self.version, at=at, method=method)


@dataclass(frozen=True)
class CharterStatus:
    project: str
    version: int
    sha256: str
    language: str
    signers: list[SignerStatus]

    @property
    def complete(self) -> bool:
        required = [s for s in self.signers if s.required]
        return bool(required) and all(s.state == SignerState.SIGNED for s in required)

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "complete": self.complete,
            "signers": [
                {**asdict(s), "signed_at": s.signed_at.isoformat() if s.signed_at else None} for s in self.signers
            ],
        }


def charter_status(session: Session, project: Project, *, actor: str) -> CharterStatus:
    """Who signed the current version, who signed an earlier one, who has not signed."""
    return _status(session, project, refresh_version(session, project, actor=actor).version)


def _status(session: Session, project: Project, current: CharterVersion) -> CharterStatus:
    """The status against ``current``, the version just refreshed (rendering it again is the costly part)."""
    lang = signing_language(project)
    template = template_of(session, project)
    versions = {v.id: v for v in all_versions(session, project, lang)}
    latest_by_person: dict[int, CharterSignature] = {}
    signatures = session.exec(
        select(CharterSignature)
        .where(col(CharterSignature.version_id).in_(list(versions)))
        .order_by(col(CharterSignature.signed_at))
    )
    for signed in signatures:
        latest_by_person[signed.person_id] = signed
    rows: list[SignerStatus] = []
    for person_id, (person, role_ids) in _member_roles(session, project).items():
        roles = [r for r in template.roles if r in role_ids]
        signature = latest_by_person.get(person_id)
        signed_version = versions[signature.version_id] if signature else None
        if signature is None or signed_version is None:
            state = SignerState.MISSING
        elif signed_version.id == current.id:
            state = SignerState.SIGNED
        else:
            state = SignerState.OUTDATED
        rows.append(
            SignerStatus(
                person_id=person_id,
                name=person.name,
                roles=[template.roles[r].label.get(lang) for r in roles],
                required=any(template.roles[r].signer for r in roles),
                state=state,
                version=signed_version.number if signed_version else None,
                signed_at=signature.signed_at if signature else None,
                method=signature.method if signature else None,
            )
        )
    return CharterStatus(
        project=project.slug, version=current.number, sha256=current.sha256, language=lang, signers=rows
    )
