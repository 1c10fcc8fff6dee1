"""``cocon checkpoint``, ``contribution``, ``proposal``, ``indicator``, ``feedback``,
``restitution``, ``evaluate``, ``thank`` and ``certificate``: the "pendant" and "après" halves."""

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlmodel import Session

from cocon.cli.numbers import decimal
from cocon.cli.output import actor, console, db, emit_json, lang, t
from evaluation import assessment
from evaluation.checkpoints import (
    ActionItem,
    CheckpointRecord,
    Replanning,
    get_gathering,
    minutes_text,
    record_checkpoint,
    send_minutes,
)
from evaluation.contributions import (
    KIND_LABELS,
    add_contribution,
    contributions,
    contributions_csv,
    euros,
    hours_text,
    mark_reimbursed,
    parse_kind,
    totals,
    totals_by_person,
)
from evaluation.indicators import (
    VERDICT_LABELS,
    choose_indicator,
    drop_indicator,
    ensure_indicators,
    format_value,
    indicator_statuses,
    is_locked,
    record_value,
)
from evaluation.proposals import (
    SOURCE_LABELS,
    STATUS_LABELS,
    add_proposal,
    decide_proposal,
    parse_source,
    parse_status,
    proposals,
)
from evaluation.questionnaire import DONT_KNOW, answer_questionnaire, invitations, questionnaire_for
from evaluation.restitution import record_restitution
from evaluation.thanks import certificate_pdf, send_thanks
from notifications.dispatch import dispatch
from project_templates.schema import StepKind
from store import plans, wording
from store.clock import today
from store.exceptions import InvalidInput
from store.models import Person, Project, StepStatus
from store.people import find_member, members
from store.projects import get_project
from store.publication import write_publication

checkpoint_app = typer.Typer(help="Checkpoints and meetings: attendance, decisions, minutes.", no_args_is_help=True)
contribution_app = typer.Typer(help="Time given and expenses, per person (défraiement).", no_args_is_help=True)
proposal_app = typer.Typer(help="Participants' proposals and what became of them.", no_args_is_help=True)
indicator_app = typer.Typer(help="Indicators: choose (avant), record, show.", no_args_is_help=True)
feedback_app = typer.Typer(help="The anonymous end-of-project questionnaire.", no_args_is_help=True)
restitution_app = typer.Typer(help="The restitution: the closing session with everyone.", no_args_is_help=True)


def _date(value: str | None, option: str) -> date:
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("error.cli.unreadable_date", option=option, value=value) from None


def _people(session: Session, project: Project, refs: list[str]) -> list[Person]:
    return [find_member(session, project, ref) for ref in refs]


def _names(session: Session, project: Project) -> dict[int, str]:
    return {p.id: p.name for p, _ in members(session, project) if p.id is not None}


# --- checkpoints ------------------------------------------------------------------------------


def _parse_action(text: str) -> ActionItem:
    parts = [p.strip() for p in text.split("|")]
    if not parts[0]:
        raise InvalidInput("error.cli.action_format")
    who = parts[1] if len(parts) > 1 and parts[1] else None
    due = _date(parts[2], "--action") if len(parts) > 2 and parts[2] else None
    return ActionItem(parts[0], who, due)


def _parse_status(text: str) -> tuple[str, StepStatus]:
    key, _, value = text.partition("=")
    try:
        return key.strip(), StepStatus(value.strip())
    except ValueError:
        known = ", ".join(s.value for s in StepStatus)
        raise InvalidInput("error.cli.status_format", value=text, known=known) from None


def _parse_move(text: str) -> Replanning:
    head, _, reason = text.partition(":")
    key, _, day = head.partition("=")
    if not key.strip() or not day.strip():
        raise InvalidInput("error.cli.move_format", value=text)
    return Replanning(key.strip(), _date(day.strip(), "--move"), reason.strip())


