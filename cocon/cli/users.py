"""``cocon user``: personal accounts for the web app; ``cocon web``: serve the web app.

Coordinators and facilitators log in with a password; patient partners receive login links by
email and need no account.
"""

import sys
from typing import Any

import typer

from accounts.staff import add_account, list_accounts, parse_kind
from cocon.cli.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD, seed_web_demo
from cocon.cli.output import actor, db, emit_json, fail, t
from store.db import ensure_schema, session_scope
from store.models import AccountKind
from store.publication import remember_serving_address


def kind_label(kind: AccountKind) -> str:
    """The kind of an account, as the sentence « Compte de … créé » needs it."""
    return {
        AccountKind.COORDINATOR: t("cli.user.kind_coordinator"),
        AccountKind.FACILITATOR: t("cli.user.kind_facilitator"),
        AccountKind.PROFESSIONAL: t("cli.user.kind_professional"),
        AccountKind.PARTNER: t("cli.user.kind_partner"),
    }[kind]


app = typer.Typer(help="Personal accounts for the web app.", no_args_is_help=True)


@app.command("add")
def user_add(
    email: str = typer.Option(..., "--email", help="Email address (the login)."),
    name: str = typer.Option(..., "--name", help="Name shown."),
    kind: str = typer.Option(..., "--kind", help="coordinator, facilitator or professional."),
    structure: list[str] = typer.Option(
        [], "--structure", help="Structure followed (repeatable), e.g. 'MSP des Tilleuls'."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password on standard input."),
) -> None:
    """Create a personal account (the first one included).

    Without --password-stdin the person logs in with a link sent by email, and may choose a
    password afterwards.

    Example: echo 'un mot de passe long' | cocon user add --email claire@msp.example --name "Claire Martin" --kind coordinator --structure "MSP des Tilleuls" --password-stdin
    """
    account_kind = parse_kind(kind)
    if account_kind.value == "partner":
        fail(
            t("cli.user.partner_refused")
        )
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail(t("cli.user.no_password"))
    with db() as session:
        account = add_account(
            session, email=email, name=name, kind=account_kind, structures=structure, password=password, actor=actor()
        )
        typer.echo(
            t("cli.user.created", kind=kind_label(account.kind), name=name, email=account.email)
        )


@app.command("list")
def user_list(as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts.")) -> None:
    """List the accounts (email, kind, structures followed).

    Example: cocon user list
    """
    with db() as session:
        rows: list[dict[str, Any]] = [
            {
                "email": a.email,
                "name": p.name,
                "kind": a.kind.value,
                "structures": a.structures,
                "password": a.password_hash is not None,
                "disabled": a.disabled,
            }
            for a, p in list_accounts(session)
        ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        typer.echo(
            t("cli.user.none_yet")
        )
    for row in rows:
        structures = ", ".join(str(s) for s in row["structures"]) or "—"
        typer.echo(f"{row['email']}\t{row['kind']}\t{row['name']}\t{structures}")


def web(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    demo: bool = typer.Option(
        False, "--demo", help="Create a demo project and accounts, in a separate database."
    ),
    public_url: str | None = typer.Option(
        None, "--public-url", help="Address where participants open Cocon (links in messages)."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="Processes serving the pages (default one per core, at most 4, or COCON_WEB_WORKERS).",
    ),
) -> None:
    """Serve the web app (without the scheduled flows; `cocon serve` runs both).

    Example: cocon web --demo
    """
    from cocon.web.server import check_address, check_workers, default_workers, server_for

    check_address(host, port)
    workers = check_workers(workers) if workers is not None else default_workers()  # before anything is recorded: a wrong address is refused, not remembered
    address = f"http://{host}:{port}"
    url = None
    if demo:
        url = seed_web_demo()
    ensure_schema(url)
    with session_scope(url) as session:  # messages read it from the store (store.publication.public_url)
        remember_serving_address(session, host, port, public=public_url, actor=actor())
    server = server_for(host, port, url, workers=workers)
    typer.echo(t("cli.web.open_at", address=address))
    if demo:
        for email in DEMO_LOGINS:  # the coordinator and the facilitator, as `cocon serve --demo` prints them
            typer.echo(t("cli.serve.demo_login", email=email, password=DEMO_PASSWORD))
    server.run()
