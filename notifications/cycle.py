"""One reminder cycle — plan, enqueue, dispatch — as plain functions.

``cocon remind`` calls :func:`run_cycle` in-process; the Prefect flow ``reminders`` calls the same
three steps as tasks. Running it twice, or twice at once, is harmless: the outbox's idempotency
keys keep one row per reminder, and claimed rows are sent by one process only.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from notifications.channels import smtp_settings
from notifications.dispatch import DispatchReport, Sender, dispatch
from notifications.gatherings import queue_gathering_changes
from notifications.messages import DigestEntry, TeamAlertContext, render_message
from notifications.planner import DigestItem, plan
from notifications.queue import enqueue, enqueue_items, idempotency_key
from notifications.snapshot import load_projects
from planning.calendar import working_days_between
from store.clock import today as local_today
from store.db import session_scope
from store.models import Occasion, OutboxMessage, PlanStep, Project
from store.plans import step_title
from store.projects import template_of


@dataclass
class CycleReport:
    day: date
    projects: int = 0
    planned: int = 0
    enqueued: int = 0
    by_occasion: dict[str, int] = field(default_factory=dict)
    dispatch: DispatchReport | None = None
    dry_run: bool = False
    email_enabled: bool = True
    team_alerts: int = 0
    gathering_notices: int = 0  # updates and cancellations sent to invitees' calendars
    #: Wall time of each step, in seconds ("plan": reading the store and planning; "enqueue").
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "dry_run": self.dry_run,
            "email_enabled": self.email_enabled,
            "projects": self.projects,
            "planned": self.planned,
            "enqueued": self.enqueued,
            "team_alerts": self.team_alerts,
            "gathering_notices": self.gathering_notices,
            "by_occasion": dict(sorted(self.by_occasion.items())),
            "dispatch": self.dispatch.as_dict() if self.dispatch else None,
            "seconds": {step: round(value, 3) for step, value in self.seconds.items()},
        }


def plan_due(
    session: Session, day: date, *, email_enabled: bool, shard: tuple[int, int] | None = None
) -> tuple[int, list[DigestItem]]:
    """(number of open projects, items due on ``day``), for every project or one shard of them."""
    projects = load_projects(session, email_enabled=email_enabled, today=day, shard=shard)
    return len(projects), plan(projects, day)


def new_items(session: Session, items: list[DigestItem]) -> list[DigestItem]:
    """The items not yet in the outbox (what a dry run would add)."""
    keys = {idempotency_key(i.project_id, i.about, i.occasion, f"person:{i.person_id}", i.due_on): i for i in items}
    known: set[str] = set()
    pending = list(keys)
    for start in range(0, len(pending), 500):
        chunk = pending[start : start + 500]
        known.update(
            session.exec(select(OutboxMessage.idempotency_key).where(col(OutboxMessage.idempotency_key).in_(chunk)))
        )
    return [item for key, item in keys.items() if key not in known]


def plan_and_enqueue(
    *, url: str | None = None, dry_run: bool = False, shard: tuple[int, int] | None = None
) -> CycleReport:
    """Plan today's reminders and queue the new ones (nothing is written on a dry run).

    ``shard=(k, n)``: only the projects whose id is ``k`` modulo ``n`` (see :mod:`flows.reminders`)."""
    day = local_today()
    report = CycleReport(day=day, dry_run=dry_run, email_enabled=smtp_settings() is not None)
    start = time.perf_counter()
    with session_scope(url) as session:
        report.projects, items = plan_due(session, day, email_enabled=report.email_enabled, shard=shard)
        report.planned = len(items)
        fresh = new_items(session, items)
        report.by_occasion = dict(Counter(item.occasion for item in fresh))
        report.seconds["plan"] = time.perf_counter() - start
        if dry_run:
            report.enqueued = len(fresh)
            session.rollback()
        else:
            report.enqueued = enqueue_items(session, fresh)
            report.team_alerts = enqueue_team_alerts(session, fresh)
            report.gathering_notices = queue_gathering_changes(session, on=day, shard=shard)
    report.seconds["enqueue"] = time.perf_counter() - start - report.seconds["plan"]
    return report


def enqueue_team_alerts(session: Session, items: list[DigestItem]) -> int:
    """Escalations also go to the project's team channel, when it has one (one message per step)."""
    escalated: dict[tuple[int, str], DigestItem] = {}
    for item in items:
        if item.occasion == Occasion.ESCALATION:
            escalated.setdefault((item.project_id, item.about), item)
    queued = 0
    for (project_id, about), item in sorted(escalated.items()):
        project = session.get(Project, project_id)
        if project is None or not project.team_channel:
            continue
        step = session.exec(
            select(PlanStep).where(PlanStep.project_id == project_id, PlanStep.key == about.removeprefix("step:"))
        ).first()
        if step is None:
            continue
        lang = "en" if project.language == "en" else "fr"
        declared = template_of(session, project).step(step.template_step)
        entry = DigestEntry(
            occasion=Occasion.ESCALATION,
            project_name=project.name,
            title=step_title(declared.title.get(lang), step, lang),
            day=step.due,
            days=working_days_between(step.due, item.due_on, project.holiday_zone),
        )
        message = render_message("team-escalation", TeamAlertContext(project_name=project.name, entries=[entry]), lang)
        if enqueue(
            session,
            project_id=project_id,
            person_id=None,
            occasion=Occasion.TEAM_ESCALATION,
            about=about,
            due_on=item.due_on,
            subject=message.subject,
            text=message.text,
            html=message.html,
            channel_url=project.team_channel,
        ):
            queued += 1
    return queued


def run_cycle(*, url: str | None = None, dry_run: bool = False, postman: Sender | None = None) -> CycleReport:
    """Plan, enqueue and send what is due — the whole cycle, without any Prefect server."""
    report = plan_and_enqueue(url=url, dry_run=dry_run)
    if not dry_run:
        report.dispatch = dispatch(url=url, postman=postman)
    return report
