"""The typed context of a charter, built from a project, its template and its members.

Everything a charter template prints is here, already in the charter's language: dates are
written out (« lundi 4 janvier 2027 »), roles carry what they do *and do not* do, and the
template's ``charter.sections`` either replace one of the charter's own sections (same key) or
are added after them. The builder is a pure function; :func:`charters.versions` feeds it from
the store.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from locales import gettext
from planning.calendar import long_date
from project_templates.schema import CharterSpec, ProjectTemplate

CharterLang = Literal["fr", "en"]

#: The charter's own sections, in order. A template section with one of these keys replaces it.
SECTION_KEYS: tuple[str, ...] = (
    "objet",
    "partenaires",
    "valeurs",
    "decisions",
    "disponibilite",
    "defraiement",
    "retrait",
    "donnees",
    "contacts",
    "signatures",
)



class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleView(Frozen):
    """One role of the project as the charter states it."""

    id: str
    label: str
    description: str | None = None
    limits: str | None = Field(default=None, description="What this role does not do.")
    volunteer: bool = False
    signer: bool = False
    people: list[str]


class PartnerView(Frozen):
    """One person taking part, with the labels of their roles."""

    person_id: int
    name: str
    roles: list[str]
    signer: bool


class SectionView(Frozen):
    title: str
    body: str


class CharterContext(Frozen):
    """Everything a charter template may print."""

    lang: CharterLang
    template_title: str
    project_name: str = Field(min_length=1)
    structure: str = Field(min_length=1)
    purpose: str
    start: str = Field(description="Start date written out, e.g. « lundi 4 janvier 2027 ».")
    end: str
    roles: list[RoleView]
    partners: list[PartnerView]
    signers: list[PartnerView]
    coordinators: list[str]
    compensation: str
    meeting_rhythm: str
    overrides: dict[str, SectionView] = Field(default_factory=dict)
    extra_sections: list[SectionView] = Field(default_factory=list)


class MemberRow(Frozen):
    """A person's place in the project, as the store gives it (one row per person and role)."""

    person_id: int
    name: str
    role: str


def _sections(spec: CharterSpec, lang: str) -> tuple[dict[str, SectionView], list[SectionView]]:
    overrides: dict[str, SectionView] = {}
    extra: list[SectionView] = []
    for key, section in spec.sections.items():
        view = SectionView(title=section.title.get(lang), body=section.body.get(lang).strip())
        if key in SECTION_KEYS:
            overrides[key] = view
        else:
            extra.append(view)
    return overrides, extra


_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>!~])")
_LINE_START_MARKUP = re.compile(r"^([#>=+-])")
_ORDERED_LIST = re.compile(r"^(\d+)([.)])")


def markdown_text(value: str) -> str:
    """User text (a name, a project, a structure) as Markdown that shows it literally: no link,
    image, HTML, emphasis, heading or list can come out of it, and it stays on one line."""
    one_line = _INLINE_MARKUP.sub(r"\\\1", " ".join(value.split()))
    return _ORDERED_LIST.sub(r"\1\\\2", _LINE_START_MARKUP.sub(r"\\\1", one_line))


def build_context(
    *,
    template: ProjectTemplate,
    project_name: str,
    structure: str,
    start: date,
    end: date,
    members: Sequence[MemberRow],
    lang: CharterLang = "fr",
) -> CharterContext:
    """The charter context of a project, in ``lang``. Roles appear in the template's order."""
    names: dict[int, str] = {}
    roles_of: dict[int, list[str]] = {}
    for row in members:
        names[row.person_id] = markdown_text(row.name)
        if row.role not in roles_of.setdefault(row.person_id, []):
            roles_of[row.person_id].append(row.role)

    role_views: list[RoleView] = []
    for role_id, role in template.roles.items():
        people = sorted(names[pid] for pid, ids in roles_of.items() if role_id in ids)
        if not people:
            continue
        role_views.append(
            RoleView(
                id=role_id,
                label=role.label.get(lang),
                description=role.description.get(lang).strip() if role.description else None,
                limits=role.limits.get(lang).strip() if role.limits else None,
                volunteer=role.volunteer,
                signer=role.signer,
                people=people,
            )
        )

    def label(role_id: str) -> str:
        role = template.roles.get(role_id)
        return role.label.get(lang) if role else role_id

    order = {role_id: index for index, role_id in enumerate(template.roles)}
    partners = [
        PartnerView(
            person_id=pid,
            name=names[pid],
            roles=[label(r) for r in sorted(ids, key=lambda r: order.get(r, len(order)))],
            signer=any(template.roles[r].signer for r in ids if r in template.roles),
        )
        for pid, ids in roles_of.items()
    ]
    partners.sort(key=lambda p: (min(order.get(r, len(order)) for r in roles_of[p.person_id]), p.name))
    coordinator_roles = set(template.coordinator_roles())
    coordinators = sorted(names[pid] for pid, ids in roles_of.items() if coordinator_roles & set(ids))

    spec = template.charter
    overrides, extra = _sections(spec, lang)
    return CharterContext(
        lang=lang,
        template_title=template.title.get(lang),
        project_name=markdown_text(project_name),
        structure=markdown_text(structure),
        purpose=template.description.get(lang).strip(),
        start=long_date(start, lang),
        end=long_date(end, lang),
        roles=role_views,
        partners=partners,
        signers=[p for p in partners if p.signer],
        coordinators=coordinators,
        compensation=spec.compensation.get(lang).strip() if spec.compensation else gettext("charter.default.compensation", lang),
        meeting_rhythm=(spec.meeting_rhythm.get(lang).strip() if spec.meeting_rhythm else gettext("charter.default.rhythm", lang)),
        overrides=overrides,
        extra_sections=extra,
    )
