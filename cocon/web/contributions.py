"""Mes contributions: what a person gave to each of their projects, and what became of their proposals."""

from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from cocon.web.pages import DB, LoggedIn, language_of, render
from evaluation.contributions import Totals, euros, hours_text, totals
from evaluation.proposals import STATUS_LABELS
from store.models import Contribution, Membership, Project, Proposal

router = APIRouter()


@dataclass(frozen=True)
class ProjectContributions:
    project: Project
    contributions: list[Contribution]
    totals: Totals
    proposals: list[Proposal]


@router.get("/mes-contributions")
def my_contributions(request: Request, session: DB, viewer: LoggedIn) -> Response:
    lang = language_of(request)
    projects = session.exec(
        select(Project)
        .where(col(Project.id).in_(select(Membership.project_id).where(Membership.person_id == viewer.person_id)))
        .order_by(col(Project.start))
    ).all()
    # The viewer's rows for every project at once, not two queries per project.
    given: dict[int, list[Contribution]] = defaultdict(list)
    for contribution in session.exec(
        select(Contribution)
        .where(Contribution.person_id == viewer.person_id)
        .order_by(col(Contribution.on), col(Contribution.id))
    ):
        given[contribution.project_id].append(contribution)
    proposed: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in session.exec(
        select(Proposal)
        .where(Proposal.person_id == viewer.person_id)
        .order_by(col(Proposal.proposed_on), col(Proposal.id))
    ):
        proposed[proposal.project_id].append(proposal)
    blocks = []
    for project in projects:
        assert project.id is not None
        mine = given[project.id]
        blocks.append(ProjectContributions(project, mine, totals(mine), proposed[project.id]))
    return render(
        request,
        "contributions.html",
        viewer,
        title_key="contributions_title",
        blocks=blocks,
        euros=lambda cents: euros(cents, lang),
        hours=lambda value: hours_text(value, lang),
        status_labels=STATUS_LABELS["en" if lang == "en" else "fr"],
    )
