"""Flows ``evaluation`` and ``evaluation-cycle``: the "après" half, as a few tasks per run.

* ``evaluation-cycle`` (daily): projects that have reached ``apres`` get their questionnaire
  (one task for every such project); projects whose questionnaire is over — everyone answered
  or every link expired — or whose evaluation step is due are measured, their owners asked for
  the manual indicators, and their report written (one task for all of them).
* ``evaluation`` (one project, on demand — what ``cocon evaluate`` does, plus the questionnaire
  if it was not opened yet).

The logic is in :mod:`evaluation.assessment`.
"""

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from sqlmodel import Session

from evaluation import assessment
from evaluation.questionnaire import invitations
from notifications.dispatch import dispatch
from project_templates.schema import StepKind
from store import plans
from store.clock import now, today
from store.db import session_scope
from store.models import Project, ProjectPhase, StepStatus
from store.projects import get_project, list_projects
from store.publication import NoPublicAddress

ACTOR = "cocon:evaluation"


def questionnaire_over(session: Session, project: Project) -> bool:
    """Everyone answered or every remaining link has expired."""
    rows = invitations(session, project)
    return bool(rows) and all(r.answered or r.expires_at <= now() for r in rows)


def evaluation_due(session: Session, project: Project) -> bool:
    steps = [s for s in plans.plan_steps(session, project) if s.kind == StepKind.EVALUATION]
    if not steps or all(s.status == StepStatus.DONE for s in steps):
        return False
    return questionnaire_over(session, project) or any(s.due <= today() for s in steps)


@task(name="open-questionnaires")
def open_questionnaires_task(url: str | None = None) -> dict[str, int]:
    opened: dict[str, int] = {}
    with session_scope(url) as session:
        for project in list_projects(session, phase=ProjectPhase.APRES):
            if not invitations(session, project):
                try:
                    opened[project.slug] = assessment.open_questionnaire(session, project, actor=ACTOR)
                except NoPublicAddress as refused:  # no link to send: wait until the address is set
                    get_run_logger().warning(str(refused))
                    opened[project.slug] = 0
    return opened


@task(name="evaluate-projects")
def evaluate_task(
    slugs: list[str] | None = None, url: str | None = None, output_dir: str | None = None
) -> dict[str, Any]:
    """Measure, ask for manual indicators and write the report of each project given (or due)."""
    done: dict[str, Any] = {}
    with session_scope(url) as session:
        if slugs is None:
            projects = [p for p in list_projects(session, phase=ProjectPhase.APRES) if evaluation_due(session, p)]
        else:
            projects = [get_project(session, slug) for slug in slugs]
        for project in projects:
            folder = Path(output_dir) if output_dir else None
            values, files = assessment.evaluate(session, project, actor=ACTOR, output_dir=folder)
            asked = assessment.ask_for_manual(session, project, actor=ACTOR)
            done[project.slug] = {
                "values": values,
                "html": str(files.html),
                "pdf": str(files.pdf) if files.pdf else None,
                "manual_requests": asked,
            }
    return done


@task(name="send-evaluation-messages")
def dispatch_task(url: str | None = None) -> dict[str, int]:
    return dispatch(url=url).as_dict()


@flow(name="evaluation-cycle", log_prints=False)
def evaluation_cycle(url: str | None = None, send: bool = True) -> dict[str, Any]:
    """Daily: open the questionnaire where the project reached ``apres``; report where it is over."""
    opened = open_questionnaires_task(url)
    reported = evaluate_task(None, url)
    sent = dispatch_task(url) if send else None
    return {"opened": opened, "reported": reported, "dispatch": sent}


@flow(name="evaluation", log_prints=False)
def evaluate_project(
    slug: str, url: str | None = None, output_dir: str | None = None, send: bool = True
) -> dict[str, Any]:
    """One project: measure its indicators and write its report now."""
    reported = evaluate_task([slug], url, output_dir)
    sent = dispatch_task(url) if send else None
    return {"reported": reported[slug], "dispatch": sent}
