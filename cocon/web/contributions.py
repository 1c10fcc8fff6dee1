"""Mes contributions: what a person gave to each of their projects, and what became of their proposals."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from cocon.web.pages import DB, LoggedIn, language_of, render
from evaluation.contributions import Totals, contributions_of, euros, hours_text, totals
from evaluation.proposals import STATUS_LABELS, proposals_of
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
    blocks = []
    for project in projects:
        given = contributions_of(session, project, viewer.person)
        blocks.append(
            ProjectContributions(project, given, totals(given), proposals_of(session, project, viewer.person))
        )
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
