"""Mes contributions: what a person gave to each of their projects, and what became of their proposals.

Someone who manages projects finds here, instead of an empty page, where the partners'
contributions are recorded: each managed project's Contributions page.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from cocon.web.access import may_manage, visibility_clause
from cocon.web.pages import DB, LoggedIn, language_of, render
from evaluation.contributions import euros, hours_text
from evaluation.personal import personal_account
from evaluation.proposals import status_label
from store.models import Project, ProposalStatus

router = APIRouter()

#: How many managed projects the hint names (a facilitator may follow many).
MANAGED_SHOWN = 20


@router.get("/mes-contributions")
def my_contributions(request: Request, session: DB, viewer: LoggedIn) -> Response:
    lang = language_of(request)
    visible = session.exec(
        select(Project).where(visibility_clause(viewer)).order_by(col(Project.start)).limit(MANAGED_SHOWN)
    ).all()
    managed = [p for p in visible if may_manage(session, viewer, p)]
    return render(
        request,
        "contributions.html",
        viewer,
        title_key="contributions_title",
        blocks=personal_account(session, viewer.person_id),
        managed=managed,
        managed_slugs={p.slug for p in managed},
        euros=lambda cents: euros(cents, lang),
        hours=lambda value: hours_text(value, lang),
        status_labels={s: status_label(s, lang) for s in ProposalStatus},
    )
