"""``cocon project``, ``person``, ``plan``, ``step`` and ``phase``: run a project from the terminal."""

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlmodel import Session

from cocon.cli.output import actor, console, db, emit_json, lang, t
from locales.stored import spoken
from notifications.queue import dead_messages
from planning.calendar import HolidayZone, long_date, short_date
from project_templates import find_template
from store import phases, plans
from store.attention import ANY, Filters, SortKey, board, board_csv
from store.clock import today
from store.erasure import reclaim_space
from store.exceptions import InvalidInput
from store.models import OPEN_STATUSES, Project, ProjectPhase, StepStatus
from store.people import add_person, erase_person, export_person, members, role_coverage
from store.plan_calendar import plan_ics
from store.projects import create_project, get_project, template_of

project_app = typer.Typer(help="Create, list and follow projects.", no_args_is_help=True)
person_app = typer.Typer(help="People taking part in a project, and their roles.", no_args_is_help=True)
plan_app = typer.Typer(help="The retro-planning: show, export, move steps.", no_args_is_help=True)
step_app = typer.Typer(help="Mark steps as started, done or skipped.", no_args_is_help=True)
phase_app = typer.Typer(help="Move a project through avant, pendant, après, clos.", no_args_is_help=True)

def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("error.cli.unreadable_date", option=option, value=value) from None


def slot_label(slot: str) -> str:
    """A moment a person prefers (``store.people.AVAILABILITY``), in the terminal's language."""
    return {
        "matin": t("cli.person.slot_morning"),
        "apres-midi": t("cli.person.slot_afternoon"),
        "soir": t("cli.person.slot_evening"),
        "semaine": t("cli.person.slot_weekday"),
        "week-end": t("cli.person.slot_weekend"),
    }.get(slot, slot)


def _phase_label(phase: str) -> str:
    return phases.PHASE_LABELS[lang()][ProjectPhase(phase)]


def _status_label(status: StepStatus) -> str:
    return plans.STATUS_LABELS[lang()][status]


# --- project ----------------------------------------------------------------------------------


