"""Who sees what. A person sees the projects they belong to; staff also see the projects of the
structures they follow. Anything else answers 404, so that a project's existence does not leak.

Managing a project (adding people, moving steps, advancing the phase…) needs a coordinator or
facilitator account that can see it, or a coordinating role in the project itself.
"""

from dataclasses import dataclass

from fastapi import HTTPException
from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from store.exceptions import ProjectNotFound
from store.models import MANAGING_KINDS, Account, AccountKind, Membership, Person, Project
from store.people import active_member, roles_of
from store.projects import get_project, template_of


@dataclass(frozen=True)
class Viewer:
    """The logged-in person, with their account when they have one."""

    person: Person
    account: Account | None
    session_id: int

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def kind(self) -> AccountKind:
        return self.account.kind if self.account else AccountKind.PARTNER

    @property
    def is_staff(self) -> bool:
        return self.kind != AccountKind.PARTNER

    @property
    def can_create_projects(self) -> bool:
        return self.kind in MANAGING_KINDS

    @property
    def structures(self) -> list[str]:
        return list(self.account.structures) if self.account and self.is_staff else []

    @property
    def actor(self) -> str:
        """How this person appears in the audit log (no contact details)."""
        return f"person:{self.person_id}"


def visibility_clause(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``Project`` selecting what the viewer may see."""
    member_of = select(Membership.project_id).where(
        Membership.person_id == viewer.person_id, col(Membership.left_at).is_(None)
    )
    clauses: list[ColumnElement[bool]] = [col(Project.id).in_(member_of)]
    if viewer.structures:
        clauses.append(col(Project.structure).in_(viewer.structures))
    return or_(*clauses)


def visible_project(session: Session, viewer: Viewer, slug: str) -> Project:
    """The project named by ``slug`` if the viewer may see it; 404 otherwise."""
    try:
        project = get_project(session, slug)
    except ProjectNotFound:
        raise HTTPException(status_code=404) from None
    # The same rule as visibility_clause, without a second query for staff in their structures
    # (every page of a project starts here).
    if project.structure in viewer.structures:
        return project
    member = session.exec(
        select(Membership.id).where(
            Membership.project_id == project.id,
            Membership.person_id == viewer.person_id,
            col(Membership.left_at).is_(None),
        )
    ).first()
    if member is None:
        raise HTTPException(status_code=404)
    return project


def may_manage(session: Session, viewer: Viewer, project: Project) -> bool:
    """Whether the viewer (who can see the project) may change it."""
    if viewer.kind in MANAGING_KINDS:
        return True
    coordinating = set(template_of(session, project).coordinator_roles())
    return bool(coordinating & set(roles_of(session, project, viewer.person)))


def managed_project(session: Session, viewer: Viewer, slug: str) -> Project:
    """The project if the viewer may change it: 404 if they cannot see it, 403 if only read."""
    project = visible_project(session, viewer, slug)
    if not may_manage(session, viewer, project):
        raise HTTPException(status_code=403)
    return project


def member_or_404(session: Session, project: Project, person_id: int) -> Person:
    """A current member of the project, or 404: a person of another project is not even named."""
    person = active_member(session, project, person_id)
    if person is None:
        raise HTTPException(status_code=404)
    return person
