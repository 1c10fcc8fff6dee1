"""Charter versions: one per distinct text, numbered per project and language, with a SHA-256.

Re-rendering after the project or its template changed stores a new version only when the
text differs; the signed language is the project's own (:func:`signing_language`), and a new
version of it sends a done charter step back to ``planned`` so everyone signs again.
"""

import difflib
import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, select

from charters.context import CharterContext, CharterLang, MemberRow, build_context
from charters.exceptions import CharterTampered, VersionNotFound
from charters.rendering import render_markdown
from charters.steps import reopen_charter_steps
from locales.stored import written
from store import audit
from store.models import CharterVersion, Project
from store.people import members
from store.projects import template_of


def sha256_text(text: str) -> str:
    """The SHA-256 (hex) of a charter text, as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signing_language(project: Project) -> CharterLang:
    """The language of the charter people sign: the project's (French unless it is English)."""
    return "en" if project.language == "en" else "fr"


def charter_context(session: Session, project: Project, lang: CharterLang) -> CharterContext:
    """The charter context of a project, from its template and its active members."""
    rows = [
        MemberRow(person_id=person.id or 0, name=person.name, role=membership.role)
        for person, membership in members(session, project)
    ]
    return build_context(
        template=template_of(session, project),
        project_name=project.name,
        structure=project.structure,
        start=project.start,
        end=project.end,
        members=rows,
        lang=lang,
    )


def charter_template_id(session: Session, project: Project) -> str:
    return template_of(session, project).charter.template


def all_versions(session: Session, project: Project, lang: str | None = None) -> list[CharterVersion]:
    """Every stored version of a project's charter, oldest first (one language, or all)."""
    query = select(CharterVersion).where(CharterVersion.project_id == project.id)
    if lang is not None:
        query = query.where(CharterVersion.language == lang)
    return list(session.exec(query.order_by(col(CharterVersion.language), col(CharterVersion.number))))


def latest_version(session: Session, project: Project, lang: str) -> CharterVersion | None:
    return session.exec(
        select(CharterVersion)
        .where(CharterVersion.project_id == project.id, CharterVersion.language == lang)
        .order_by(col(CharterVersion.number).desc())
    ).first()


def get_version(session: Session, project: Project, number: int, lang: str) -> CharterVersion:
    version = session.exec(
        select(CharterVersion).where(
            CharterVersion.project_id == project.id,
            CharterVersion.language == lang,
            CharterVersion.number == number,
        )
    ).first()
    if version is None:
        latest = latest_version(session, project, lang)
        if latest:
            raise VersionNotFound("error.charters.version_not_found", number=number, project=project.slug, latest=latest.number)
        raise VersionNotFound("error.charters.version_not_found_none", number=number, project=project.slug)
    return version


@dataclass(frozen=True)
class Refresh:
    """The current version after re-rendering, and whether it was just created."""

    version: CharterVersion
    created: bool


def refresh_version(session: Session, project: Project, *, actor: str, lang: CharterLang | None = None) -> Refresh:
    """Render the charter from the project as it is now; store a new version if the text changed."""
    lang = lang or signing_language(project)
    template_id = charter_template_id(session, project)
    text = render_markdown(charter_context(session, project, lang), template_id)
    digest = sha256_text(text)
    latest = latest_version(session, project, lang)
    if latest is not None and latest.sha256 == digest:
        if latest.text != text:
            # Never show or let anyone sign a text edited behind Cocon's back.
            raise CharterTampered("error.charters.tampered", version=latest.number, project=project.slug)
        return Refresh(latest, created=False)
    assert project.id is not None
    version = CharterVersion(
        project_id=project.id,
        number=(latest.number + 1) if latest else 1,
        template=template_id,
        language=lang,
        text=text,
        sha256=digest,
        created_by=actor,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="charter.version_created",
        project_id=project.id,
        version=version.number,
        language=lang,
        template=template_id,
        sha256=digest,
    )
    if latest is not None and lang == signing_language(project):
        reopen_charter_steps(
            session, project, actor=actor, reason=written("stored.charter.new_version", number=version.number)
        )
    return Refresh(version, created=True)


def diff_versions(old: CharterVersion, new: CharterVersion) -> str:
    """A unified diff between two versions' texts (empty when they are identical)."""
    return "".join(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"version {old.number} ({old.sha256[:12]})",
            tofile=f"version {new.number} ({new.sha256[:12]})",
        )
    )


@dataclass(frozen=True)
class Comparison:
    """Two versions of a charter and what changed between them (``changes`` empty: identical;
    ``old`` None: there is only one version, nothing to compare)."""

    old: CharterVersion | None
    new: CharterVersion
    changes: str


def compare_versions(
    session: Session,
    project: Project,
    *,
    actor: str,
    lang: CharterLang,
    from_number: int | None = None,
    to_number: int | None = None,
) -> Comparison:
    """What changed between two versions (default: the current one and the one before), recorded
    in the audit log as a consultation."""
    latest = refresh_version(session, project, actor=actor, lang=lang).version
    new = get_version(session, project, to_number, lang) if to_number is not None else latest
    if from_number is None and new.number == 1:
        return Comparison(None, new, "")
    old = get_version(session, project, from_number if from_number is not None else new.number - 1, lang)
    audit.record(session, actor=actor, action="charter.diffed", project_id=project.id, old=old.number,
                 new=new.number, language=lang)
    return Comparison(old, new, diff_versions(old, new))
