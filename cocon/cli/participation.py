"""``cocon person pause|resume|stop|update``: a person's pause, reminders and details, from the terminal.

:data:`COMMANDS` are added to ``cocon person`` by :mod:`cocon.cli.main`.
"""

from collections.abc import Callable
from datetime import date

import typer

from cocon.cli.output import actor, db, emit_json, lang, t
from notifications.channels import check_apprise_url
from notifications.pauses import leave_project, pause, resume, stop
from notifications.preferences import update_preferences
from planning.calendar import long_date
from store.exceptions import InvalidInput
from store.participation import update_person
from store.people import find_member
from store.projects import get_project

_KEEP = "\x00keep"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("error.cli.unreadable_day", value=value) from None


def person_pause(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Argument(..., metavar="PERSON", help="Number, email or exact name."),
    until: str | None = typer.Option(None, "--until", help="Last day of the pause (default: until resumed)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Pause every reminder to a person (all their projects), until a date or until resumed.

    Example: cocon person pause accueil-msp awa@example.org --until 2027-03-12
    """
    with db() as session:
        person = find_member(session, get_project(session, slug), person_ref)
        last = _day(until) if until else None
        cancelled = pause(session, person, until=last, actor=actor())
        if as_json:
            emit_json({"id": person.id, "paused": True, "until": last.isoformat() if last else None, "cancelled": cancelled})
            return
        if last:
            typer.echo(t("cli.person.paused_until", name=person.name, last=long_date(last, lang())))
        else:
            typer.echo(t("cli.person.paused", name=person.name))


def person_resume(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Argument(..., metavar="PERSON", help="Number, email or exact name."),
    restart: bool = typer.Option(False, "--restart-reminders", help="Also restart reminders they stopped (only if they ask)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """End a person's pause (messages held by it leave at the next `cocon remind`).

    Example: cocon person resume accueil-msp awa@example.org
    """
    with db() as session:
        person = find_member(session, get_project(session, slug), person_ref)
        held = resume(session, person, actor=actor(), restart=restart)
        if as_json:
            emit_json({"id": person.id, "paused": False, "released": held})
            return
        typer.echo(t("cli.person.resumed", name=person.name))


def person_stop(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Argument(..., metavar="PERSON", help="Number, email or exact name."),
    everywhere: bool = typer.Option(False, "--all", help="Stop reminders of all their projects."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Stop reminders to a person for this project (or, with --all, for all their projects).

    Example: cocon person stop accueil-msp awa@example.org
    """
    with db() as session:
        project = get_project(session, slug)
        person = find_member(session, project, person_ref)
        cancelled = stop(session, person, project=None if everywhere else project, actor=actor())
        if as_json:
            emit_json({"id": person.id, "scope": "all" if everywhere else slug, "cancelled": cancelled})
            return
        where = t("cli.person.all_their_projects") if everywhere else slug
        typer.echo(t("cli.person.opted_out", name=person.name, where=where))


def person_remove(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Argument(..., metavar="PERSON", help="Number, email or exact name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Take a person out of a project; their history stays and what still waited for them is cancelled.

    Example: cocon person remove accueil-msp awa@example.org
    """
    with db() as session:
        project = get_project(session, slug)
        person = find_member(session, project, person_ref)
        roles = leave_project(session, project, person, actor=actor())
        if as_json:
            emit_json({"id": person.id, "project": slug, "roles": roles})
            return
        typer.echo(t("cli.person.removed", name=person.name, slug=slug))


def person_update(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str = typer.Argument(..., metavar="PERSON", help="Number, email or exact name."),
    name: str | None = typer.Option(None, "--name", help="New name."),
    email: str = typer.Option(_KEEP, "--email", show_default=False, help="New email ('' to remove)."),
    phone: str = typer.Option(_KEEP, "--phone", show_default=False, help="New phone ('' to remove)."),
    apprise_url: str = typer.Option(_KEEP, "--apprise-url", show_default=False, help="New Apprise URL ('' to remove)."),
    language: str | None = typer.Option(None, "--lang", help="fr or en."),
    availability: list[str] | None = typer.Option(None, "--availability", help="matin, après-midi, soir, semaine, week-end."),
    quiet_hours: str = typer.Option(_KEEP, "--quiet-hours", show_default=False, help="e.g. 21:00-08:00 ('' to remove)."),
    unavailable: list[str] | None = typer.Option(None, "--unavailable", help="Replaces the absences: 2027-01-25..2027-03-12 ('' to clear)."),
    digest_time: str = typer.Option(_KEEP, "--digest-time", show_default=False,
                                    help="Daily digest at or after this time, 08:00-19:59 ('' for the default)."),
    channel: str | None = typer.Option(None, "--channel",
                                       help="email, both, sms:+33612345678 or an Apprise URL the coordination allows."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Change a person's name, contact, language, availability, quiet hours, absences or preferences.

    Example: cocon person update accueil-msp awa@example.org --unavailable 2027-01-25..2027-03-12 --quiet-hours 21:00-09:00

    Example: cocon person update accueil-msp awa@example.org --digest-time 18:00 --channel sms:+33612345678 --lang en
    """
    def given(value: str) -> dict[str, str | None]:
        return {} if value == _KEEP else {"value": value.strip() or None}

    with db() as session:
        person = find_member(session, get_project(session, slug), person_ref)
        changes: dict[str, object] = {}
        for key, value in (("email", email), ("phone", phone), ("apprise_url", apprise_url), ("quiet_hours", quiet_hours)):
            if value != _KEEP:
                changes[key] = given(value)["value"]
        if changes.get("apprise_url"):
            check_apprise_url(str(changes["apprise_url"]))
        fields = update_person(
            session, person, actor=actor(), name=name, language=language,
            availability=[a for a in availability if a.strip()] if availability is not None else None,
            unavailable=[u for u in unavailable if u.strip()] if unavailable is not None else None,
            **changes,  # type: ignore[arg-type]
        )
        preferences: dict[str, object] = {} if digest_time == _KEEP else {"digest_time": digest_time.strip() or None}
        if channel is not None or preferences:
            fields = sorted(set(fields) | set(update_preferences(
                session, person, actor=actor(), channel=channel, **preferences,  # type: ignore[arg-type]
            )))
        if as_json:
            emit_json({"id": person.id, "changed": fields})
            return
        if fields:
            typer.echo(t("cli.person.changed", name=person.name, fields=', '.join(fields)))
        else:
            typer.echo(t("cli.person.unchanged", name=person.name))


COMMANDS: dict[str, Callable[..., None]] = {
    "pause": person_pause,
    "resume": person_resume,
    "stop": person_stop,
    "update": person_update,
    "remove": person_remove,
}