@checkpoint_app.command("record")
def checkpoint_record(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Checkpoint or meeting step, e.g. point-etape-1."),
    held_on: str | None = typer.Option(None, "--date", help="Day it was held, YYYY-MM-DD (default: today)."),
    attendees: list[str] = typer.Option([], "--attendee", "-a", help="Who came (id, email or name); repeat."),
    decisions: list[str] = typer.Option([], "--decision", "-d", help="A decision taken; repeat."),
    actions: list[str] = typer.Option([], "--action", help="'what | who | YYYY-MM-DD'; repeat."),
    statuses: list[str] = typer.Option([], "--status", help="STEP=planned|in_progress|done|skipped; repeat."),
    moves: list[str] = typer.Option([], "--move", help="STEP=YYYY-MM-DD:reason, a re-planning decided; repeat."),
    notes: str | None = typer.Option(None, "--notes", help="Free notes for the minutes."),
    send: bool = typer.Option(True, "--send/--no-send", help="Send the minutes to the participants now."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Record a checkpoint that was held: who came, decisions, actions, step statuses, re-planning.

    The plan moves through the planner (dependents follow, the reason is kept), the step is
    marked done and the minutes are queued for everyone expected.

    Example: cocon checkpoint record accueil-msp point-etape-1 --date 2027-03-22 -a awa@example.org -a 1 --decision "Refaire l'affiche" --action "Maquette | Awa | 2027-04-05" --move "action=2027-05-28:affiche à refaire"
    """
    parsed_actions = [_parse_action(a) for a in actions]
    parsed_statuses = dict(_parse_status(s) for s in statuses)
    parsed_moves = [_parse_move(m) for m in moves]
    with db() as session:
        project = get_project(session, slug)
        people = _people(session, project, attendees)
        record = CheckpointRecord(
            held_on=_date(held_on, "--date"),
            attendees=[p.id for p in people if p.id is not None],
            decisions=decisions,
            actions=parsed_actions,
            step_statuses=parsed_statuses,
            replanning=parsed_moves,
            notes=notes,
        )
        gathering = record_checkpoint(session, project, step, record, actor=actor())
        queued = send_minutes(session, project, gathering, actor=actor()) if send else 0
        result = {
            "step": step,
            "held_on": gathering.held_on,
            "attendees": len(people),
            "decisions": len(gathering.decisions),
            "moved": [m["step"] for m in gathering.replanning],
            "minutes_queued": queued,
        }
    if queued:
        dispatch()
    if as_json:
        emit_json(result)
        return
    typer.echo(
        t("cli.checkpoint.minutes_recorded", step=step, n=queued)
    )


@checkpoint_app.command("show")
def checkpoint_show(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    step: str = typer.Argument(..., metavar="STEP", help="Checkpoint or meeting step, e.g. point-etape-1."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Show the minutes of a checkpoint or meeting.

    Example: cocon checkpoint show accueil-msp point-etape-1
    """
    with db() as session:
        project = get_project(session, slug)
        gathering = get_gathering(session, project, step)
        if as_json:
            emit_json(gathering.model_dump(exclude={"id", "project_id"}))
            return
        typer.echo(minutes_text(session, project, gathering, lang()))


# --- contributions ---------------------------------------------------------------------------


def _cents(value: str | None) -> int:
    if value is None:
        return 0
    try:
        amount = wording.parse_number(value.replace("€", ""))
    except ValueError:
        raise InvalidInput("error.cli.unreadable_amount", value=value) from None
    if not math.isfinite(amount) or abs(amount) > MAX_AMOUNT_EUROS:
        raise InvalidInput("error.cli.impossible_amount", value=value, limit=MAX_AMOUNT_EUROS)
    return round(amount * 100)


#: Above this an amount is a typing mistake, not an expense to reimburse.
MAX_AMOUNT_EUROS = 1_000_000


@contribution_app.command("add")
def contribution_add(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person: str = typer.Option(..., "--person", "-p", help="Id, email or name of the member."),
    on: str | None = typer.Option(None, "--date", help="Day, YYYY-MM-DD (default: today)."),
    kind: str = typer.Option(
        "reunion", "--kind", help="reunion, preparation, action, formation, deplacement, garde, autre."
    ),
    hours: float = typer.Option(0.0, "--hours", help="Hours given, e.g. 2,5.", parser=decimal),
    amount: str | None = typer.Option(None, "--amount", help="Expense in euros, e.g. 12,50."),
    receipt: str | None = typer.Option(None, "--receipt", help="Receipt reference."),
    description: str | None = typer.Option(None, "--description", help="What was done or paid for."),
    reimbursed_on: str | None = typer.Option(None, "--reimbursed-on", help="Day the expense was paid back."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Record time given and/or an expense to reimburse.

    Example: cocon contribution add accueil-msp --person awa@example.org --date 2027-03-22 --hours 2,5 --amount 12,40 --kind deplacement --receipt "ticket bus 0322"
    """
    with db() as session:
        project = get_project(session, slug)
        who = find_member(session, project, person)
        row = add_contribution(
            session,
            project,
            who,
            on=_date(on, "--date"),
            kind=parse_kind(kind),
            hours=hours,
            amount_cents=_cents(amount),
            receipt_ref=receipt,
            description=description,
            reimbursed_on=_date(reimbursed_on, "--reimbursed-on") if reimbursed_on else None,
            actor=actor(),
        )
        result = {"id": row.id, "person": who.name, "hours": row.hours, "amount": row.amount_cents / 100}
    if as_json:
        emit_json(result)
        return
    typer.echo(
        t("cli.contribution.recorded", id=result['id'], name=who.name)
    )


@contribution_app.command("reimburse")
def contribution_reimburse(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    contribution_id: int = typer.Argument(..., metavar="ID", help="Contribution number (see `cocon contribution list`)."),
    on: str | None = typer.Option(None, "--date", help="Day it was paid back (default: today)."),
) -> None:
    """Note that an expense was paid back.

    Example: cocon contribution reimburse accueil-msp 3 --date 2027-04-02
    """
    with db() as session:
        project = get_project(session, slug)
        mark_reimbursed(session, project, contribution_id, _date(on, "--date"), actor=actor())
    typer.echo(t("cli.contribution.reimbursed", contribution_id=contribution_id))


@contribution_app.command("list")
def contribution_list(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person: str | None = typer.Option(None, "--person", "-p", help="Only this member (id, email or name)."),
    csv_file: Path | None = typer.Option(None, "--csv", help="Write a CSV for the accounts (';' and decimal comma)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """List contributions with totals per person and for the project.

    Example: cocon contribution list accueil-msp --csv contributions.csv
    """
    with db() as session:
        project = get_project(session, slug)
        rows = contributions(session, project)
        if person:
            who = find_member(session, project, person)
            rows = [r for r in rows if r.person_id == who.id]
        names = _names(session, project)
    if csv_file is not None:
        csv_file.write_text(contributions_csv(rows, names), encoding="utf-8")
    per_person = totals_by_person(rows)
    overall = totals(rows)
    if as_json:
        emit_json(
            {
                "entries": [r.model_dump(exclude={"project_id"}) for r in rows],
                "per_person": [
                    {
                        "person": names.get(pid, pid),
                        "hours": t.hours,
                        "amount": t.amount_cents / 100,
                        "owed": t.owed_cents / 100,
                    }
                    for pid, t in per_person.items()
                ],
                "total": {
                    "hours": overall.hours,
                    "amount": overall.amount_cents / 100,
                    "owed": overall.owed_cents / 100,
                },
            }
        )
        return
    language = lang()
    for r in rows:
        money = f" {euros(r.amount_cents, language)}" if r.amount_cents else ""
        typer.echo(
            f"{r.id:>4}  {r.on}  {names.get(r.person_id, r.person_id)}  {KIND_LABELS[language][r.kind]}  {hours_text(r.hours, language)}{money}"
        )
    for pid, subtotal in per_person.items():
        typer.echo(
            t(
                "cli.contribution.person_total",
                person=names.get(pid, pid),
                hours=hours_text(subtotal.hours, lang()),
                amount=euros(subtotal.amount_cents, lang()),
                owed=euros(subtotal.owed_cents, lang()),
            )
        )
    typer.echo(
        t(
            "cli.contribution.total",
            hours=hours_text(overall.hours, lang()),
            amount=euros(overall.amount_cents, lang()),
            owed=euros(overall.owed_cents, lang()),
        )
    )
    if csv_file is not None:
        typer.echo(t("cli.contribution.csv_written", csv_file=csv_file))


# --- proposals -----------------------------------------------------------------------------------


@proposal_app.command("add")
def proposal_add(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    text: str = typer.Option(..., "--text", help="The proposal, in the person's words."),
    person: str | None = typer.Option(
        None, "--person", "-p", help="Who proposed it (omit for an unsigned idea-box note)."
    ),
    source: str = typer.Option(
        "point-etape", "--source", help="point-etape, reunion, boite-a-idees, message, questionnaire, autre."
    ),
    step: str | None = typer.Option(None, "--step", help="Checkpoint where it was proposed."),
    on: str | None = typer.Option(None, "--date", help="Day it was proposed, YYYY-MM-DD (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Record a participant's proposal.

    Example: cocon proposal add accueil-msp --person awa@example.org --text "Une affiche en gros caractères" --step point-etape-1
    """
    with db() as session:
        project = get_project(session, slug)
        who = find_member(session, project, person) if person else None
        if step:
            plans.get_step(session, project, step)
        row = add_proposal(
            session,
            project,
            who,
            text=text,
            source=parse_source(source),
            step_key=step,
            proposed_on=_date(on, "--date"),
            actor=actor(),
        )
        result = {"id": row.id, "status": row.status.value}
    if as_json:
        emit_json(result)
        return
    typer.echo(t("cli.proposal.recorded", id=result['id']))


@proposal_app.command("decide")
def proposal_decide(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    proposal_id: int = typer.Argument(..., metavar="ID", help="Proposal number (see `cocon proposal list`)."),
    status: str = typer.Option(..., "--status", help="adoptee, adaptee, non-retenue or en-attente."),
    reason: str | None = typer.Option(None, "--reason", help="Why not retained, or how it was adapted."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Say what became of a proposal (a proposal not retained needs its reason).

    Example: cocon proposal decide accueil-msp 2 --status non-retenue --reason "pas de personnel le samedi"
    """
    with db() as session:
        project = get_project(session, slug)
        row = decide_proposal(session, project, proposal_id, parse_status(status), outcome=reason, actor=actor())
        result = {"id": row.id, "status": row.status.value, "outcome": row.outcome}
    if as_json:
        emit_json(result)
        return
    typer.echo(
        t("cli.proposal.decided", id=proposal_id, status=STATUS_LABELS[lang()][row.status])
    )


@proposal_app.command("list")
def proposal_list(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """List proposals and what became of them.

    Example: cocon proposal list accueil-msp --json
    """
    with db() as session:
        project = get_project(session, slug)
        rows = proposals(session, project)
        names = _names(session, project)
    data = [
        {
            "id": p.id,
            "by": names.get(p.person_id, "—") if p.person_id else "—",
            "text": p.text,
            "source": p.source.value,
            "status": p.status.value,
            "outcome": p.outcome,
        }
        for p in rows
    ]
    if as_json:
        emit_json(data)
        return
    language = lang()
    for p in rows:
        outcome = f" ({p.outcome})" if p.outcome else ""
        who = (
            names.get(p.person_id, "—")
            if p.person_id
            else t("cli.proposal.unsigned") + f", {SOURCE_LABELS[language][p.source]}"
        )
        typer.echo(f"{p.id:>4}  [{STATUS_LABELS[language][p.status]}] {p.text} — {who}{outcome}")


# --- indicators ----------------------------------------------------------------------------------


@indicator_app.command("choose")
def indicator_choose(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    code: str | None = typer.Argument(None, metavar="CODE", help="Catalogue code or a new project-specific code."),
    target: float | None = typer.Option(None, "--target", parser=decimal, help="Value aimed at (2,5 or 2.5)."),
    minimum: float | None = typer.Option(None, "--minimum", parser=decimal, help="Minimum to reach: between it and the target, the indicator is partly met."),
    baseline: float | None = typer.Option(None, "--baseline", parser=decimal, help="Value before the project, if already known."),
    name: str | None = typer.Option(None, "--name", help="Project-specific indicator: its name."),
    definition: str | None = typer.Option(None, "--definition", help="Project-specific indicator: what is counted."),
    unit: str | None = typer.Option(None, "--unit", help="count, percent, hours, score or yesno."),
    source: str | None = typer.Option(None, "--source", help="auto, manual or questionnaire."),
    direction: str | None = typer.Option(None, "--direction", help="higher or lower (is better)."),
    drop: bool = typer.Option(False, "--drop", help="Remove this indicator from the project."),
    reason: str | None = typer.Option(None, "--reason", help="Required once the project has left 'avant'."),
    done: bool = typer.Option(False, "--done", help="The group has made its choice: mark the indicators step done."),
) -> None:
    """Choose indicators (during 'avant'); later changes need --reason and appear in the report.

    Example: cocon indicator choose accueil-msp presence-partenaires --target 80 --minimum 60 --done
    """
    custom = {
        k: v
        for k, v in {
            "name": name,
            "definition": definition,
            "unit": unit,
            "source": source,
            "direction": direction,
        }.items()
        if v is not None
    }
    with db() as session:
        project = get_project(session, slug)
        ensure_indicators(session, project)
        if code and drop:
            drop_indicator(session, project, code, actor=actor(), reason=reason)
            typer.echo(t("cli.indicator.removed", code=code))
        elif code:
            choose_indicator(
                session,
                project,
                code,
                actor=actor(),
                reason=reason,
                custom=custom or None,
                target=target,
                minimum=minimum,
                baseline=baseline,
            )
            typer.echo(t("cli.indicator.saved", code=code))
        if done:
            plans.complete_steps(session, project, (StepKind.INDICATORS,), actor=actor(), note="indicateurs choisis")
            typer.echo(t("cli.indicator.choice_done"))
        if not code and not done:
            typer.echo(
                t("cli.indicator.chosen", n=len(ensure_indicators(session, project)), slug=slug)
            )


@indicator_app.command("record")
def indicator_record(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    code: str = typer.Argument(..., metavar="CODE", help="Indicator code (see `cocon indicator show`)."),
    value: float = typer.Argument(..., metavar="VALUE", help="Number (2,5 or 2.5); for yes/no, 1 or 0.", parser=decimal),
    note: str | None = typer.Option(None, "--note", help="A note on the measure, e.g. its source."),
) -> None:
    """Record a measured value (a first value during 'avant' becomes the baseline).

    Example: cocon indicator record accueil-msp personnes-touchees 140 --note "dépistages ICOPE proposés"
    """
    with db() as session:
        project = get_project(session, slug)
        record_value(session, project, code, value, actor=actor(), note=note)
    typer.echo(t("cli.indicator.value_recorded", code=code))


@indicator_app.command("show")
def indicator_show(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Show the chosen indicators with baseline, target, minimum, latest value and verdict.

    Example: cocon indicator show accueil-msp
    """
    language = lang()
    with db() as session:
        project = get_project(session, slug)
        statuses = indicator_statuses(session, project)
        locked = is_locked(project)
    data = [
        {
            "code": s.definition.code,
            "name": s.definition.name.get(language),
            "unit": s.definition.unit,
            "source": s.definition.source,
            "baseline": s.definition.baseline,
            "target": s.definition.target,
            "minimum": s.definition.minimum,
            "value": s.value,
            "verdict": s.verdict.value,
        }
        for s in statuses
    ]
    if as_json:
        emit_json({"locked": locked, "indicators": data})
        return
    if locked:
        typer.echo(
            t("cli.indicator.locked")
        )
    for s in statuses:
        d = s.definition
        typer.echo(
            f"{d.code:<28} {d.name.get(language)} — "
            + t("cli.indicator.baseline")
            + f" {format_value(d, d.baseline, language)}, "
            + t("cli.indicator.target")
            + f" {format_value(d, d.target, language)}, "
            + t("cli.indicator.value")
            + f" {format_value(d, s.value, language)} "
            + f"[{VERDICT_LABELS[language][s.verdict]}]"
        )


# --- questionnaire ------------------------------------------------------------------------------


@feedback_app.command("invite")
def feedback_invite(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    send: bool = typer.Option(True, "--send/--queue-only", help="Send the invitations now (default)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Invite every participant to the anonymous questionnaire (reminders on day 7 and 14).

    Example: cocon feedback invite accueil-msp
    """
    with db() as session:
        project = get_project(session, slug)
        created = assessment.open_questionnaire(session, project, actor=actor())
        total = len(invitations(session, project))
    if send:
        dispatch()
    if as_json:
        emit_json({"invited": created, "total": total})
        return
    typer.echo(
        t("cli.feedback.invitations_queued", n=created, total=total)
    )


@feedback_app.command("status")
def feedback_status(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """How many were invited and how many answered (never who answered what).

    Example: cocon feedback status accueil-msp
    """
    with db() as session:
        project = get_project(session, slug)
        rows = invitations(session, project)
    data = {"invited": len(rows), "answered": sum(1 for r in rows if r.answered)}
    if as_json:
        emit_json(data)
        return
    typer.echo(
        t(
            "cli.feedback.answers",
            answers=t("cli.feedback.answer_count", n=data["answered"]),
            invitations=t("cli.feedback.invitation_count", n=data["invited"]),
        )
    )


def _ask(view: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    scale = " / ".join(f"{i + 1} = {label}" for i, label in enumerate(view.scale))
    # The scale once, then a short reminder at each statement (not the whole legend twenty times).
    typer.echo(t("cli.feedback.each_statement", scale=scale, code=DONT_KNOW, dont_know=view.dont_know))
    short = t("cli.feedback.short_prompt", code=DONT_KNOW)
    for section in view.sections:
        console.print(f"\n[bold]{section.title.get(view.lang)}[/bold]")
        for item in section.items:
            if section.open:
                text = typer.prompt(item.text.get(view.lang), default="", show_default=False)
                if text.strip():
                    answers[item.code] = text
                continue
            while True:
                value = typer.prompt(
                    f"{item.text.get(view.lang)}\n  {short}",
                    default="",
                    show_default=False,
                )
                value = value.strip()
                if value == "":
                    break
                if value in {"1", "2", "3", "4", "5"}:
                    answers[item.code] = int(value)
                    break
                if value == DONT_KNOW:
                    answers[item.code] = None
                    break
                typer.echo(t("cli.feedback.answer_range"))
    return answers


@feedback_app.command("answer")
def feedback_answer(
    token: str = typer.Argument(..., metavar="TOKEN", help="The code from the invitation."),
    answers_file: Path | None = typer.Option(None, "--answers", help='JSON file giving each question code its answer: 1-5, "nsp" or a text.'),
) -> None:
    """Answer the questionnaire with an invitation's code (interactively, or from a JSON file).

    The answer is stored without your name; the link then stops working.

    Example: cocon feedback answer Xy3…Q --answers reponses.json
    """
    if answers_file is not None:
        try:
            answers = json.loads(answers_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise InvalidInput("error.cli.answers_unreadable", reason=error.__class__.__name__) from None
        if not isinstance(answers, dict):
            raise InvalidInput("error.cli.answers_not_object")
        with db() as session:
            answer_questionnaire(session, token, answers)
    else:
        with db() as session:
            view = questionnaire_for(session, token)
        typer.echo(
            t("cli.feedback.questionnaire_heading", project_name=view.project_name)
        )
        answers = _ask(view)
        with db() as session:
            answer_questionnaire(session, token, answers)
    typer.echo(
        t("cli.feedback.thanks")
    )


# --- restitution, evaluation, thanks --------------------------------------------------------------


@restitution_app.command("record")
def restitution_record(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    held_on: str | None = typer.Option(None, "--date", help="Day it was held, YYYY-MM-DD (default: today)."),
    attendees: list[str] = typer.Option([], "--attendee", "-a", help="Who came (id, email or name); repeat."),
    presented: str = typer.Option(..., "--presented", help="What was presented."),
    discussion: str = typer.Option("", "--discussion", help="What was said."),
) -> None:
    """Record the restitution: who came, what was presented, the discussion.

    Example: cocon restitution record accueil-msp --date 2027-06-25 -a 1 -a 4 --presented "Résultats et affiche" --discussion "Envie de continuer"
    """
    with db() as session:
        project = get_project(session, slug)
        people = _people(session, project, attendees)
        record_restitution(
            session,
            project,
            held_on=_date(held_on, "--date"),
            attendees=[p.id for p in people if p.id],
            presented=presented,
            discussion=discussion,
            actor=actor(),
        )
    typer.echo(t("cli.restitution.restitution_recorded"))


def evaluate(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Folder for the reports (default: Cocon's data folder)."
    ),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write the reports as PDF (--no-pdf: HTML only)."),
    conclusions: str | None = typer.Option(
        None, "--conclusions", help="The coordination's conclusions, kept for every later report ('' clears them)."
    ),
    conclusions_file: Path | None = typer.Option(
        None, "--conclusions-file", help="Read the conclusions from a UTF-8 text file.", exists=True, dir_okay=False
    ),
    place: str | None = typer.Option(None, "--place", help="Town the documents are made at (Fait à …)."),
    report_lang: str | None = typer.Option(None, "--lang", help="fr or en (default: the terminal's language)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Measure the indicators and write the internal and the public evaluation report (HTML and PDF).

    The public report names no one and gives no individual expenses: it is the one for funders
    and the one attached to thanks. During *pendant* the report is interim and closes no step.

    Example: cocon evaluate accueil-msp --conclusions-file conclusions.txt --place Dole --output rapports/
    """
    language = _language(report_lang)
    text = conclusions_file.read_text(encoding="utf-8") if conclusions_file else conclusions
    with db() as session:
        project = get_project(session, slug)
        if text is not None or place is not None:
            write_publication(session, project, actor=actor(), conclusions=text, lang=language, place=place)
        values, files = assessment.evaluate(
            session, project, actor=actor(), output_dir=output, pdf=pdf, lang=language
        )
        asked = assessment.ask_for_manual(session, project, actor=actor())
    if as_json:
        emit_json(
            {
                "values": values,
                "html": str(files.html),
                "pdf": str(files.pdf) if files.pdf else None,
                "public_html": str(files.public_html),
                "public_pdf": str(files.public_pdf) if files.public_pdf else None,
                "manual_requests": asked,
            }
        )
        return
    typer.echo(t("cli.evaluate.internal_report", html=files.html))
    typer.echo(t("cli.evaluate.public_report", public_html=files.public_html))
    if files.pdf and files.public_pdf:
        typer.echo(t("cli.evaluate.pdf", pdf=files.pdf, public_pdf=files.public_pdf))


def _language(value: str | None) -> str:
    if value is None:
        return lang()
    if value not in ("fr", "en"):
        raise InvalidInput("error.cli.unknown_language", value=value)
    return value


def thank(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show each message without queuing anything."),
    attach_report: bool = typer.Option(True, "--report/--no-report", help="Attach the evaluation report (PDF)."),
    send: bool = typer.Option(True, "--send/--queue-only", help="Send now (default) or leave it to `cocon remind`."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, for scripts."),
) -> None:
    """Send each participant a personal thank-you naming what they gave and what became of it.

    Example: cocon thank accueil-msp --dry-run
    """
    with db() as session:
        project = get_project(session, slug)
        previews = send_thanks(session, project, actor=actor(), attach_report=attach_report, dry_run=dry_run)
    if send and not dry_run:
        dispatch()
    if as_json:
        emit_json(
            [
                {
                    "person": p.person_name,
                    "subject": p.message.subject,
                    "text": p.message.text,
                    "attachments": list(p.attachments),
                    "queued": p.queued,
                }
                for p in previews
            ]
        )
        return
    for p in previews:
        if dry_run:
            typer.echo(f"--- {p.person_name} — {p.message.subject}\n{p.message.text}")
    queued = sum(p.queued for p in previews)
    typer.echo(
        t("cli.thank.queued", n=queued, total=len(previews))
    )


def certificate(
    slug: str = typer.Argument(..., metavar="P", help="Project short id, e.g. accueil-msp."),
    person: str = typer.Option(..., "--person", "-p", help="Id, email or name of a volunteer partner."),
    output: Path | None = typer.Option(None, "--output", "-o", help="PDF file (default: attestation-P-ID.pdf)."),
    cert_lang: str | None = typer.Option(None, "--lang", help="fr or en (default: the person's language)."),
    place: str | None = typer.Option(None, "--place", help="Town it is made at (default: the one set with evaluate)."),
    logo: Path | None = typer.Option(
        None, "--logo", help="The structure's logo (PNG, JPEG or SVG).", exists=True, dir_okay=False
    ),
) -> None:
    """Write a volunteer's certificate of participation (PDF): "Fait à …, le …", signed by the coordination.

    Example: cocon certificate accueil-msp --person awa@example.org --place Dole --output attestation-awa.pdf
    """
    with db() as session:
        project = get_project(session, slug)
        who = find_member(session, project, person)
        language = _language(cert_lang or who.language)
        data = certificate_pdf(
            session, project, who, language, place=place, logo=logo.read_bytes() if logo else None
        )
    path = output or Path(f"attestation-{slug}-{who.id}.pdf")
    path.write_bytes(data)
    typer.echo(t("cli.certificate.written", path=path))