@project_app.command("new")
def project_new(
    template: str = typer.Option(..., "--template", help="Template id (see `cocon templates list`) or YAML file."),
    name: str = typer.Option(..., "--name", help="Project name, e.g. 'Accueil et salle d'attente'."),
    structure: str = typer.Option(..., "--structure", help="MSP, CPTS or facility running it."),
    end: str = typer.Option(..., "--end", help="Target end date, YYYY-MM-DD."),
    start: str | None = typer.Option(None, "--start", help="Start date (default: today)."),
    slug: str | None = typer.Option(None, "--slug", help="Short id used in commands (default: from the name)."),
    team_channel: str | None = typer.Option(None, "--team-channel", help="Apprise URL for coordinator alerts."),
    alsace_moselle: bool = typer.Option(
        False, "--alsace-moselle", help="The structure is in Alsace-Moselle: Good Friday and 26 December are holidays too."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Create a project from a template; its plan is computed backwards from the end date.

    Example: cocon project new --template boite-a-idees --name "Boîte à idées" --structure "MSP des Tilleuls" --end 2027-06-30
    """
    loaded = find_template(template)
    with db() as session:
        project = create_project(
            session, loaded=loaded, name=name, structure=structure, end=_date(end, "--end"),
            start=_date(start, "--start") if start else None, slug=slug, actor=actor(), team_channel=team_channel,
            holiday_zone=HolidayZone.ALSACE_MOSELLE if alsace_moselle else HolidayZone.METROPOLE,
        )
        steps = plans.plan_steps(session, project)
        if as_json:
            emit_json({"slug": project.slug, "phase": project.phase.value, "start": project.start, "end": project.end,
                       "steps": len(steps)})
            return
        typer.echo(t("cli.project.created", name=project.name, slug=project.slug, n=len(steps), start=long_date(project.start, lang()), end=long_date(project.end, lang())))
        typer.echo(t("cli.project.next_hint", slug=project.slug))


class ListFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@project_app.command("list")
def project_list(
    structure: str | None = typer.Option(None, "--structure", help="Only this structure."),
    phase: ProjectPhase | None = typer.Option(None, "--phase", help="Only this phase."),
    search: str = typer.Option("", "--search", help="Only projects whose name or structure contains this text."),
    attention: bool = typer.Option(
        False, "--attention", help="Only projects that need attention (late steps, unsigned charter, "
        "undelivered messages, end date passed)."
    ),
    sort: SortKey = typer.Option(SortKey.END, "--sort", help="Order by name, end date, phase or lateness."),
    output: ListFormat = typer.Option(ListFormat.TABLE, "--format", help="table, csv (for a spreadsheet) or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """List projects with their phase, progress and what needs attention.

    Example: cocon project list --attention --sort lateness --format csv > a-surveiller.csv
    """
    language = lang()
    filters = Filters(structure=structure, phase=phase, search=search, attention=ANY if attention else None, sort=sort)
    with db() as session:
        found = board(session, today=today(), filters=filters)
        described = found.rows(session, lang=language)
        counts = plans.progress(session, [f.id for f in found.matches])
        rows: list[dict[str, Any]] = []
        for facts, line in zip(found.matches, described, strict=True):
            done, total = counts.get(facts.id, (0, 0))
            rows.append({"slug": line.slug, "name": line.name, "structure": line.structure, "phase": line.phase.value,
                         "end": line.end, "done": done, "steps": total,
                         "attention": [{"reason": c.reason.value, "text": c.text} for c in line.concerns]})
    if as_json or output == ListFormat.JSON:
        emit_json(rows)
        return
    if output == ListFormat.CSV:
        typer.echo(board_csv(described, language), nl=False)
        return
    if not rows:
        if found.visible:
            typer.echo(t("cli.project.none_matching"))
        else:
            typer.echo(t("cli.project.none_yet"))
        return
    columns = [t("cli.project.project"), t("cli.project.name"), "Structure", "Phase", t("cli.project.end"),
               t("cli.project.progress")]
    table = Table(*columns, *([t("cli.project.needs_attention")] if attention else []))
    _keep_whole(table, [row["slug"] for row in rows])
    for row in rows:
        cells = [row["slug"], row["name"], row["structure"], _phase_label(row["phase"]),
                 long_date(row["end"], language), f"{row['done']}/{row['steps']}"]
        if attention:
            cells.append("\n".join(item["text"] for item in row["attention"]))
        table.add_row(*cells)
    console.print(table)


def _keep_whole(table: Table, identifiers: list[str]) -> None:
    """The first column holds what the other commands take (project or step id): never cut it with "…"."""
    column = table.columns[0]
    column.no_wrap = True
    column.min_width = max([len(i) for i in identifiers] + [column.min_width or 0])


def project_summary(session: Session, project: Project) -> dict[str, Any]:
    """What `project show` tells: phase, progress, next steps, overdue, missing roles, blockers."""
    language = lang()
    on = today()
    steps = plans.plan_steps(session, project)
    title = plans.titles(session, project, language)
    open_steps = [s for s in steps if s.status in OPEN_STATUSES]
    summary: dict[str, Any] = {
        "slug": project.slug,
        "name": project.name,
        "structure": project.structure,
        "phase": project.phase.value,
        "start": project.start,
        "end": project.end,
        "progress": {"done": sum(1 for s in steps if s.status in (StepStatus.DONE, StepStatus.SKIPPED)), "total": len(steps)},
        "next": [{"key": s.key, "title": title[s.key], "due": s.due} for s in open_steps if s.due >= on][:5],
        "overdue": [{"key": s.key, "title": title[s.key], "due": s.due} for s in steps if plans.is_overdue(s, on)],
        "missing_roles": [{"role": c.role, "label": c.label, "count": c.count, "minimum": c.minimum}
                          for c in role_coverage(session, project, language) if c.missing],
        "gate": phases.gate_problems(session, project, language),
        "dead_messages": _dead_messages(session, project),
    }
    return summary


def _dead_messages(session: Session, project: Project) -> list[dict[str, Any]]:
    return [{"id": m.id, "occasion": m.occasion, "about": m.about} for m in dead_messages(session, project)]


@project_app.command("show")
def project_show(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Show a project: phase, progress, next steps, overdue steps, missing roles.

    Example: COCON_NOW=2027-03-01T09:00 cocon project show accueil-msp
    """
    with db() as session:
        project = get_project(session, slug)
        summary = project_summary(session, project)
    if as_json:
        emit_json(summary)
        return
    language = lang()
    console.print(f"[bold]{summary['name']}[/bold] ({summary['slug']}) — {summary['structure']}")
    console.print(t("cli.project.summary", phase=_phase_label(summary['phase']), done=summary['progress']['done'], n=summary['progress']['total'], start=long_date(summary['start'], lang()), end=long_date(summary['end'], lang())))
    if summary["overdue"]:
        console.print("\n[bold]" + t("cli.project.overdue") + "[/bold]")
        for item in summary["overdue"]:
            console.print(f"  ! {item['key']} — {item['title']} ({long_date(item['due'], language)})")
    if summary["next"]:
        console.print("\n[bold]" + t("cli.project.next_steps") + "[/bold]")
        for item in summary["next"]:
            console.print(f"  {long_date(item['due'], language)} — {item['title']} ({item['key']})")
    if summary["missing_roles"]:
        console.print("\n[bold]" + t("cli.project.roles_still_needed") + "[/bold]")
        for item in summary["missing_roles"]:
            console.print(t("cli.project.role_coverage", label=item["label"], count=item["count"], minimum=item["minimum"]))
    if summary["dead_messages"]:
        console.print("\n[bold]" + t("cli.project.undelivered_messages") + "[/bold]"
                      + t("cli.project.undelivered_count", n=len(summary["dead_messages"]), slug=slug))
    if summary["gate"] and summary["phase"] != ProjectPhase.CLOS:
        console.print("\n[bold]" + t("cli.project.before_next_phase") + "[/bold]")
        for item in summary["gate"]:
            console.print(f"  - {item}")


# --- person -----------------------------------------------------------------------------------


@person_app.command("add")
def person_add(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    name: str = typer.Option(..., "--name", help="Full name, as messages will say it."),
    role: str = typer.Option(..., "--role", help="Role id from the template, e.g. patient-partenaire."),
    email: str | None = typer.Option(None, "--email", help="Email address."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number."),
    apprise_url: str | None = typer.Option(None, "--apprise-url", help="Any Apprise URL (SMS gateway, Signal, Matrix…)."),
    language: str = typer.Option("fr", "--lang", help="fr or en."),
    availability: list[str] = typer.Option([], "--availability", help="matin, après-midi, soir, semaine, week-end."),
    quiet_hours: str | None = typer.Option(None, "--quiet-hours", help="No messages in this local time range, e.g. 21:00-08:00."),
    unavailable: list[str] = typer.Option([], "--unavailable", help="Dates or ranges: 2027-03-01..2027-03-15."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Add a person to a project with a role.

    Example: cocon person add accueil-msp --name "Awa Diallo" --role patient-partenaire --email awa@example.org --availability soir --quiet-hours 21:00-09:00
    """
    with db() as session:
        project = get_project(session, slug)
        person = add_person(session, project, name=name, role=role, email=email, phone=phone, apprise_url=apprise_url,
                            language=language, availability=availability, quiet_hours=quiet_hours,
                            unavailable=unavailable, actor=actor())
        if as_json:
            emit_json({"id": person.id, "name": person.name, "role": role})
            return
        typer.echo(t("cli.person.added", name=person.name, slug=slug, role=role, id=person.id))


@person_app.command("list")
def person_list(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """List a project's people, their roles and how to reach them, and which roles are missing.

    Example: cocon person list accueil-msp
    """
    with db() as session:
        project = get_project(session, slug)
        template = template_of(session, project)
        rows: list[dict[str, Any]] = [{"id": p.id, "name": p.name, "role": m.role, "role_label": template.roles[m.role].label.get(lang()),
                 "language": p.language, "availability": p.availability, "quiet_hours": p.quiet_hours,
                 "channels": [c for c, v in (("email", p.email), ("phone", p.phone), ("apprise", p.apprise_url)) if v],
                 "paused": p.paused, "opted_out": p.opted_out}
                for p, m in members(session, project)]
        coverage = role_coverage(session, project, lang())
    if as_json:
        emit_json({"people": rows, "missing_roles": [{"role": c.role, "missing": c.missing} for c in coverage if c.missing]})
        return
    table = Table(t("cli.person.number"), t("cli.person.name"), t("cli.person.role"), t("cli.person.reachable_by"), t("cli.person.availability"))
    for row in rows:
        table.add_row(str(row["id"]), row["name"], row["role_label"], ", ".join(row["channels"]),
                      ", ".join(slot_label(a) for a in row["availability"]) + (" (" + t("cli.person.quiet") + f" {row['quiet_hours']})" if row["quiet_hours"] else ""))
    console.print(table)
    for c in coverage:
        if c.missing:
            console.print(t("cli.person.missing_role", missing=c.missing, label=c.label))


@person_app.command("export")
def person_export(
    person_id: int = typer.Argument(..., metavar="PERSON_ID", help="Person number (see `cocon person list`)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="JSON file to write (default: the terminal)."),
) -> None:
    """Export everything Cocon holds about one person (JSON), for a subject access request.

    Example: cocon person export 5 -o awa.json
    """
    with db() as session:
        data = export_person(session, person_id)
    if output:
        output.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        typer.echo(t("cli.person.exported", output=output))
    else:
        emit_json(data)


@person_app.command("erase")
def person_erase(
    person_id: int = typer.Argument(..., metavar="PERSON_ID", help="Person number (see `cocon person list`)."),
    yes: bool = typer.Option(False, "--yes", help="Confirm the erasure."),
) -> None:
    """Erase a person's name and contact details everywhere (right to erasure); history stays anonymous.

    Example: cocon person erase 5 --yes
    """
    if not yes:
        raise InvalidInput("error.cli.erase_confirm")
    with db() as session:
        erase_person(session, person_id, actor=actor())
    reclaim_space()
    typer.echo(t("cli.person.erased", person_id=person_id))


# --- plan ---------------------------------------------------------------------------------------


def _step_rows(session: Session, project: Project) -> list[dict[str, Any]]:
    title = plans.titles(session, project, lang())
    return [{"key": s.key, "title": title[s.key], "phase": s.phase, "kind": s.kind, "owner": s.owner_role,
             "due": s.due, "baseline": s.baseline_due, "shift_days": (s.due - s.baseline_due).days,
             "status": s.status.value, "pinned": s.pinned}
            for s in plans.plan_steps(session, project)]


@plan_app.command("show")
def plan_show(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    fmt: str = typer.Option("table", "--format", help="table, json or ics."),
    baseline: bool = typer.Option(False, "--baseline", help="Compare with the original plan."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of the terminal."),
) -> None:
    """Show the plan: every step with its due date (and the baseline with --baseline).

    Example: cocon plan show accueil-msp --format ics -o accueil.ics
    """
    if fmt not in ("table", "json", "ics"):
        raise InvalidInput("error.cli.plan_format")
    with db() as session:
        project = get_project(session, slug)
        rows = _step_rows(session, project)
        if fmt == "ics":
            data = plan_ics(session, project, lang())  # the same file as the web's download
            if output:
                output.write_bytes(data)
                typer.echo(t("cli.plan.ics_written", output=output, n=len(plans.plan_steps(session, project))))
            else:
                typer.echo(data.decode("utf-8"), nl=False)
            return
    if fmt == "json":
        emit_json(rows)
        return
    language = lang()
    table = Table(t("cli.plan.step"), t("cli.plan.title"), "Phase", t("cli.plan.due"), t("cli.plan.status"),
                  title=f"{project.name} — " + t("cli.plan.retro_planning"))
    if baseline:
        table.add_column(t("cli.plan.baseline"))
        table.add_column(t("cli.plan.shift"))
    _keep_whole(table, [row["key"] for row in rows])
    for index in (3, 5) if baseline else ():
        table.columns[index].no_wrap = True  # short dates, never cut
    # Side by side, the two dates are compared: short ones (24/11/2026) keep the table readable on 80 columns.
    day = short_date if baseline else long_date
    for row in rows:
        cells = [row["key"], row["title"], _phase_label(row["phase"]), day(row["due"], language),
                 _status_label(StepStatus(row["status"]))]
        if baseline:
            shift = row["shift_days"]
            cells += [day(row["baseline"], language), f"{shift:+d} " + t("cli.plan.days_abbr") if shift else "="]
        table.add_row(*cells)
    console.print(table)


@plan_app.command("move")
def plan_move(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    to: str = typer.Option(..., "--to", help="New date, YYYY-MM-DD (a working day)."),
    reason: str = typer.Option(..., "--reason", help="Why; kept in the plan history."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Move a step; the steps that depend on it shift too, nothing else moves.

    Example: cocon plan move accueil-msp rencontre --to 2027-01-20 --reason "vacances scolaires"
    """
    with db() as session:
        project = get_project(session, slug)
        changes = plans.move_step(session, project, step, _date(to, "--to"), reason=reason, actor=actor())
        data: list[dict[str, Any]] = [{"step": c.step_key, "old": c.old_due, "new": c.new_due} for c in changes]
    if as_json:
        emit_json(data)
        return
    if not data:
        typer.echo(t("cli.plan.unchanged"))
    for item in data:
        typer.echo(f"{item['step']}: {long_date(item['old'], lang())} → {long_date(item['new'], lang())}")


@plan_app.command("history")
def plan_history(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Show every change made to the plan: old date, new date, who, why.

    Example: cocon plan history accueil-msp
    """
    with db() as session:
        project = get_project(session, slug)
        rows: list[dict[str, Any]] = [{"step": c.step_key, "old": c.old_due, "new": c.new_due, "by": c.changed_by, "reason": spoken(c.reason, lang()),
                 "moved": c.moved_step, "at": c.at} for c in plans.plan_changes(session, project)]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        cause = "" if row["moved"] == row["step"] else t("cli.plan.moved_because", step=row["moved"])
        typer.echo(t("cli.plan.history_line", step=row["step"], old=long_date(row["old"], lang()), new=long_date(row["new"], lang()),
                     by=row["by"], reason=row["reason"], cause=cause))


# --- steps and phases -----------------------------------------------------------------------------


def _set_status(slug: str, step: str, status: StepStatus, note: str | None, as_json: bool) -> None:
    with db() as session:
        project = get_project(session, slug)
        row = plans.set_status(session, project, step, status, actor=actor(), note=note, by_hand=True)
        result = {"step": row.key, "status": row.status.value}
    if as_json:
        emit_json(result)
    else:
        typer.echo(t("cli.step.status_set", step=step, status=_status_label(status)))


@step_app.command("done")
def step_done(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    note: str | None = typer.Option(None, "--note", help="A note kept with the step."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Mark a step as done.

    Example: cocon step done accueil-msp cartographie --note "12 acteurs repérés"
    """
    _set_status(slug, step, StepStatus.DONE, note, as_json)


@step_app.command("start")
def step_start(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Mark a step as in progress.

    Example: cocon step start accueil-msp cartographie
    """
    _set_status(slug, step, StepStatus.IN_PROGRESS, None, as_json)


@step_app.command("skip")
def step_skip(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    note: str | None = typer.Option(None, "--note", help="Why it is dropped."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Drop a step (it no longer blocks the phase).

    Example: cocon step skip accueil-msp convivialite --note "remplacé par un café au point d'étape"
    """
    _set_status(slug, step, StepStatus.SKIPPED, note, as_json)


@step_app.command("reopen")
def step_reopen(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Step id (see `cocon plan show`)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Put a done or skipped step back to planned.

    Example: cocon step reopen accueil-msp charte
    """
    _set_status(slug, step, StepStatus.PLANNED, None, as_json)


@phase_app.command("advance")
def phase_advance(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Move the project to its next phase; refused with the list of what is missing.

    Example: cocon phase advance accueil-msp
    """
    with db() as session:
        project = get_project(session, slug)
        new = phases.advance_phase(session, project, actor=actor(), lang=lang())
    if as_json:
        emit_json({"slug": slug, "phase": new.value})
    else:
        typer.echo(t("cli.phase.moved", slug=slug, phase=_phase_label(new.value)))
