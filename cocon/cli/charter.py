"""``cocon charter``: render, sign, follow and verify a project's charter of engagement."""

from pathlib import Path
from typing import Literal

import typer

from charters.rendering import VersionStamp, render_html, render_pdf
from charters.signing import LINK_VALIDITY, charter_status, create_signing_link, sign_on_paper, signing_path
from charters.verification import verify_charter
from charters.versions import (
    compare_versions,
    refresh_version,
    signing_language,
)
from cocon.cli.output import actor, db, emit_json, fail, lang, t
from planning.calendar import long_date
from store import audit
from store.clock import PARIS, now
from store.exceptions import InvalidInput
from store.people import find_member
from store.projects import get_project
from store.settings import base_url

app = typer.Typer(help="The charter of engagement: render, sign, status, diff, verify.", no_args_is_help=True)

Format = Literal["md", "html", "pdf"]


def _charter_lang(value: str | None) -> Literal["fr", "en"] | None:
    if value is None:
        return None
    if value not in ("fr", "en"):
        raise InvalidInput("error.cli.unknown_language", value=value)
    return "en" if value == "en" else "fr"


@app.command("render")
def render(
    project_slug: str = typer.Argument(..., metavar="PROJECT", help="Project short id, e.g. accueil-msp."),
    fmt: str = typer.Option("md", "--format", help="md, html (printable page) or pdf."),
    charter_lang: str | None = typer.Option(None, "--lang", help="fr or en (default: the project's language)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (pdf default: charte-PROJECT-vN-LANG.pdf)."
    ),
) -> None:
    """Render the charter from the project as it is now; a changed text becomes a new version.

    Example: cocon charter render accueil-msp --format pdf --output charte.pdf
    """
    if fmt not in ("md", "html", "pdf"):
        raise InvalidInput("error.cli.charter_format", value=fmt)
    with db() as session:
        project = get_project(session, project_slug)
        refresh = refresh_version(session, project, actor=actor(), lang=_charter_lang(charter_lang))
        version = refresh.version
        audit.record(
            session,
            actor=actor(),
            action="charter.rendered",
            project_id=project.id,
            version=version.number,
            language=version.language,
            format=fmt,
        )
        stamp = VersionStamp.of(version)
        content: str | bytes = version.text
        if fmt != "md":
            content = render_html(version.text, lang=version.language, title=project.name, stamp=stamp)
        if fmt == "pdf":
            content = render_pdf(str(content))
            output = output or Path(f"charte-{project.slug}-v{version.number}-{version.language}.pdf")
        slug = project.slug
    if output is None:
        typer.echo(content, nl=False)
        return
    output.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    news = t("cli.charter.new_version") if refresh.created else ""
    typer.echo(
        t("cli.charter.written", slug=slug, number=version.number, news=news, output=output, fingerprint=version.sha256[:12])
    )


@app.command("status")
def status(
    project_slug: str = typer.Argument(..., metavar="PROJECT", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Who signed the current version, who signed an earlier one, who has not signed yet.

    Example: cocon charter status accueil-msp
    """
    with db() as session:
        project = get_project(session, project_slug)
        report = charter_status(session, project, actor=actor())
        if as_json:
            emit_json(report.as_json())
            return
        typer.echo(
            t("cli.charter.status_heading", name=project.name, version=report.version, fingerprint=report.sha256[:12])
        )
        for row in report.signers:
            optional = "" if row.required else t("cli.charter.signature_optional")
            typer.echo(t("cli.charter.signer_line", id=row.person_id, name=row.name, roles=", ".join(row.roles),
                         optional=optional, state=row.describe(lang())))
        typer.echo(
            t("cli.charter.status_complete") if report.complete else t("cli.charter.status_incomplete")
        )


@app.command("sign")
def sign(
    project_slug: str = typer.Argument(..., metavar="PROJECT", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Option(..., "--person", help="Person number, email or exact name."),
    method: str = typer.Option("paper", "--method", help="paper: signed on the printed charter, recorded by you."),
    version: int | None = typer.Option(None, "--version", help="Version number printed on the signed copy."),
) -> None:
    """Record a signature of the current version made on paper.

    Example: cocon charter sign accueil-msp --person awa@example.org --method paper --version 2
    """
    if method not in ("paper", "papier"):
        raise InvalidInput("error.cli.sign_method", value=method)
    with db() as session:
        project = get_project(session, project_slug)
        person = find_member(session, project, person_ref)
        sign_on_paper(session, project, person, actor=actor(), expected_version=version)
        report = charter_status(session, project, actor=actor())
        typer.echo(
            t("cli.charter.signed_on_paper", name=person.name, version=report.version)
        )
        if report.complete:
            typer.echo(
                t("cli.charter.step_done")
            )


@app.command("link")
def link(
    project_slug: str = typer.Argument(..., metavar="PROJECT", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Option(..., "--person", help="Person number, email or exact name."),
) -> None:
    """Create a single-use signing link (valid 30 days) and print it once; it is not kept.

    The link starts with COCON_BASE_URL (the web app's public address) when it is set, else it is
    the path alone, to put after that address.

    Example: cocon charter link accueil-msp --person awa@example.org
    """
    with db() as session:
        project = get_project(session, project_slug)
        person = find_member(session, project, person_ref)
        token = create_signing_link(session, project, person, actor=actor())
        name = person.name
    expires = long_date((now() + LINK_VALIDITY).astimezone(PARIS).date(), lang())
    typer.echo((base_url() or "") + signing_path(token))
    typer.echo(
        t("cli.charter.signing_link", name=name, expires=expires),
        err=True,
    )


@app.command("diff")
def diff(
    project_slug: str = typer.Argument(..., metavar="PROJECT", help="Project short id, e.g. accueil-msp."),
    from_number: int | None = typer.Option(None, "--from", help="Older version number (default: the one before --to)."),
    to_number: int | None = typer.Option(None, "--to", help="Newer version number (default: the current one)."),
    charter_lang: str | None = typer.Option(None, "--lang", help="fr or en (default: the project's language)."),
) -> None:
    """Show what changed between two versions of the charter (unified diff).

    Example: cocon charter diff accueil-msp --from 1 --to 2
    """
    with db() as session:
        project = get_project(session, project_slug)
        chosen = _charter_lang(charter_lang) or signing_language(project)
        comparison = compare_versions(session, project, actor=actor(), lang=chosen, from_number=from_number,
                                      to_number=to_number)
    if comparison.old is None:
        typer.echo(t("cli.charter.diff_single_version"))
        return
    text = comparison.changes
    typer.echo(text or t("cli.charter.diff_identical"), nl=not text)


@app.command("verify")
def verify(project_slug: str = typer.Argument(..., metavar="PROJECT", help="Project short id, e.g. accueil-msp.")) -> None:
    """Recompute every stored charter hash; exit 1 naming any text or signature altered since.

    Example: cocon charter verify accueil-msp
    """
    with db() as session:
        project = get_project(session, project_slug)
        problems, count = verify_charter(session, project, actor=actor())
    if problems:
        for problem in problems:
            typer.echo(t("cli.charter.problem_line", table=problem.table, id=problem.row_id, message=problem.message), err=True)
        fail(
            t("cli.charter.verify_altered", slug=project_slug, n=len(problems))
        )
    typer.echo(
        t("cli.charter.verify_intact", slug=project_slug, n=count)
    )
