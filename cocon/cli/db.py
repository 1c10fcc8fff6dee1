"""``cocon db``: the database schema."""

import typer

from cocon.cli.output import t
from store.db import current_revision, head_revision, upgrade
from store.settings import database_url

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema of the configured database.

    Example: COCON_DATABASE_URL=sqlite:///cocon.sqlite cocon db upgrade
    """
    before, after = upgrade()
    if before == after:
        typer.echo(t("cli.db.up_to_date", after=after))
    else:
        typer.echo(t("cli.db.upgraded", before=before or t("cli.db.empty"), after=after))


@app.command("status")
def db_status() -> None:
    """Show the database URL (without password) and its schema revision.

    Example: cocon db status
    """
    url = database_url()
    if "@" in url:
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://***@{rest.split('@', 1)[1]}"
    typer.echo(f"{url}\n" + t("cli.db.revision") + f" {current_revision() or '-'} / head {head_revision()}")
