"""One person's own account of their projects: what they gave (time, expenses and whether they
were reimbursed) and their proposals with what became of them. Read by "Mon espace" and
"Mes contributions"; the rows are the person's own, never anyone else's."""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from evaluation.contributions import Totals, totals
from store.models import Contribution, Membership, Project, Proposal


@dataclass(frozen=True)
class PersonalProject:
    project: Project
    contributions: list[Contribution]
    totals: Totals
    proposals: list[Proposal]


def personal_account(session: Session, person_id: int, *, current_only: bool = False) -> list[PersonalProject]:
    """Each project of the person (those they still belong to with ``current_only``), oldest first,
    with their contributions and proposals — three queries in all, whatever the number of projects."""
    memberships = select(Membership.project_id).where(Membership.person_id == person_id)
    if current_only:
        memberships = memberships.where(col(Membership.left_at).is_(None))
    projects = session.exec(select(Project).where(col(Project.id).in_(memberships)).order_by(col(Project.start))).all()
    given: dict[int, list[Contribution]] = defaultdict(list)
    for contribution in session.exec(
        select(Contribution)
        .where(Contribution.person_id == person_id)
        .order_by(col(Contribution.on), col(Contribution.id))
    ):
        given[contribution.project_id].append(contribution)
    proposed: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in session.exec(
        select(Proposal).where(Proposal.person_id == person_id).order_by(col(Proposal.proposed_on), col(Proposal.id))
    ):
        proposed[proposal.project_id].append(proposal)
    result = []
    for project in projects:
        assert project.id is not None
        mine = given[project.id]
        result.append(PersonalProject(project, mine, totals(mine), proposed[project.id]))
    return result
