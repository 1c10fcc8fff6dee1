"""``cocon step where|answers|answer`` and ``cocon calendar link|revoke``: gatherings with a time
and a place, who comes, and calendar subscriptions, from the terminal.

:data:`STEP_COMMANDS` are added to ``cocon step`` by :mod:`cocon.cli.main`; :data:`calendar_app`
is ``cocon calendar``.
"""

from collections.abc import Callable
from typing import Any

import typer

from cocon.cli.output import actor, db, emit_json, lang, t
from notifications.gatherings import clock
from planning.calendar import long_date
from store.calendars import create_feed, feed_url, revoke_feed
from store.exceptions import InvalidInput
from store.gatherings import GatheringView, attendance_answers, gathering_view, record_answer, set_where
from store.people import find_member
from store.projects import get_project

calendar_app = typer.Typer(help="Calendar subscriptions (.ics links) for a person or a project's team.", no_args_is_help=True)


def _describe(view: GatheringView, language: str) -> dict[str, Any]:
    where = view.where
    return {
        "step": view.step.key,
        "title": view.title,
        "day": view.day.isoformat(),
        "start": where.start.strftime("%H:%M") if where.start else None,
        "minutes": where.minutes,
        "place": where.place,
        "video": where.video,
        "sequence": view.sequence,
        "when": (
            t("cli.step.day_at", day=long_date(view.day, language), time=clock(where.start, language) or "")
            if where.start
            else long_date(view.day, language)
        ),
    }


def step_where(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    start: str | None = typer.Option(None, "--time", help="Start time, local, e.g. 18:30 ('' for the whole day)."),
    duration: str | None = typer.Option(None, "--duration", help="e.g. 2h, 1h30, 90min."),
    place: str | None = typer.Option(None, "--place", help="An address ('' removes it)."),
    video: str | None = typer.Option(None, "--video", help="A video-conference link, https://… ('' removes it)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Set (or show, without options) when and where a gathering takes place; invitees who were
    already invited get the change in their calendar at the next `cocon remind`.

    Example: cocon step where accueil-msp point-etape-2 --time 18:30 --duration 2h --place "Salle du conseil, MSP des Tilleuls"
    """
    changes: dict[str, Any] = {}
    for name, value in (("start", start), ("duration", duration), ("place", place), ("video", video)):
        if value is not None:
            changes[name] = value
    with db() as session:
        project = get_project(session, slug)
        if changes:
            view = set_where(session, project, step, actor=actor(), **changes)
        else:
            view = gathering_view(session, project, step, lang())
        data = _describe(view, lang())
    if as_json:
        emit_json(data)
        return
    where = ", ".join(part for part in (data["place"], data["video"]) if part) or t("cli.step.place_unset")
    length = t("cli.step.duration_minutes", minutes=data['minutes']) if data["start"] else t("cli.step.all_day")
    typer.echo(f"{data['title']} — {data['when']} ({length}) — {where}")


def step_answers(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Who comes to a gathering: every invitee with their answer.

    Example: cocon step answers accueil-msp point-etape-2
    """
    with db() as session:
        project = get_project(session, slug)
        answers = attendance_answers(session, project, step, lang())
        rows = [{"id": r.person.id, "name": r.person.name, "coming": r.coming} for r in answers.rows]
        title, day = answers.view.title, answers.view.day
    if as_json:
        emit_json({"step": step, "day": day.isoformat(), "answers": rows})
        return
    coming = [str(r["name"]) for r in rows if r["coming"] is True]
    away = [str(r["name"]) for r in rows if r["coming"] is False]
    silent = [str(r["name"]) for r in rows if r["coming"] is None]
    typer.echo(f"{title} — {long_date(day, lang())}")
    typer.echo(t("cli.step.coming_n", n=len(coming)) + (", ".join(coming) or "—"))
    typer.echo(t("cli.step.not_coming_n", n=len(away)) + (", ".join(away) or "—"))
    typer.echo(t("cli.step.no_answer_n", n=len(silent)) + (", ".join(silent) or "—"))


def step_answer(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    person_ref: str = typer.Argument(..., metavar="PERSON", help="Number, email or exact name."),
    coming: bool = typer.Option(..., "--yes/--no", help="Whether they come."),
) -> None:
    """Record an answer a person gave another way (by phone, in the corridor).

    Example: cocon step answer accueil-msp point-etape-2 awa@example.org --yes
    """
    with db() as session:
        project = get_project(session, slug)
        person = find_member(session, project, person_ref)
        record_answer(session, project, step, person, coming=coming, via="coordination", actor=actor())
        name = person.name
    typer.echo(t("cli.step.answer_coming", name=name) if coming else t("cli.step.answer_not_coming", name=name))


#: ``cocon step …`` commands of this module.
STEP_COMMANDS: dict[str, Callable[..., None]] = {"where": step_where, "answers": step_answers, "answer": step_answer}


@calendar_app.command("link")
def calendar_link(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str | None = typer.Option(None, "--person", help="Number, email or exact name; without it: the team's calendar."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Make a calendar subscription link (an earlier one for the same person or team stops working).

    Example: cocon calendar link accueil-msp --person awa@example.org
    """
    with db() as session:
        project = get_project(session, slug)
        person = find_member(session, project, person_ref) if person_ref else None
        token = create_feed(session, person=person, project=None if person else project, actor=actor())
        url = feed_url(session, token)
    if as_json:
        emit_json({"url": url})
        return
    typer.echo(t("cli.calendar.feed_address"))
    typer.echo(url)


@calendar_app.command("revoke")
def calendar_revoke(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person_ref: str | None = typer.Option(None, "--person", help="Number, email or exact name; without it: the team's calendar."),
) -> None:
    """Stop a calendar subscription link at once (it answers "not found" from now on).

    Example: cocon calendar revoke accueil-msp --person awa@example.org
    """
    with db() as session:
        project = get_project(session, slug)
        person = find_member(session, project, person_ref) if person_ref else None
        ended = revoke_feed(session, person=person, project=None if person else project, actor=actor())
    if not ended:
        raise InvalidInput("error.cli.no_feed_to_revoke")
    typer.echo(t("cli.calendar.revoked"))
