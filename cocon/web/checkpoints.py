"""Points d'étape: the meetings recorded and their minutes, and the form that records one as
``cocon checkpoint record`` does — attendance, decisions, actions (what, who, when), the state of
open steps, re-planning with a reason — then emails the minutes to the participants.
"""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from cocon.web.access import Viewer, managed_project, visible_project
from cocon.web.mail import dispatch_soon
from cocon.web.pages import DB, LoggedIn, language_of, redirect, settings_of
from cocon.web.project_frame import parse_date, project_page, refused, reloaded
from evaluation.checkpoints import (
    RECORDED_KINDS,
    ActionItem,
    CheckpointRecord,
    Replanning,
    find_gathering,
    minutes_context,
    record_checkpoint,
    send_minutes,
)
from store.clock import today
from store.exceptions import CoconError, InvalidInput, Phrase
from store.models import OPEN_STATUSES, Gathering, Project, StepStatus
from store.people import members
from store.plans import plan_steps, status_label, titles

router = APIRouter()

#: Empty rows the form offers for actions and for re-planning.
ACTION_ROWS = 3
MOVE_ROWS = 2


def _checkpoints_context(session: Session, project: Project, lang: str) -> dict[str, Any]:
    steps = plan_steps(session, project)
    gatherings = list(
        session.exec(select(Gathering).where(Gathering.project_id == project.id).order_by(col(Gathering.held_on)))
    )
    recorded = {g.step_key for g in gatherings}
    people: dict[int, str] = {}
    for person, _ in members(session, project):
        people.setdefault(person.id or 0, person.name)
    return {
        "titles": titles(session, project, lang),
        "gatherings": gatherings,
        "checkpoint_steps": [
            s for s in steps if s.kind in RECORDED_KINDS and s.status in OPEN_STATUSES and s.key not in recorded
        ],
        "open_steps": [s for s in steps if s.status in OPEN_STATUSES],
        "status_labels": {s: status_label(s, lang) for s in StepStatus},
        "statuses": [StepStatus.IN_PROGRESS, StepStatus.DONE, StepStatus.SKIPPED],
        "people": sorted(people.items(), key=lambda item: item[1]),
        "today": today(),
        "action_rows": range(ACTION_ROWS),
        "move_rows": range(MOVE_ROWS),
    }


def show_checkpoints(
    request: Request, session: Session, viewer: Viewer, project: Project, *, error: str | None = None
) -> Response:
    context = _checkpoints_context(session, project, language_of(request))
    return project_page(
        request, session, viewer, project, "project_checkpoints.html", section="checkpoints", error=error,
        status_code=400 if error else 200, **context,
    )


@router.get("/projets/{slug}/points-etape")
def checkpoints_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    return show_checkpoints(request, session, viewer, visible_project(session, viewer, slug))


@router.get("/projets/{slug}/points-etape/{step}")
def minutes_page(request: Request, session: DB, viewer: LoggedIn, slug: str, step: str) -> Response:
    """The minutes of one meeting, as they were emailed."""
    project = visible_project(session, viewer, slug)
    gathering = find_gathering(session, project, step)
    if gathering is None:
        raise HTTPException(status_code=404)
    lang = language_of(request)
    return project_page(
        request, session, viewer, project, "project_minutes.html", section="checkpoints",
        gathering=gathering, record=minutes_context(session, project, gathering, lang),
        step_title=titles(session, project, lang).get(step, step),
    )


def _rows(*columns: list[str] | None) -> list[tuple[str, ...]]:
    """The filled rows of a repeated group of fields (one list per field, in the same order)."""
    lists = [column or [] for column in columns]
    width = max((len(c) for c in lists), default=0)
    padded = [c + [""] * (width - len(c)) for c in lists]
    return [row for row in zip(*padded, strict=True) if any(cell.strip() for cell in row)]


def _actions(what: list[str] | None, who: list[str] | None, due: list[str] | None) -> list[ActionItem]:
    actions = []
    for text, person, day in _rows(what, who, due):
        if not text.strip():
            raise InvalidInput("error.web.action_text")
        actions.append(ActionItem(text.strip(), person.strip() or None,
                                  parse_date(day, Phrase("error.field.action_due")) if day.strip() else None))
    return actions


def _moves(step: list[str] | None, to: list[str] | None, reason: list[str] | None) -> list[Replanning]:
    moves = []
    for key, day, why in _rows(step, to, reason):
        if not key.strip() or not day.strip():
            raise InvalidInput("error.web.move_fields")
        moves.append(Replanning(key.strip(), parse_date(day, Phrase("error.field.new_date")), why.strip()))
    return moves


def _statuses(keys: list[str] | None, values: list[str] | None) -> dict[str, StepStatus]:
    chosen: dict[str, StepStatus] = {}
    for key, value in _rows(keys, values):
        if not value.strip():
            continue
        try:
            chosen[key] = StepStatus(value)
        except ValueError:
            raise InvalidInput("error.web.unknown_step_status") from None
    return chosen


@router.post("/projets/{slug}/points-etape")
def record_checkpoint_action(
    request: Request,
    session: DB,
    viewer: LoggedIn,
    background: BackgroundTasks,
    slug: str,
    step: Annotated[str, Form()] = "",
    held_on: Annotated[str, Form()] = "",
    attendees: Annotated[list[int] | None, Form()] = None,
    decisions: Annotated[str, Form()] = "",
    action_what: Annotated[list[str] | None, Form()] = None,
    action_who: Annotated[list[str] | None, Form()] = None,
    action_due: Annotated[list[str] | None, Form()] = None,
    status_step: Annotated[list[str] | None, Form()] = None,
    status_value: Annotated[list[str] | None, Form()] = None,
    move_step: Annotated[list[str] | None, Form()] = None,
    move_to: Annotated[list[str] | None, Form()] = None,
    move_reason: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form()] = "",
    send: Annotated[str, Form()] = "",
) -> Response:
    project = managed_project(session, viewer, slug)
    try:
        record = CheckpointRecord(
            held_on=parse_date(held_on, Phrase("error.field.checkpoint_date")),
            attendees=attendees or [],
            decisions=[line.strip() for line in decisions.splitlines() if line.strip()],
            actions=_actions(action_what, action_who, action_due),
            step_statuses={k: v for k, v in _statuses(status_step, status_value).items() if k != step},
            replanning=_moves(move_step, move_to, move_reason),
            notes=notes.strip() or None,
        )
        gathering = record_checkpoint(session, project, step, record, actor=viewer.actor)
        queued = send_minutes(session, project, gathering, actor=viewer.actor) if send else 0
    except CoconError as error:
        return show_checkpoints(request, session, viewer, reloaded(session, viewer, project), error=refused(error, request))
    if queued:
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/points-etape?ok={'checkpoint_sent' if queued else 'checkpoint'}")
