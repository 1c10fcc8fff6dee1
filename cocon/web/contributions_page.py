"""A project's contributions: time given and expenses per person, totals, reimbursements (several
at once) and the CSV of expenses for the accounts. Coordination only: amounts are personal."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from cocon.web.access import Viewer, managed_project, member_or_404
from cocon.web.pages import DB, LoggedIn, finish, language_of, redirect, said
from cocon.web.project_frame import project_page, reloaded
from cocon.web.project_parts import names_of, people_of, typed_cents, typed_day, typed_number
from evaluation.contributions import (
    add_contribution,
    contributions,
    contributions_csv,
    euros,
    hours_text,
    kind_label,
    mark_reimbursed,
    parse_kind,
    totals,
    totals_by_person,
)
from store.clock import today
from store.exceptions import CoconError, InvalidInput, Phrase
from store.models import ContributionKind, Project

router = APIRouter()


def _page(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None, status_code: int = 200
) -> Response:
    lang = language_of(request)
    rows = contributions(session, project)
    people = people_of(session, project)
    names = names_of(session, [r.person_id for r in rows])
    return project_page(
        request,
        session,
        viewer,
        project,
        "project_contributions.html",
        section="contributions",
        title_key="contributions_page_title",
        error=error,
        status_code=status_code,
        rows=rows,
        people=people,
        names=names,
        per_person=totals_by_person(rows),
        overall=totals(rows),
        kinds={k: kind_label(k, lang) for k in ContributionKind},
        euros=lambda cents: euros(cents, lang),
        hours=lambda value: hours_text(value, lang),
        today=today(),
    )


@router.get("/projets/{slug}/contributions")
def contributions_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return _page(request, session, viewer, managed_project(session, viewer, slug))


@router.post("/projets/{slug}/contributions")
def add_contribution_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    person: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "reunion",
    hours: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    receipt: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    who = member_or_404(session, project, int(person) if person.strip().isdigit() else 0)
    try:
        add_contribution(
            session,
            project,
            who,
            on=typed_day(on, Phrase("error.field.day"), default=today()),
            kind=parse_kind(kind),
            hours=typed_number(hours, Phrase("error.field.hours")) or 0.0,
            amount_cents=typed_cents(amount),
            receipt_ref=receipt.strip() or None,
            description=description.strip() or None,
            actor=viewer.actor,
        )
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return redirect(request, f"/projets/{slug}/contributions?ok=contribution")


@router.post("/projets/{slug}/contributions/rembourser")
def reimburse_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    slug: str,
    ids: Annotated[list[int] | None, Form()] = None,
    on: Annotated[str, Form()] = "",
) -> Response:
    """Mark every expense ticked as reimbursed on the same day (all or none)."""
    project = managed_project(session, viewer, slug)
    chosen = sorted(set(ids or []))
    try:
        if not chosen:
            raise InvalidInput("error.web.tick_an_expense")
        day = typed_day(on, Phrase("error.field.reimbursement_day"), default=today())
        for contribution_id in chosen:
            mark_reimbursed(session, project, contribution_id, day, actor=viewer.actor)
    except CoconError as error:
        project = reloaded(session, viewer, project)
        return _page(request, session, viewer, project, error=said(error, request), status_code=400)
    return redirect(request, f"/projets/{slug}/contributions?ok=reimbursed&n={len(chosen)}")


@router.get("/projets/{slug}/contributions.csv")
def contributions_csv_download(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = managed_project(session, viewer, slug)
    rows = contributions(session, project)
    text = contributions_csv(rows, names_of(session, [r.person_id for r in rows]))
    return finish(
        request,
        Response(
            text.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="contributions-{project.slug}.csv"'},
        ),
    )
