"""Cocon's deployments, declared once: `cocon serve` builds them from here, and a test checks that
``prefect.yaml`` (what ``prefect deploy --all`` reads for workers) says the same.

Entrypoints are *module* paths (``flows.reminders.reminders``, dotted: Prefect takes any entrypoint
with a colon for a file in a code storage): Prefect imports them as modules of the installed
``flows`` package, so no file of ``flows/`` can hide a package of the same name (with a script
path, Prefect puts the script's folder first on ``sys.path``).

Each scheduled deployment runs one at a time (``CANCEL_NEW``): missed runs fired in a burst after
downtime, or a run still going when the next is due, are cancelled rather than queued. The
``cocon-reminders-shard`` deployment has no schedule: the ``reminders`` flow starts N runs of it,
one per shard of projects, so that N workers share a cycle.
"""

import os
from dataclasses import dataclass, field
from typing import Any

from store.exceptions import CoconError

TIMEZONE = "Europe/Paris"
#: How long a run may last before Prefect stops it; a run whose machine died is then marked
#: crashed by the server instead of holding the deployment's concurrency slot (see docs/deploy.md).
RUN_TIMEOUT_SECONDS = 15 * 60
#: A concurrency slot whose holder stopped renewing it (its machine died) is freed after this.
SLOT_LEASE_SECONDS = 5 * 60


class DeploymentConflictError(CoconError):
    """`cocon serve` would replace deployments that `prefect deploy` created on a shared server."""


@dataclass(frozen=True)
class Declared:
    """One deployment as Cocon declares it (and as ``prefect.yaml`` must repeat it)."""

    name: str
    flow: str
    entrypoint: str
    description: str
    cron: str | None
    one_at_a_time: bool = True
    env: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.flow}/{self.name}"


DEPLOYMENTS: tuple[Declared, ...] = (
    Declared(
        name="cocon-reminders",
        flow="reminders",
        entrypoint="flows.reminders.reminders",
        description="Plan today's reminders, queue them in the outbox and send what is due (in shards).",
        cron="0 * * * *",
        env="COCON_REMINDERS_SCHEDULE",
    ),
    Declared(
        name="cocon-lifecycle",
        flow="lifecycle",
        entrypoint="flows.lifecycle.lifecycle",
        description="Move projects whose phase gate is open and announce phase changes.",
        cron="30 6 * * *",
        env="COCON_LIFECYCLE_SCHEDULE",
    ),
    Declared(
        name="cocon-evaluation",
        flow="evaluation-cycle",
        entrypoint="flows.evaluation_cycle.evaluation_cycle",
        description="Open end-of-project questionnaires, measure the indicators and write the evaluation reports that are due.",
        cron="0 7 * * *",
        env="COCON_EVALUATION_SCHEDULE",
    ),
    Declared(
        name="cocon-reminders-shard",
        flow="reminders-shard",
        entrypoint="flows.reminders.reminders_shard",
        description="One shard of a reminder cycle (started by the reminders flow): plan, queue and send for its projects.",
        cron=None,
        one_at_a_time=False,
    ),
)

SCHEDULED = tuple(d for d in DEPLOYMENTS if d.cron is not None)
SHARD = next(d for d in DEPLOYMENTS if d.flow == "reminders-shard")


def schedule_of(declared: Declared, override: str | None = None) -> str | None:
    """The schedule to serve: ``override``, else the deployment's environment variable, else its cron.

    A schedule is a cron expression, or a number of seconds for a plain interval (tests, demos)."""
    return override or (os.environ.get(declared.env) if declared.env else None) or declared.cron
