"""Projects: created from a template, planned backwards from their end date, listed and read."""

import re
import unicodedata
from collections.abc import Collection
from datetime import date
from functools import lru_cache

from sqlmodel import Session, col, select

from locales import gettext
from planning.calendar import HolidayZone, long_date
from planning.planner import PlanError, schedule
from project_templates import LoadedTemplate, ProjectTemplate, parse_template
from store import audit, limits
from store.clock import today
from store.exceptions import InvalidInput, Phrase, ProjectNotFound
from store.limits import check_length
from store.models import Account, Membership, PlanStep, Project, ProjectPhase, TemplateRecord


def slugify(text: str) -> str:
    """``Accueil MSP Valras`` → ``accueil-msp-valras``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "projet"


def _template_record(session: Session, loaded: LoadedTemplate) -> TemplateRecord:
    existing = session.exec(
        select(TemplateRecord).where(
            TemplateRecord.template_id == loaded.template.id,
            TemplateRecord.version == loaded.template.version,
            TemplateRecord.content_hash == loaded.content_hash,
        )
    ).first()
    if existing:
        return existing
    record = TemplateRecord(
        template_id=loaded.template.id,
        version=loaded.template.version,
        content_hash=loaded.content_hash,
        content=loaded.text,
        source=loaded.source[-300:],
    )
    session.add(record)
    session.flush()
    return record


#: Short ids the web app uses for its own pages under /projets/ (a project named "Nouveau" gets nouveau-2).
RESERVED_SLUGS = frozenset({"nouveau"})


def _unique_slug(session: Session, wanted: str) -> str:
    slug, number = wanted, 2
    while slug in RESERVED_SLUGS or session.exec(select(Project.id).where(Project.slug == slug)).first() is not None:
        slug = f"{wanted}-{number}"
        number += 1
    return slug


def create_project(
    session: Session,
    *,
    loaded: LoadedTemplate,
    name: str,
    structure: str,
    end: date,
    start: date | None = None,
    slug: str | None = None,
    actor: str,
    team_channel: str | None = None,
    language: str = "fr",
    allowed_structures: Collection[str] | None = None,
    holiday_zone: HolidayZone = HolidayZone.METROPOLE,
) -> Project:
    """Instantiate a template: store its exact text, the project and its planned steps.

    ``allowed_structures`` are the structures the person creating it belongs to (see
    :func:`structures_of`); None for the command line, run by whoever administers the database.
    ``holiday_zone`` is the structure's: in Alsace-Moselle, Good Friday and 26 December are not
    working days either.
    """
    if not name.strip():
        raise InvalidInput("error.store.project_name_required")
    if not structure.strip():
        raise InvalidInput("error.store.structure_required")
    start = start or today()
    if slug is not None and slugify(slug) != slug:
        raise InvalidInput("error.store.slug_format", slug=slug, example=slugify(slug))
    if slug in RESERVED_SLUGS:
        raise InvalidInput("error.store.slug_reserved", slug=slug)
    check_length(name, field=Phrase("error.field.project_name"), limit=limits.NAME)
    check_length(structure, field=Phrase("error.field.structure_name"), limit=limits.NAME)
    if allowed_structures is not None and structure.strip().casefold() not in {
        s.strip().casefold() for s in allowed_structures
    }:
        raise InvalidInput("error.store.structure_not_followed", structure=structure.strip())
    if slug is not None and session.exec(select(Project.id).where(Project.slug == slug)).first() is not None:
        raise InvalidInput("error.store.slug_taken", slug=slug)
    try:
        plan = schedule(loaded.template, start, end, zone=holiday_zone)
    except PlanError as exc:
        raise InvalidInput(exc.key, **exc.values) from None
    record = _template_record(session, loaded)
    project = Project(
        slug=slug or _unique_slug(session, slugify(name)),
        name=name.strip(),
        structure=structure.strip(),
        holiday_zone=holiday_zone,
        template_record_id=record.id or 0,
        start=start,
        end=end,
        language=language,
        team_channel=team_channel,
    )
    session.add(project)
    session.flush()
    assert project.id is not None
    for item in plan:
        session.add(
            PlanStep(
                project_id=project.id,
                key=item.key,
                template_step=item.step_id,
                occurrence=item.occurrence,
                position=item.position,
                phase=item.phase.value,
                kind=item.kind.value,
                owner_role=item.owner,
                due=item.due,
                baseline_due=item.due,
                depends_on=list(item.depends_on),
            )
        )
    audit.record(
        session,
        actor=actor,
        action="project.created",
        project_id=project.id,
        template=loaded.template.id,
        template_version=loaded.template.version,
        template_hash=loaded.content_hash,
        start=start.isoformat(),
        end=end.isoformat(),
        steps=len(plan),
    )
    session.flush()
    return project


def structures_of(session: Session, person_id: int) -> set[str]:
    """The structures a person belongs to: those their account follows and those of the projects
    they are a member of."""
    followed = session.exec(select(Account.structures).where(Account.person_id == person_id)).first() or []
    member_of = session.exec(
        select(Project.structure)
        .join(Membership, col(Membership.project_id) == col(Project.id))
        .where(Membership.person_id == person_id, col(Membership.left_at).is_(None))
    ).all()
    return {*followed, *member_of}


def get_project(session: Session, slug: str) -> Project:
    project = session.exec(select(Project).where(Project.slug == slug)).first()
    if project is None:
        known = session.exec(select(Project.slug).order_by(col(Project.slug)).limit(10)).all()
        if known:
            raise ProjectNotFound("error.store.project_not_found", slug=slug, known=list(known))
        raise ProjectNotFound("error.store.project_not_found_none", slug=slug)
    return project


def list_projects(
    session: Session, *, structure: str | None = None, phase: ProjectPhase | None = None
) -> list[Project]:
    query = select(Project).order_by(col(Project.end), col(Project.slug))
    if structure:
        query = query.where(Project.structure == structure)
    if phase:
        query = query.where(Project.phase == phase)
    return list(session.exec(query))


@lru_cache(maxsize=64)
def _parse_cached(content_hash: str, content: str, source: str) -> ProjectTemplate:
    return parse_template(content, source)


def template_of(session: Session, project: Project) -> ProjectTemplate:
    """The template exactly as it was when the project was created."""
    return template_of_record(session, project.template_record_id)


#: Template records never change once written: (database, record id) → template, so that a page
#: does not read the template's text again (one query of ~10 ms on a busy machine, per use).
_BY_RECORD: dict[tuple[str, int], ProjectTemplate] = {}


def template_of_record(session: Session, record_id: int) -> ProjectTemplate:
    """The template stored as ``record_id`` (read and parsed once per process)."""
    key = (str(session.get_bind().engine.url), record_id)
    known = _BY_RECORD.get(key)
    if known is not None:
        return known
    record = session.get(TemplateRecord, record_id)
    assert record is not None
    template = _parse_cached(record.content_hash, record.content, f"{record.template_id}@{record.version}")
    _BY_RECORD[key] = template
    return template


def describe_dates(project: Project, lang: str = "fr") -> str:
    return gettext("project.dates", lang, start=long_date(project.start, lang), end=long_date(project.end, lang))
