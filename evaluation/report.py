"""The evaluation report: the project judged against the indicators it chose, in French.

:func:`build_report` reads the store and returns a :class:`Report` (plain data, charts as PNG
data URIs); :func:`report_html` renders it as one standalone page, :func:`report_pdf` prints
that page with WeasyPrint. Sections: indicators against baseline and target (met / partly /
not met) with any change made after they were locked and its reason; questionnaire results by
section (a breakdown with fewer than 5 respondents is hidden); the plan against its baseline
(what slipped and why, from the plan history); participation over time; contributions and
compensation; proposals and what became of them; the restitution.
"""

import base64
from collections import defaultdict
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from evaluation.checkpoints import all_members, attendance_of
from evaluation.contributions import contributions, euros, hours_text, number_text, totals, totals_by_person
from evaluation.indicators import (
    VERDICT_LABELS,
    Verdict,
    changes_after_lock,
    format_value,
    indicator_statuses,
)
from evaluation.participants import is_partner
from evaluation.proposals import SOURCE_LABELS, STATUS_LABELS, proposals
from evaluation.questionnaire import (
    GROUP_ALL,
    MIN_GROUP,
    invitations,
    load_questionnaire,
    open_answers,
    responses,
    results_by_group,
)
from evaluation.rendering import pdf_bytes, render
from evaluation.restitution import get_restitution
from planning.calendar import long_date, long_datetime
from store.clock import PARIS, today
from store.models import Project, ProposalStatus, RoleGroup, StepStatus
from store.plans import STATUS_LABELS as STEP_STATUS_LABELS
from store.plans import plan_changes, plan_steps, titles
from store.projects import template_of


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class IndicatorRow(_Model):
    code: str
    name: str
    definition: str
    source: str
    baseline: str
    target: str
    minimum: str
    value: str
    evolution: str
    verdict: str
    verdict_label: str
    note: str | None


class ChangeRow(_Model):
    code: str
    change: str
    reason: str
    by: str
    at: str


class SectionRow(_Model):
    title: str
    respondents: int
    hidden: bool
    mean: str
    distribution: list[int]


class GroupRow(_Model):
    label: str
    respondents: int
    sections: list[SectionRow]


class QuestionnaireBlock(_Model):
    invited: int
    answered: int
    rate: str
    min_group: int
    groups: list[GroupRow]
    open_answers: list[tuple[str, list[str]]]


class StepRow(_Model):
    title: str
    baseline: str
    due: str
    status: str
    slip_days: int


class SlipRow(_Model):
    title: str
    old: str
    new: str
    reason: str
    by: str
    moved_step: str


class GatheringRow(_Model):
    title: str
    held_on: str
    expected: int
    present: int
    partners_present: int


class ContributorRow(_Model):
    name: str
    group: str
    hours: str
    expenses: str
    reimbursed: str
    owed: str


class ProposalRow(_Model):
    text: str
    by: str
    source: str
    status: str
    outcome: str | None


class RestitutionBlock(_Model):
    held_on: str
    attendees: int
    presented: str
    discussion: str


