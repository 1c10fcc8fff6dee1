"""Flows ``reminders`` and ``reminders-shard``: plan today's reminders, queue them, send what is due.

The work is :mod:`notifications.cycle`; here it is cut into a few tasks per run (one to plan,
one per dispatch batch of :data:`DISPATCH_BATCH` rows), never one task per message or project:
Prefect's task runs are costly and its SQLite server stalls after bursts of them. Running twice
— Prefect fires missed runs in a burst after downtime — is harmless: the outbox is idempotent.

With ``shards`` > 1 (parameter, or ``COCON_REMINDER_SHARDS`` where the flow runs) the cycle is
shared by as many flow runs of the ``cocon-reminders-shard`` deployment, which any worker may
pick up: first each plans and queues the projects whose id is *k* modulo *n*, then each sends
the rows of its recipients (:func:`notifications.queue.shard_of`, so a person's digest is never
split). The parent run then sends whatever is left (alerts queued meanwhile).
"""

import os
import time
from typing import Any, Literal, cast

from prefect import flow, task

from notifications.cycle import plan_and_enqueue
from notifications.dispatch import dispatch

#: Rows handled by one dispatch task (claimed 500 at a time, see :mod:`notifications.dispatch`).
DISPATCH_BATCH = 10_000
#: Dispatch tasks per flow run at most (the next run continues): 200,000 rows, more than a cycle
#: of 10,000 projects queues (~125,000 rows).
MAX_DISPATCH_TASKS = 20
#: How long the parent run waits for its shards (``COCON_SHARD_TIMEOUT``, seconds): a shard whose
#: machine died never ends, the parent then fails and the next run sends what is left.
SHARD_TIMEOUT_SECONDS = 15 * 60

Stage = Literal["plan", "send"]


@task(name="plan-and-enqueue")
def plan_and_enqueue_task(dry_run: bool = False, shard: tuple[int, int] | None = None) -> dict[str, Any]:
    return plan_and_enqueue(dry_run=dry_run, shard=shard).as_dict()


@task(name="dispatch-batch")
def dispatch_task(limit: int = DISPATCH_BATCH, shard: tuple[int, int] | None = None) -> dict[str, Any]:
    return dispatch(limit=limit, shard=shard).as_dict()


def _dispatch_batches(shard: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    batches: list[dict[str, Any]] = []
    for _ in range(MAX_DISPATCH_TASKS):
        report = dispatch_task(limit=DISPATCH_BATCH, shard=shard)
        batches.append(report)
        if report["claimed"] < DISPATCH_BATCH:
            break
    return batches


def shard_count(shards: int | None) -> int:
    return max(1, shards if shards is not None else int(os.environ.get("COCON_REMINDER_SHARDS", "1") or 1))


@flow(name="reminders", log_prints=False, validate_parameters=True)
def reminders(dry_run: bool = False, shards: int | None = None) -> dict[str, Any]:
    """Plan → enqueue → dispatch, in a handful of tasks (or shared by ``shards`` flow runs)."""
    count = shard_count(shards)
    if count == 1 or dry_run:
        planned = plan_and_enqueue_task(dry_run=dry_run)
        return {"plan": planned, "dispatch": [] if dry_run else _dispatch_batches()}
    stages = {stage: _run_shards(count, stage) for stage in ("plan", "send")}
    return {"shards": stages, "dispatch": _dispatch_batches()}


@flow(name="reminders-shard", log_prints=False, validate_parameters=True)
def reminders_shard(shard: int, shards: int, stage: Stage) -> dict[str, Any]:
    """One shard of a cycle: plan and queue its projects, or send its recipients' rows."""
    part = (shard, shards)
    if stage == "plan":
        return {"plan": plan_and_enqueue_task(shard=part)}
    return {"dispatch": _dispatch_batches(part)}


def _run_shards(count: int, stage: Stage) -> list[str]:
    """Start one ``cocon-reminders-shard`` run per shard, wait for all; their final states."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    from flows.deployments import SHARD
    from notifications.exceptions import NotificationError

    started: list[FlowRun] = [
        cast(
            FlowRun,
            run_deployment(
                SHARD.full_name, parameters={"shard": k, "shards": count, "stage": stage}, timeout=0, as_subflow=True
            ),
        )
        for k in range(count)
    ]
    deadline = time.monotonic() + float(os.environ.get("COCON_SHARD_TIMEOUT") or SHARD_TIMEOUT_SECONDS)
    states: dict[Any, str] = {}
    with get_client(sync_client=True) as client:
        while len(states) < len(started) and time.monotonic() < deadline:
            for run in started:
                if run.id in states:
                    continue
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    states[run.id] = state.type.value
            if len(states) < len(started):
                time.sleep(0.5)
    failed = [s for s in states.values() if s != "COMPLETED"]
    if failed or len(states) < len(started):
        raise NotificationError("error.flows.reminder_parts_failed", n=len(failed) + len(started) - len(states), count=count,
                                stage=stage)
    return [states[run.id] for run in started]
