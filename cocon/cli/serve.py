"""``cocon serve``: the web app and the scheduled flows, with a Prefect server started by Cocon."""

import os
from collections.abc import Callable

import typer

from cocon.cli.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD, seed_web_demo
from cocon.cli.output import actor, t
from store.db import ensure_schema, session_scope
from store.publication import remember_serving_address


def start_web() -> Callable[[], None]:
    """The web app, in a thread next to the flows (``COCON_WEB_HOST``:``COCON_WEB_PORT``)."""
    from cocon.web.server import start_for_serve

    address, stop = start_for_serve()
    typer.echo(t("cli.serve.address", address=address))
    return stop


def serve(
    reminders_cron: str | None = typer.Option(
        None,
        "--reminders-cron",
        help="When the reminders flow runs: cron, or a number of seconds (default 0 * * * *, or COCON_REMINDERS_SCHEDULE).",
    ),
    lifecycle_cron: str | None = typer.Option(
        None, "--lifecycle-cron", help="When the lifecycle flow runs (default 30 6 * * *, or COCON_LIFECYCLE_SCHEDULE)."
    ),
    evaluation_cron: str | None = typer.Option(
        None,
        "--evaluation-cron",
        help="When the evaluation flow runs (default 0 7 * * *, or COCON_EVALUATION_SCHEDULE).",
    ),
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web app (COCON_WEB_HOST, COCON_WEB_PORT)."),
    demo: bool = typer.Option(
        False, "--demo", help="Serve a fresh demo database with a seeded project and demo logins."
    ),
    public_url: str | None = typer.Option(
        None, "--public-url", help="Where participants open Cocon (the address written into every link)."
    ),
) -> None:
    """Run Cocon: a local Prefect server (unless PREFECT_API_URL names one), the scheduled flows and the web app.

    Stop with Ctrl-C; the Prefect server started here is stopped with it. Against a shared Prefect
    server that already runs Cocon's deployments on workers, it refuses to start.

    Example: COCON_SMTP_URL=smtp://localhost:25 cocon serve --demo
    """
    from flows.serve import serve_forever

    if demo:
        os.environ["COCON_DATABASE_URL"] = seed_web_demo()
        for email in DEMO_LOGINS:
            typer.echo(
                t("cli.serve.demo_login", email=email, password=DEMO_PASSWORD)
            )
    ensure_schema()
    host = os.environ.get("COCON_WEB_HOST", "127.0.0.1")
    with session_scope() as session:
        recorded = remember_serving_address(
            session, host, int(os.environ.get("COCON_WEB_PORT", "8000")), public=public_url, actor=actor()
        )
    if recorded:
        os.environ.setdefault("COCON_BASE_URL", recorded)
    chosen = {"cocon-reminders": reminders_cron, "cocon-lifecycle": lifecycle_cron, "cocon-evaluation": evaluation_cron}
    serve_forever(
        schedules={name: value for name, value in chosen.items() if value},
        extra_services=[start_web] if web else [],
    )
