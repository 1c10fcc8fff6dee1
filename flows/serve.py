"""What `cocon serve` runs: a Prefect server (embedded or external) and its flows on schedule.

The deployments are those of :mod:`flows.deployments` (the same as ``prefect.yaml``). Against a
shared server (``PREFECT_API_URL``) that already has them on a work pool, `cocon serve` refuses to
start rather than replace and, at exit, pause them.

Nothing from Prefect's shutdown reaches the terminal: its loggers are at WARNING, and Ctrl-C or
SIGTERM stop the runner, then the server, quietly. A stop is bounded: if the runner, a service or
the interpreter's exit still holds the process :data:`STOP_GRACE_SECONDS` after the signal, Cocon
stops the Prefect server it started and exits anyway (a run cut short is resumed by the next one:
the outbox takes back the claims of a process that is gone).
"""

import contextlib
import io
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any, cast

from flows.deployments import DEPLOYMENTS, TIMEZONE, schedule_of
from flows.server import PrefectServer, quiet_prefect_environment
from locales import gettext, lang_of

#: Flow runs a served Cocon runs at once: a reminder cycle with its shards, and another flow.
SERVE_LIMIT = 4
#: How long Ctrl-C or SIGTERM may take before Cocon exits without waiting any longer.
STOP_GRACE_SECONDS = 45.0


def _say(key: str, **values: Any) -> str:
    return gettext(key, lang_of(os.environ.get("COCON_LANG")), **values)


class _StopWatch:
    """Armed by the first Ctrl-C or SIGTERM: past the grace, stop the Prefect server and exit."""

    def __init__(self, server: PrefectServer, announce: Callable[[str], None]) -> None:
        self.server = server
        self.announce = announce
        self.timer: threading.Timer | None = None

    def arm(self) -> None:
        if self.timer is None:
            self.timer = threading.Timer(STOP_GRACE_SECONDS, self._force)
            self.timer.daemon = True
            self.timer.start()

    def _force(self) -> None:
        with contextlib.suppress(Exception):
            self.server.stop(grace=3)
        with contextlib.suppress(Exception):
            self.announce(_say("serve.forced_stop", seconds=round(STOP_GRACE_SECONDS)))
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0)


def runner_deployments(overrides: dict[str, str] | None = None) -> list[Any]:
    """The deployments for ``prefect.serve`` (entrypoints as module paths, like ``prefect.yaml``)."""
    from prefect import Flow
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType, RunnerDeployment
    from prefect.schedules import Cron, Interval

    from flows.evaluation_cycle import evaluation_cycle
    from flows.lifecycle import lifecycle
    from flows.reminders import reminders, reminders_shard

    flows: dict[str, Flow[Any, Any]] = {
        "reminders": reminders,
        "lifecycle": lifecycle,
        "evaluation-cycle": evaluation_cycle,
        "reminders-shard": reminders_shard,
    }
    overrides = overrides or {}
    found = []
    for declared in DEPLOYMENTS:
        schedule = schedule_of(declared, overrides.get(declared.name))
        schedules = []
        if schedule is not None:
            schedules = [
                Interval(int(schedule), timezone=TIMEZONE) if schedule.isdigit() else Cron(schedule, timezone=TIMEZONE)
            ]
        limit = (
            ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
            if declared.one_at_a_time
            else None
        )
        deployment = cast(
            RunnerDeployment,
            flows[declared.flow].to_deployment(
                name=declared.name,
                description=declared.description,
                schedules=schedules,
                concurrency_limit=limit,
                entrypoint_type=EntrypointType.MODULE_PATH,
                tags=["cocon"],
            ),
        )
        if deployment.entrypoint != declared.entrypoint:
            raise ValueError(f"{declared.name}: Prefect names the entrypoint {deployment.entrypoint}")
        found.append(deployment)
    return found


def check_no_foreign_deployments() -> None:
    """Refuse to serve over deployments that ``prefect deploy`` created (they run on a work pool).

    ``serve()`` would replace them under the same names and pause them at exit; deployments that
    a previous ``cocon serve`` created (no work pool) are Cocon's own and are served again."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    from flows.deployments import DEPLOYMENTS, DeploymentConflictError

    foreign: list[str] = []
    with get_client(sync_client=True) as client:
        for declared in DEPLOYMENTS:
            try:
                found = client.read_deployment_by_name(declared.full_name)
            except ObjectNotFound:
                continue
            if found.work_pool_name:
                foreign.append(f"{declared.full_name} ({found.work_pool_name})")
    if foreign:
        raise DeploymentConflictError("error.flows.deployments_on_pool", deployments=foreign)


def _quiet_loggers() -> None:
    for name in ("prefect", "prefect.runner", "prefect.flow_runs", "prefect.task_runs", "httpx", "uvicorn", "apprise"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def _silenced_stderr() -> Iterator[None]:
    """Swallow what Prefect's background threads print while shutting down."""
    with contextlib.redirect_stderr(io.StringIO()):
        yield


#: A service started next to the flows: it starts without blocking and may return its stop function.
Service = Callable[[], Callable[[], None] | None]


def start_extra_services(services: Sequence[Service]) -> list[Callable[[], None]]:
    """Start each service (e.g. the web app with uvicorn in a thread); returns their stop functions."""
    stops = []
    for service in services:
        stop = service()
        if stop is not None:
            stops.append(stop)
    return stops


def serve_forever(
    *,
    schedules: dict[str, str] | None = None,
    extra_services: Sequence[Service] = (),
    announce: Callable[[str], None] = print,
) -> None:
    """Start the Prefect server (unless PREFECT_API_URL), serve the flows until Ctrl-C/SIGTERM."""
    os.environ.update({k: v for k, v in quiet_prefect_environment().items() if k not in os.environ})

    server = PrefectServer()
    watch = _StopWatch(server, announce)

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        watch.arm()  # whatever holds the process after this, it ends within the grace
        raise KeyboardInterrupt  # Ctrl-C and SIGTERM stop `cocon serve` the same way

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        announce(_say("serve.prefect_starting") if not server.external else _say("serve.prefect_external", url=server.external))
        with server:
            from prefect import serve

            from flows.deployments import SCHEDULED

            _quiet_loggers()
            if server.external:
                check_no_foreign_deployments()
            to_serve = runner_deployments(schedules)
            stops = start_extra_services(extra_services)
            served = ", ".join(f"« {d.flow} » ({schedule_of(d, (schedules or {}).get(d.name))})" for d in SCHEDULED)
            announce(_say("serve.serving", flows=served, url=server.api_url))
            try:
                serve(*to_serve, print_starting_message=False, limit=SERVE_LIMIT)
            except (KeyboardInterrupt, SystemExit):
                pass
            finally:
                with _silenced_stderr():
                    logging.getLogger("prefect").setLevel(logging.CRITICAL)
                    for stop_service in stops:
                        stop_service()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    announce(_say("serve.stopped"))
    # the watch stays armed until the process is gone: a thread that holds the interpreter's exit
    # (a background worker of Prefect's) cannot keep `cocon serve` alive past the grace
