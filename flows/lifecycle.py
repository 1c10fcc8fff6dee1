"""Flow ``lifecycle``: move projects whose phase gate is open, then announce the change.

The logic is :func:`notifications.phases.advance_ready` (phase gates from ``store.phases``) and
the reminder cycle, which plans the *phase-change* notice for every member.
"""

from typing import Any

from prefect import flow, task

from notifications.cycle import plan_and_enqueue
from notifications.dispatch import dispatch
from notifications.phases import advance_ready
from store.db import session_scope

ACTOR = "cocon:lifecycle"


@task(name="advance-phases")
def advance_task() -> dict[str, Any]:
    with session_scope() as session:
        return advance_ready(session, actor=ACTOR).as_dict()


@task(name="announce-phases")
def announce_task() -> dict[str, Any]:
    planned = plan_and_enqueue().as_dict()
    return {"plan": planned, "dispatch": dispatch().as_dict()}


@flow(name="lifecycle", log_prints=False)
def lifecycle() -> dict[str, Any]:
    """Phase gates, then phase-change notices (only when a project moved)."""
    phases = advance_task()
    announced = announce_task() if phases["advanced"] else None
    return {"phases": phases, "notices": announced}
