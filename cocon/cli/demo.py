"""``cocon demo``: a realistic project in a fresh demo database, to see Cocon at work."""

import os
from datetime import timedelta

import typer

from cocon.cli.output import t
from cocon.cli.projects import plan_show, project_show
from planning.calendar import add_working_days
from project_templates import find_template
from store.clock import today
from store.db import session_scope, upgrade
from store.people import add_person
from store.plans import get_step, mark_done
from store.projects import create_project, get_project
from store.settings import data_dir

DEMO_PEOPLE = [
    ("Claire Martin", "coordination", "claire.martin@msp-tilleuls.example", [], None),
    ("Dr Karim Benali", "professionnel", "k.benali@msp-tilleuls.example", ["soir"], None),
    ("Sophie Leroy", "professionnel", "s.leroy@msp-tilleuls.example", [], None),
    ("Julien Moreau", "professionnel", "j.moreau@msp-tilleuls.example", ["matin"], None),
    ("Awa Diallo", "patient-partenaire", "awa@example.org", ["soir", "week-end"], "20:30-09:30"),
    ("Jean-Pierre Roux", "representant-usagers", "jp.roux@asso-usagers.example", ["apres-midi"], "19:00-09:00"),
]


def demo_database_url() -> str:
    return f"sqlite:///{data_dir() / 'demo.sqlite'}"


def fresh_demo_database() -> str:
    """Delete the demo database (and its SQLite journal files); returns its URL."""
    path = data_dir() / "demo.sqlite"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return demo_database_url()


def seed_demo(url: str) -> str:
    """Create the demo project in the database at ``url``; return its slug."""
    upgrade(url)
    loaded = find_template("partenariat-msp")
    start = today()
    with session_scope(url) as session:
        project = create_project(
            session, loaded=loaded, name="Mieux accueillir en salle d'attente", structure="MSP des Tilleuls",
            start=start, end=start + timedelta(days=200), slug="accueil-msp", actor="demo",
        )
        for name, role, email, availability, quiet in DEMO_PEOPLE:
            add_person(session, project, name=name, role=role, email=email, availability=availability,
                       quiet_hours=quiet, actor="demo")
        mark_done(session, project, "cartographie", actor="demo", note="14 acteurs repérés, 2 associations contactées")
        return project.slug


def demo() -> None:
    """Create a realistic demo project (MSP, professionals, a patient partner, a user representative) and show it.

    The demo lives in its own database (demo.sqlite in Cocon's data directory), recreated each time.

    Example: cocon demo
    """
    url = fresh_demo_database()
    slug = seed_demo(url)
    os.environ["COCON_DATABASE_URL"] = url
    with session_scope(url) as session:
        meeting = get_step(session, get_project(session, slug), "rencontre").due
    later = add_working_days(meeting, 5)
    typer.echo(t("cli.demo.created") + f" {data_dir() / 'demo.sqlite'}\n")
    plan_show(slug=slug, fmt="table", baseline=False, output=None)
    typer.echo("")
    project_show(slug=slug, as_json=False)
    typer.echo("\n" + t("cli.demo.try_next"))
    for line in (
        f"export COCON_DATABASE_URL={url}",
        f"cocon plan move {slug} rencontre --to {later.isoformat()} --reason \"vacances scolaires\"",
        f"cocon plan show {slug} --baseline",
        f"cocon step done {slug} rencontre",
        f"cocon phase advance {slug}",
        f"cocon plan show {slug} --format ics -o accueil.ics",
        "cocon templates list",
    ):
        typer.echo(f"  {line}")
