"""``cocon remind`` and ``cocon outbox``: reminders and the outbox (``cocon serve`` is in :mod:`cocon.cli.serve`)."""

import typer
from rich.table import Table

from cocon.cli.output import actor, console, db, emit_json, lang, t
from locales.stored import spoken
from notifications.cycle import run_cycle
from notifications.messages import occasion_label
from notifications.queue import list_messages, retry_messages
from planning.calendar import long_date
from store.db import ensure_schema
from store.models import OutboxState
from store.projects import get_project

outbox_app = typer.Typer(help="The outbox: every notification, sent or not; replay what failed.", no_args_is_help=True)

def state_label(state: str) -> str:
    """The state of an outbox message, in the terminal's language."""
    return {
        "pending": t("cli.outbox.state_pending"),
        "sending": t("cli.outbox.state_sending"),
        "sent": t("cli.outbox.state_sent"),
        "failed": t("cli.outbox.state_failed"),
        "dead": t("cli.outbox.state_dead"),
        "cancelled": t("cli.outbox.state_cancelled"),
    }[state]


def _occasion(value: str) -> str:
    return occasion_label(value, lang())


def remind(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be queued; send and write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Plan today's reminders, queue them and send what is due — once, without any Prefect server.

    Running it twice (or twice at once) sends nothing twice. Use it from cron, or let `cocon serve`
    run it on schedule.

    Example: COCON_SMTP_URL=smtp://localhost:25 COCON_MAIL_FROM=cocon@msp.fr cocon remind --dry-run
    """
    ensure_schema()
    report = run_cycle(dry_run=dry_run)
    if as_json:
        emit_json(report.as_dict())
        return
    if not report.email_enabled:
        typer.echo(
            t("cli.remind.no_smtp"),
            err=True,
        )
    head = t("cli.remind.heading", day=long_date(report.day, lang()))
    if dry_run:
        head += t("cli.remind.dry_run")
    typer.echo(head)
    typer.echo(t("cli.remind.open_projects", projects=report.projects))
    typer.echo(
        t("cli.remind.due_today", planned=report.planned, enqueued=report.enqueued)
    )
    for occasion, count in sorted(report.by_occasion.items()):
        typer.echo(t("cli.remind.occasion_count", occasion=_occasion(occasion), count=count))
    if report.team_alerts:
        typer.echo(
            t("cli.remind.team_alerts", team_alerts=report.team_alerts)
        )
    if report.dispatch is not None:
        d = report.dispatch
        typer.echo(
            t("cli.remind.dispatch", messages=t("cli.remind.message_count", n=d.messages), reminders=t("cli.remind.reminder_count", n=d.sent), failed=d.failed, dead=d.dead, cancelled=d.cancelled, deferred=d.deferred)
        )
        if d.recovered:
            typer.echo(
                t("cli.remind.recovered", recovered=d.recovered)
            )


@outbox_app.command("list")
def outbox_list(
    project: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    state: list[OutboxState] | None = typer.Option(None, "--state", help="Only these states (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """List the project's notifications: what was sent, is waiting, failed or was given up.

    Example: cocon outbox list accueil-msp --state dead --state failed
    """
    with db() as session:
        found = get_project(session, project)
        rows = list_messages(session, found, states=state or None)
        if as_json:
            emit_json(
                [
                    {
                        "id": r.id,
                        "state": r.state.value,
                        "occasion": r.occasion,
                        "about": r.about,
                        "day": r.due_on,
                        "person_id": r.person_id,
                        "attempts": r.attempts,
                        "next_attempt_at": r.next_attempt_at,
                        "sent_at": r.sent_at,
                        "last_error": spoken(r.last_error, lang()) or None,
                    }
                    for r in rows
                ]
            )
            return
        if not rows:
            typer.echo(t("cli.outbox.empty"))
            return
        table = Table(show_lines=False)
        for column in t("cli.outbox.columns").split("|"):
            table.add_column(column, overflow="fold")
        for r in rows:
            table.add_row(
                str(r.id),
                state_label(r.state.value),
                _occasion(r.occasion),
                r.due_on.isoformat(),
                str(r.attempts),
                spoken(r.last_error, lang()),
            )
        console.print(table)


@outbox_app.command("retry")
def outbox_retry(project: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp.")) -> None:
    """Queue the project's failed and abandoned notifications again, due now (sent at the next `cocon remind`).

    Example: cocon outbox retry accueil-msp && cocon remind
    """
    with db() as session:
        found = get_project(session, project)
        count = retry_messages(session, found, actor=actor())
    typer.echo(t("cli.outbox.queued_again", n=count))
