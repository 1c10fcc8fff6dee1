"""What `cocon serve` runs: a Prefect server (embedded or external) and its flows on schedule.

Each deployment has a concurrency limit of one run with ``CANCEL_NEW``: when Prefect fires missed
runs in a burst after downtime, or a run is still going when the next one is due, the newcomer is
cancelled instead of queued. The work is idempotent anyway (the outbox's keys).

Nothing from Prefect's shutdown reaches the terminal: its loggers are at WARNING, and Ctrl-C or
SIGTERM stop the runner, then the server, quietly.
"""

import contextlib
import io
import logging
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

from flows.server import PrefectServer, quiet_prefect_environment

DEFAULT_REMINDERS_CRON = "0 * * * *"
DEFAULT_LIFECYCLE_CRON = "30 6 * * *"
DEFAULT_EVALUATION_CRON = "0 7 * * *"


def deployments(*, reminders_cron: str, lifecycle_cron: str) -> list[Any]:
    """The deployments, as `prefect.yaml` declares them, for ``prefect.serve``."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.evaluation import evaluation_cycle
    from flows.lifecycle import lifecycle
    from flows.reminders import reminders

    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return [
        reminders.to_deployment(
            name="cocon-reminders",
            schedules=[Cron(reminders_cron, timezone="Europe/Paris")],
            concurrency_limit=one_at_a_time,
        ),
        lifecycle.to_deployment(
            name="cocon-lifecycle",
            schedules=[Cron(lifecycle_cron, timezone="Europe/Paris")],
            concurrency_limit=one_at_a_time,
        ),
        evaluation_cycle.to_deployment(
            name="cocon-evaluation",
            schedules=[Cron(DEFAULT_EVALUATION_CRON, timezone="Europe/Paris")],
            concurrency_limit=one_at_a_time,
        ),
    ]


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
    reminders_cron: str = DEFAULT_REMINDERS_CRON,
    lifecycle_cron: str = DEFAULT_LIFECYCLE_CRON,
    extra_services: Sequence[Service] = (),
    announce: Callable[[str], None] = print,
) -> None:
    """Start the Prefect server (unless PREFECT_API_URL), serve the flows until Ctrl-C/SIGTERM."""
    os.environ.update({k: v for k, v in quiet_prefect_environment().items() if k not in os.environ})

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # SIGTERM stops `cocon serve` the way Ctrl-C does

    previous = signal.signal(signal.SIGTERM, _on_signal)
    server = PrefectServer()
    try:
        announce("Démarrage du serveur Prefect…" if not server.external else f"Serveur Prefect : {server.external}")
        with server:
            from prefect import serve

            _quiet_loggers()
            stops = start_extra_services(extra_services)
            announce(
                f"Cocon sert les flux « reminders » ({reminders_cron}), « lifecycle » ({lifecycle_cron}) et « evaluation » ({DEFAULT_EVALUATION_CRON}) "
                f"avec Prefect ({server.api_url}). Ctrl-C pour arrêter."
            )
            try:
                serve(
                    *deployments(reminders_cron=reminders_cron, lifecycle_cron=lifecycle_cron),
                    print_starting_message=False,
                    limit=2,
                )
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
        signal.signal(signal.SIGTERM, previous)
    announce("Cocon arrêté.")
