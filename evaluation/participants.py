"""Who counts as a partner (a user member) and who was expected at a gathering.

A *partner* is someone holding a role the template marks ``volunteer`` (patient or carer
partner, user representative): the indicators about "personnes usagères" count them, and the
questionnaire keeps only this group (partner / professional) with an anonymous answer.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from project_templates.schema import EVERYONE, ProjectTemplate
from store.models import Membership, Person, RoleGroup


def partner_roles(template: ProjectTemplate) -> frozenset[str]:
    """Role ids held by users (the template's volunteer roles)."""
    return frozenset(role_id for role_id, role in template.roles.items() if role.volunteer)


def coordinator_roles(template: ProjectTemplate) -> frozenset[str]:
    return frozenset(template.coordinator_roles())


def role_group(template: ProjectTemplate, roles: Iterable[str]) -> RoleGroup:
    """Partner if any of the roles is a user role, else professional."""
    return RoleGroup.PARTNER if partner_roles(template) & set(roles) else RoleGroup.PROFESSIONAL


@dataclass(frozen=True)
class Member:
    """A person with all the roles they hold in one project."""

    person: Person
    roles: tuple[str, ...]
    active: bool

    @property
    def id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def name(self) -> str:
        return self.person.name


def group_members(rows: Sequence[tuple[Person, Membership]]) -> list[Member]:
    """One :class:`Member` per person, in order of first appearance."""
    roles: dict[int, list[str]] = {}
    people: dict[int, Person] = {}
    active: dict[int, bool] = {}
    for person, membership in rows:
        assert person.id is not None
        people.setdefault(person.id, person)
        roles.setdefault(person.id, []).append(membership.role)
        active[person.id] = active.get(person.id, False) or membership.left_at is None
    return [Member(people[pid], tuple(roles[pid]), active[pid]) for pid in people]


def expected(members: Sequence[Member], participants: Sequence[str]) -> list[Member]:
    """Active members whose roles are among a step's participants (``tous``: everyone)."""
    wanted = set(participants)
    return [m for m in members if m.active and (EVERYONE in wanted or wanted & set(m.roles))]


def is_partner(template: ProjectTemplate, member: Member) -> bool:
    return bool(partner_roles(template) & set(member.roles))


def thanked(template: ProjectTemplate, members: Sequence[Member]) -> list[Member]:
    """Who receives a thank-you: every member except those who only coordinate (they send it)."""
    coordinating = coordinator_roles(template)
    return [m for m in members if not set(m.roles) <= coordinating]