class Report(_Model):
    """Everything the report shows, already formatted in its language."""

    lang: str
    project_name: str
    structure: str
    template_title: str
    period: str
    generated_on: str
    indicators: list[IndicatorRow]
    verdict_counts: dict[str, int]
    locked_changes: list[ChangeRow]
    questionnaire: QuestionnaireBlock
    steps: list[StepRow]
    slips: list[SlipRow]
    gatherings: list[GatheringRow]
    contributors: list[ContributorRow]
    total_hours: str
    partner_hours: str
    total_expenses: str
    total_reimbursed: str
    total_owed: str
    proposals: list[ProposalRow]
    proposal_counts: dict[str, int]
    restitution: RestitutionBlock | None
    charts: dict[str, str]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def build_report(session: Session, project: Project, lang: str = "fr", *, with_charts: bool = True) -> Report:
    """Gather and format the whole evaluation of one project."""
    from evaluation import charts  # matplotlib costs ~0.3 s to import: not at every `cocon` start

    template = template_of(session, project)
    members = all_members(session, project)
    by_id = {m.id: m for m in members}
    partner_ids = {m.id for m in members if is_partner(template, m)}
    step_titles = titles(session, project, lang)
    chart_uris: dict[str, str] = {}

    # Indicators against baseline and target.
    statuses = indicator_statuses(session, project)
    indicator_rows = []
    chart_rows = []
    for status in statuses:
        d = status.definition
        evolution = "—"
        if status.value is not None and d.baseline is not None:
            delta = status.value - d.baseline
            evolution = ("+" if delta >= 0 else "") + number_text(round(delta, 1), lang)
        indicator_rows.append(
            IndicatorRow(
                code=d.code,
                name=d.name.get(lang),
                definition=d.definition.get(lang),
                source=d.source,
                baseline=format_value(d, d.baseline, lang),
                target=format_value(d, d.target, lang),
                minimum=format_value(d, d.minimum, lang),
                value=format_value(d, status.value, lang),
                evolution=evolution,
                verdict=status.verdict.value,
                verdict_label=VERDICT_LABELS["en" if lang == "en" else "fr"][status.verdict],
                note=status.note,
            )
        )
        if status.value is not None and d.target and d.direction == "higher":
            chart_rows.append((d.name.get(lang), 100 * status.value / d.target, status.verdict.value))
    verdict_counts = {v.value: sum(1 for s in statuses if s.verdict == v) for v in Verdict}
    if with_charts and chart_rows:
        chart_uris["indicators"] = _data_uri(
            charts.indicators_chart(chart_rows, "Indicateurs : valeur atteinte / cible")
        )

    locked = [
        ChangeRow(
            code=c.code,
            change=c.change,
            reason=c.reason or "—",
            by=c.changed_by,
            at=long_datetime(c.at.astimezone(PARIS), lang),
        )
        for c in changes_after_lock(session, project)
    ]

    # Questionnaire by section.
    questionnaire = load_questionnaire()
    rows = responses(session, project)
    invited = invitations(session, project)
    answered = sum(1 for i in invited if i.answered)
    group_labels = {
        GROUP_ALL: "Tous les répondants",
        RoleGroup.PARTNER.value: "Partenaires",
        RoleGroup.PROFESSIONAL.value: "Professionnels",
    }
    groups = []
    for result in results_by_group(questionnaire, rows, lang):
        groups.append(
            GroupRow(
                label=group_labels[result.group],
                respondents=result.respondents,
                sections=[
                    SectionRow(
                        title=s.title,
                        respondents=s.respondents,
                        hidden=s.hidden,
                        mean="—" if s.mean is None else number_text(s.mean, lang),
                        distribution=list(s.distribution),
                    )
                    for s in result.sections
                ],
            )
        )
    overall = results_by_group(questionnaire, rows, lang)[0]
    shown = [(s.title, s.mean) for s in overall.sections if s.mean is not None]
    if with_charts and shown:
        chart_uris["questionnaire"] = _data_uri(
            charts.sections_chart([(t, float(m)) for t, m in shown], "Questionnaire : score moyen par partie")
        )
    questionnaire_block = QuestionnaireBlock(
        invited=len(invited),
        answered=answered,
        rate="—" if not invited else f"{round(100 * answered / len(invited))} %",
        min_group=MIN_GROUP,
        groups=groups,
        open_answers=open_answers(questionnaire, rows, lang),
    )

    # Plan against its baseline.
    steps = plan_steps(session, project)
    step_rows = []
    for s in steps:
        finished = s.done_at.astimezone(PARIS).date() if s.status == StepStatus.DONE and s.done_at else s.due
        step_rows.append(
            StepRow(
                title=step_titles.get(s.key, s.key),
                baseline=long_date(s.baseline_due, lang),
                due=long_date(finished, lang),
                status=STEP_STATUS_LABELS["en" if lang == "en" else "fr"][s.status],
                slip_days=(finished - s.baseline_due).days if s.status != StepStatus.SKIPPED else 0,
            )
        )
    slips = [
        SlipRow(
            title=step_titles.get(c.step_key, c.step_key),
            old=long_date(c.old_due, lang),
            new=long_date(c.new_due, lang),
            reason=c.reason,
            by=c.changed_by,
            moved_step=step_titles.get(c.moved_step, c.moved_step),
        )
        for c in plan_changes(session, project)
    ]
    slipped = [(r.title, r.slip_days) for r in step_rows if r.slip_days != 0]
    if with_charts and slipped:
        chart_uris["plan"] = _data_uri(charts.slips_chart(slipped, "Plan : décalage par rapport à la référence"))

    # Participation over time.
    by_gathering: dict[str, list] = defaultdict(list)
    for row in attendance_of(session, project):
        by_gathering[row.step_key].append(row)
    gatherings = []
    participation_points = []
    for key, items in sorted(by_gathering.items(), key=lambda kv: kv[1][0].held_on):
        present = [a for a in items if a.present]
        partners_present = sum(1 for a in present if a.person_id in partner_ids)
        expected = sum(1 for a in items if a.invited)
        gatherings.append(
            GatheringRow(
                title=step_titles.get(key, key),
                held_on=long_date(items[0].held_on, lang),
                expected=expected,
                present=len(present),
                partners_present=partners_present,
            )
        )
        participation_points.append((items[0].held_on, partners_present, len(present) - partners_present, expected))
    if with_charts and participation_points:
        chart_uris["participation"] = _data_uri(
            charts.participation_chart(participation_points, "Participation aux rencontres")
        )

    # Contributions and compensation.
    all_contributions = contributions(session, project)
    per_person = totals_by_person(all_contributions)
    contributors = [
        ContributorRow(
            name=by_id[pid].name if pid in by_id else f"n°{pid}",
            group="partenaire" if pid in partner_ids else "professionnel",
            hours=hours_text(t.hours, lang),
            expenses=euros(t.amount_cents, lang),
            reimbursed=euros(t.reimbursed_cents, lang),
            owed=euros(t.owed_cents, lang),
        )
        for pid, t in sorted(per_person.items(), key=lambda kv: by_id[kv[0]].name if kv[0] in by_id else "")
    ]
    overall_totals = totals(all_contributions)
    partner_totals = totals([c for c in all_contributions if c.person_id in partner_ids])
    monthly: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in all_contributions:
        monthly[c.on.strftime("%Y-%m")][0 if c.person_id in partner_ids else 1] += c.hours
    if with_charts and any(sum(v) for v in monthly.values()):
        chart_uris["hours"] = _data_uri(
            charts.hours_chart(
                [(k[5:] + "/" + k[:4], v[0], v[1]) for k, v in sorted(monthly.items())], "Heures données par mois"
            )
        )

    # Proposals and what became of them.
    labels = STATUS_LABELS["en" if lang == "en" else "fr"]
    source_labels = SOURCE_LABELS["en" if lang == "en" else "fr"]
    all_proposals = proposals(session, project)
    proposal_rows = [
        ProposalRow(
            text=p.text,
            by=by_id[p.person_id].name if p.person_id in by_id else "anonyme",
            source=source_labels[p.source],
            status=labels[p.status],
            outcome=p.outcome,
        )
        for p in all_proposals
    ]
    proposal_counts = {labels[s]: sum(1 for p in all_proposals if p.status == s) for s in ProposalStatus}

    restitution = get_restitution(session, project)
    restitution_block = None
    if restitution is not None:
        restitution_block = RestitutionBlock(
            held_on=long_date(restitution.held_on, lang),
            attendees=sum(1 for a in by_gathering.get(restitution.step_key, []) if a.present),
            presented=restitution.presented,
            discussion=restitution.discussion,
        )

    return Report(
        lang=lang,
        project_name=project.name,
        structure=project.structure,
        template_title=template.title.get(lang),
        period=f"{long_date(project.start, lang)} – {long_date(project.end, lang)}",
        generated_on=long_date(today(), lang),
        indicators=indicator_rows,
        verdict_counts=verdict_counts,
        locked_changes=locked,
        questionnaire=questionnaire_block,
        steps=step_rows,
        slips=slips,
        gatherings=gatherings,
        contributors=contributors,
        total_hours=hours_text(overall_totals.hours, lang),
        partner_hours=hours_text(partner_totals.hours, lang),
        total_expenses=euros(overall_totals.amount_cents, lang),
        total_reimbursed=euros(overall_totals.reimbursed_cents, lang),
        total_owed=euros(overall_totals.owed_cents, lang),
        proposals=proposal_rows,
        proposal_counts=proposal_counts,
        restitution=restitution_block,
        charts=chart_uris,
    )


def report_html(report: Report) -> str:
    """The report as one standalone HTML page (charts embedded)."""
    return render("report.html.j2", report)


def report_pdf(report: Report) -> bytes:
    """The report printed to PDF (A4)."""
    return pdf_bytes(report_html(report))


def report_filename(project: Project, suffix: str, on: date | None = None) -> str:
    return f"evaluation-{project.slug}-{(on or today()).isoformat()}.{suffix}"
