"""Flows ``reminders`` and ``reminders-shard``: plan today's reminders, queue them, send what is due.

The work is :mod:`notifications.cycle`; here it is cut into a few tasks per run (one to plan,
one per dispatch batch of :data:`DISPATCH_BATCH` rows), never one task per message or project:
Prefect's task runs are costly and its SQLite server stalls after bursts of them. Running twice
— Prefect fires missed runs in a burst after downtime — is harmless: the outbox is idempotent.

With ``shards`` > 1 (parameter, or ``COCON_REMINDER_SHARDS`` where the flow runs) the cycle is
shared by as many flow runs of the ``cocon-reminders-shard`` deployment, which any worker may
pick up: each plans and queues the projects whose id is *k* modulo *n*, then pauses (Prefect's
``pause_flow_run``, the process waits); once every shard has planned, the parent resumes them all
and each sends the rows of its recipients (:func:`notifications.queue.shard_of`, so a person's
digest is never split: all their items are queued before any shard sends). One flow run — one
process start, seconds on a busy machine — per shard and cycle. The parent run then sends
whatever is left (alerts queued meanwhile). A shard that fails before pausing fails the parent
(the next run plans again); the others are resumed all the same.
"""

import contextlib
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

#: ``both``: plan, pause until every shard has planned, send (what the parent starts);
#: ``plan`` / ``send``: one of the two alone (by hand, or an older parent).
Stage = Literal["both", "plan", "send"]
#: How often a paused shard asks whether it was resumed, and the parent whether all have planned.
POLL_SECONDS = 1
#: How long shards that have planned wait for the others to *start* planning: a shard still
#: waiting for a worker after this (workers started with a ``--limit`` below the shards + 1, all
#: busy) would otherwise hold the planned ones paused until the timeout. They are then resumed:
#: their people's items from the late shard's projects come in a later digest (tomorrow's).
BARRIER_PATIENCE_SECONDS = 300


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
    return {"shards": _run_shards(count), "dispatch": _dispatch_batches()}


@flow(name="reminders-shard", log_prints=False, validate_parameters=True)
def reminders_shard(shard: int, shards: int, stage: Stage = "both") -> dict[str, Any]:
    """One shard of a cycle: plan and queue its projects, wait for the others, send its recipients' rows."""
    from prefect.flow_runs import pause_flow_run

    part = (shard, shards)
    done: dict[str, Any] = {}
    if stage in ("both", "plan"):
        done["plan"] = plan_and_enqueue_task(shard=part)
    if stage == "both":
        # every shard queues its projects before any sends (a person's items in one digest)
        pause_flow_run(timeout=int(_shard_timeout()), poll_interval=POLL_SECONDS, key="planned")
    if stage in ("both", "send"):
        done["dispatch"] = _dispatch_batches(part)
    return done


def _shard_timeout() -> float:
    return float(os.environ.get("COCON_SHARD_TIMEOUT") or SHARD_TIMEOUT_SECONDS)


def _run_shards(count: int) -> list[str]:
    """Start one ``cocon-reminders-shard`` run per shard; resume them once all have planned; wait
    for all; their final states."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.exceptions import NotPausedError
    from prefect.flow_runs import resume_flow_run

    from flows.deployments import SHARD
    from notifications.exceptions import NotificationError

    started: list[FlowRun] = [
        cast(
            FlowRun,
            run_deployment(
                SHARD.full_name, parameters={"shard": k, "shards": count, "stage": "both"}, timeout=0, as_subflow=True
            ),
        )
        for k in range(count)
    ]
    begun = time.monotonic()
    deadline = begun + _shard_timeout()
    states: dict[Any, str] = {}  # final states
    paused: set[Any] = set()  # planned and waiting
    resumed: set[Any] = set()
    with get_client(sync_client=True) as client:
        while len(states) < len(started) and time.monotonic() < deadline:
            not_started = 0
            for run in started:
                if run.id in states:
                    continue
                state = client.read_flow_run(run.id).state
                if state is None or state.is_scheduled() or state.is_pending():
                    not_started += 1
                elif state.is_final():
                    states[run.id] = state.type.value
                elif state.is_paused() and run.id not in resumed:
                    paused.add(run.id)
            everyone = len(paused | resumed | set(states)) == len(started)  # the last one has planned
            stuck = not_started and time.monotonic() - begun > BARRIER_PATIENCE_SECONDS
            if paused and (everyone or stuck):
                for run_id in sorted(paused, key=str):
                    with contextlib.suppress(NotPausedError):
                        resume_flow_run(run_id)
                resumed |= paused
                paused = set()
            if len(states) < len(started):
                time.sleep(POLL_SECONDS / 2)
    failed = [s for s in states.values() if s != "COMPLETED"]
    if failed or len(states) < len(started):
        raise NotificationError(
            "error.flows.reminder_parts_failed", n=len(failed) + len(started) - len(states), count=count, stage="plan + send"
        )
    return [states[run.id] for run in started]
