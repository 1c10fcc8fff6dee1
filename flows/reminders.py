"""Flow ``reminders``: plan today's reminders, queue them, send what is due.

The work is :mod:`notifications.cycle`; here it is cut into a few tasks per run (one to plan,
one per dispatch batch of :data:`DISPATCH_BATCH` rows), never one task per message or project:
Prefect's task runs are costly and its SQLite server stalls after bursts of them. Running twice
— Prefect fires missed runs in a burst after downtime — is harmless: the outbox is idempotent.
"""

from typing import Any

from prefect import flow, task

from notifications.cycle import plan_and_enqueue
from notifications.outbox import dispatch

#: Rows handled by one dispatch task.
DISPATCH_BATCH = 2000
#: Dispatch tasks per flow run at most (the next run continues).
MAX_DISPATCH_TASKS = 10


@task(name="plan-and-enqueue")
def plan_and_enqueue_task(dry_run: bool = False) -> dict[str, Any]:
    return plan_and_enqueue(dry_run=dry_run).as_dict()


@task(name="dispatch-batch")
def dispatch_task(limit: int = DISPATCH_BATCH) -> dict[str, Any]:
    return dispatch(limit=limit).as_dict()


@flow(name="reminders", log_prints=False, validate_parameters=True)
def reminders(dry_run: bool = False) -> dict[str, Any]:
    """Plan → enqueue → dispatch, in a handful of tasks."""
    planned = plan_and_enqueue_task(dry_run=dry_run)
    batches: list[dict[str, Any]] = []
    if not dry_run:
        for _ in range(MAX_DISPATCH_TASKS):
            report = dispatch_task(limit=DISPATCH_BATCH)
            batches.append(report)
            if report["claimed"] < DISPATCH_BATCH:
                break
    return {"plan": planned, "dispatch": batches}
