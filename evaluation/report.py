"""The evaluation report: the project judged against the indicators it chose, in French or English.

Two audiences:

* **internal** (the coordination): every table, people named, each person's hours and expenses;
* **public** (funders, the ARS, and the one attached to thanks): the same findings with no names,
  no individual hours or expenses, no account ids — totals and counts only.

Both carry the structure's identity, the conclusions the coordination wrote
(:func:`store.publication.write_publication`), the methods and their limits.

:func:`build_report` gathers a :class:`Report` section by section (plain data, charts as PNG
data URIs); :func:`report_html` renders it as one standalone page (``report.html.j2``, its words
from the catalogue's ``report.*`` entries), :func:`report_pdf` prints that page with WeasyPrint.
"""

import base64
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from evaluation.checkpoints import all_members, attendance_of
from evaluation.contributions import contributions, totals, totals_by_person
from evaluation.indicators import (
    NOT_ENOUGH,
    Verdict,
    changes_after_lock,
    format_value,
    indicator_names,
    indicator_statuses,
    verdict_label,
)
from evaluation.participants import Member, coordinator_roles, is_partner
from evaluation.proposals import proposals, source_label
from evaluation.proposals import status_label as proposal_status_label
from evaluation.questionnaire import (
    GROUP_ALL,
    MIN_GROUP,
    invitations,
    load_questionnaire,
    open_answers,
    responses,
    results_by_group,
)
from evaluation.rendering import pdf_bytes, render, say
from evaluation.restitution import get_restitution
from locales.stored import spoken
from project_templates.schema import ProjectTemplate
from store import wording
from store.clock import PARIS, today
from store.models import Attendance, Project, ProjectPhase, ProposalStatus, RoleGroup, StepStatus
from store.plans import plan_changes, plan_steps, titles
from store.plans import status_label as step_status_label
from store.projects import template_of
from store.publication import actor_name, publication_of

Audience = Literal["internal", "public"]
Lang = Literal["fr", "en"]


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
    indicator: str  # its name in the report's language (the code for one no longer in the project)
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


class Identity(_Model):
    """Who publishes the report: the structure, and (internal report) who coordinates."""

    structure: str
    structure_with_article: str
    coordination: list[str]
    place: str | None


class Report(_Model):
    """Everything the report shows, already formatted in its language."""

    lang: str
    audience: Audience
    interim: bool
    project_name: str
    identity: Identity
    template_title: str
    period: str
    generated_on: str
    summary: list[str]
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
    contributor_count: int
    proposals: list[ProposalRow]
    proposal_counts: dict[str, int]
    restitution: RestitutionBlock | None
    conclusions: str | None
    methods: list[str]
    limits: list[str]
    charts: dict[str, str]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")




class _Sources:
    """What every section reads once: the template, the members, the step titles, the charts."""

    def __init__(self, session: Session, project: Project, lang: Lang, audience: Audience, with_charts: bool) -> None:
        self.session, self.project, self.lang, self.audience = session, project, lang, audience
        self.template: ProjectTemplate = template_of(session, project)
        self.members: list[Member] = all_members(session, project)
        self.by_id = {m.id: m for m in self.members}
        self.partner_ids = {m.id for m in self.members if is_partner(self.template, m)}
        self.step_titles = titles(session, project, lang)
        self.attendance: list[Attendance] = attendance_of(session, project)
        self.with_charts = with_charts
        self.charts: dict[str, str] = {}
        self._actors: dict[str, str] = {}

    @property
    def public(self) -> bool:
        return self.audience == "public"

    def chart(self, key: str, draw: Callable[[], bytes]) -> None:
        if self.with_charts:
            self.charts[key] = _data_uri(draw())

    def actor(self, actor: str) -> str:
        if actor not in self._actors:
            self._actors[actor] = actor_name(self.session, actor, self.lang)
        return self._actors[actor]

    def person(self, person_id: int | None) -> str:
        if self.public:
            return ""
        member = self.by_id.get(person_id) if person_id is not None else None
        return member.name if member else say("report.anonymous", self.lang)


def _identity(src: _Sources) -> Identity:
    coordinating = coordinator_roles(src.template)
    coordination = [
        m.name + " (" + ", ".join(src.template.roles[r].label.get(src.lang) for r in m.roles if r in coordinating) + ")"
        for m in src.members
        if m.active and coordinating & set(m.roles)
    ]
    publication = publication_of(src.session, src.project)
    return Identity(
        structure=src.project.structure,
        structure_with_article=wording.structure_with_article(src.project.structure, src.lang),
        coordination=[] if src.public else coordination,
        place=publication.place if publication else None,
    )


def _indicator_section(src: _Sources) -> tuple[list[IndicatorRow], dict[str, int], list[ChangeRow]]:
    from evaluation import charts  # matplotlib costs ~0.3 s to import: not at every `cocon` start

    lang = src.lang
    statuses = indicator_statuses(src.session, src.project)
    rows, chart_rows = [], []
    for status in statuses:
        d = status.definition
        evolution = "—"
        if status.value is not None and d.baseline is not None:
            evolution = wording.signed_number(round(status.value - d.baseline, 1), lang)
        rows.append(
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
                verdict_label=verdict_label(status.verdict, lang),
                note=say("report.note.too_few", lang, min_group=MIN_GROUP) if status.note == NOT_ENOUGH else status.note,
            )
        )
        if status.value is not None and d.target and d.direction == "higher":
            chart_rows.append((d.name.get(lang), 100 * status.value / d.target, status.verdict.value))
    counts = {v.value: sum(1 for s in statuses if s.verdict == v) for v in Verdict}
    if chart_rows:
        title = say("report.chart.indicators.title", lang)
        src.chart("indicators", lambda: charts.indicators_chart(chart_rows, title, lang))
    names = indicator_names(src.session, src.project, lang)
    changes = [
        ChangeRow(
            code=c.code,
            indicator=names.get(c.code, c.code),
            change=spoken(c.change, lang),
            reason=spoken(c.reason, lang) or "—",
            by="" if src.public else src.actor(c.changed_by),
            at=wording.long_datetime(c.at.astimezone(PARIS), lang),
        )
        for c in changes_after_lock(src.session, src.project)
    ]
    return rows, counts, changes


def _questionnaire_section(src: _Sources) -> QuestionnaireBlock:
    from evaluation import charts

    lang = src.lang
    questionnaire = load_questionnaire()
    rows = responses(src.session, src.project)
    invited = invitations(src.session, src.project)
    answered = sum(1 for i in invited if i.answered)
    group_labels = {
        GROUP_ALL: say("report.group.all", lang),
        RoleGroup.PARTNER.value: say("report.group.partner", lang),
        RoleGroup.PROFESSIONAL.value: say("report.group.professional", lang),
    }
    results = results_by_group(questionnaire, rows, lang)
    groups = [
        GroupRow(
            label=group_labels[result.group],
            respondents=result.respondents,
            sections=[
                SectionRow(
                    title=s.title,
                    respondents=s.respondents,
                    hidden=s.hidden,
                    mean="—" if s.mean is None else wording.number(s.mean, lang),
                    distribution=list(s.distribution),
                )
                for s in result.sections
            ],
        )
        for result in results
    ]
    shown = [(s.title, float(s.mean)) for s in results[0].sections if s.mean is not None]
    if shown:
        title = say("report.chart.questionnaire.title", lang)
        src.chart("questionnaire", lambda: charts.sections_chart(shown, title, lang))
    return QuestionnaireBlock(
        invited=len(invited),
        answered=answered,
        rate="—" if not invited else wording.percent(answered / len(invited), lang),
        min_group=MIN_GROUP,
        groups=groups,
        open_answers=open_answers(questionnaire, rows, lang),
    )


def _plan_section(src: _Sources) -> tuple[list[StepRow], list[SlipRow]]:
    from evaluation import charts

    lang = src.lang
    steps = []
    for s in plan_steps(src.session, src.project):
        finished = s.done_at.astimezone(PARIS).date() if s.status == StepStatus.DONE and s.done_at else s.due
        steps.append(
            StepRow(
                title=src.step_titles.get(s.key, s.key),
                baseline=wording.long_date(s.baseline_due, lang),
                due=wording.long_date(finished, lang),
                status=step_status_label(s.status, lang),
                slip_days=(finished - s.baseline_due).days if s.status != StepStatus.SKIPPED else 0,
            )
        )
    slips = [
        SlipRow(
            title=src.step_titles.get(c.step_key, c.step_key),
            old=wording.long_date(c.old_due, lang),
            new=wording.long_date(c.new_due, lang),
            reason=spoken(c.reason, lang),
            by="" if src.public else src.actor(c.changed_by),
            moved_step=src.step_titles.get(c.moved_step, c.moved_step),
        )
        for c in plan_changes(src.session, src.project)
    ]
    slipped = [(r.title, r.slip_days) for r in steps if r.slip_days != 0]
    if slipped:
        title = say("report.chart.plan.title", lang)
        src.chart("plan", lambda: charts.slips_chart(slipped, title, lang))
    return steps, slips


def _participation_section(src: _Sources) -> list[GatheringRow]:
    from evaluation import charts

    by_gathering: dict[str, list[Attendance]] = defaultdict(list)
    for row in src.attendance:
        by_gathering[row.step_key].append(row)
    rows, points = [], []
    for key, items in sorted(by_gathering.items(), key=lambda kv: kv[1][0].held_on):
        present = [a for a in items if a.present]
        partners = sum(1 for a in present if a.person_id in src.partner_ids)
        expected = sum(1 for a in items if a.invited)
        rows.append(
            GatheringRow(
                title=src.step_titles.get(key, key),
                held_on=wording.long_date(items[0].held_on, src.lang),
                expected=expected,
                present=len(present),
                partners_present=partners,
            )
        )
        points.append((items[0].held_on, partners, len(present) - partners, expected))
    if points:
        title = say("report.chart.participation.title", src.lang)
        src.chart("participation", lambda: charts.participation_chart(points, title, src.lang))
    return rows


class _Money(_Model):
    contributors: list[ContributorRow]
    count: int
    total_hours: str
    partner_hours: str
    total_expenses: str
    total_reimbursed: str
    total_owed: str


def _contribution_section(src: _Sources) -> _Money:
    from evaluation import charts

    lang = src.lang
    every = contributions(src.session, src.project)
    per_person = totals_by_person(every)
    rows = [
        ContributorRow(
            name=src.person(pid),
            group=say("report.contributor.partner" if pid in src.partner_ids else "report.contributor.professional", lang),
            hours=wording.hours(t.hours, lang),
            expenses=wording.money(t.amount_cents, lang),
            reimbursed=wording.money(t.reimbursed_cents, lang),
            owed=wording.money(t.owed_cents, lang),
        )
        for pid, t in sorted(per_person.items(), key=lambda kv: src.by_id[kv[0]].name if kv[0] in src.by_id else "")
    ]
    overall = totals(every)
    partner = totals([c for c in every if c.person_id in src.partner_ids])
    monthly: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in every:
        monthly[c.on.strftime("%Y-%m")][0 if c.person_id in src.partner_ids else 1] += c.hours
    if any(sum(v) for v in monthly.values()):
        points = [(k[5:] + "/" + k[:4], v[0], v[1]) for k, v in sorted(monthly.items())]
        title = say("report.chart.hours.title", lang)
        src.chart("hours", lambda: charts.hours_chart(points, title, lang))
    return _Money(
        contributors=[] if src.public else rows,
        count=len(per_person),
        total_hours=wording.hours(overall.hours, lang),
        partner_hours=wording.hours(partner.hours, lang),
        total_expenses=wording.money(overall.amount_cents, lang),
        total_reimbursed=wording.money(overall.reimbursed_cents, lang),
        total_owed=wording.money(overall.owed_cents, lang),
    )


def _proposal_section(src: _Sources) -> tuple[list[ProposalRow], dict[str, int]]:
    lang = src.lang
    every = proposals(src.session, src.project)
    rows = [
        ProposalRow(
            text=p.text,
            by=src.person(p.person_id),
            source=source_label(p.source, lang),
            status=proposal_status_label(p.status, lang),
            outcome=p.outcome,
        )
        for p in every
    ]
    counts = {s.value: sum(1 for p in every if p.status == s) for s in ProposalStatus}
    return rows, counts


def _restitution_section(src: _Sources) -> RestitutionBlock | None:
    restitution = get_restitution(src.session, src.project)
    if restitution is None:
        return None
    return RestitutionBlock(
        held_on=wording.long_date(restitution.held_on, src.lang),
        attendees=sum(1 for a in src.attendance if a.step_key == restitution.step_key and a.present),
        presented=restitution.presented,
        discussion=restitution.discussion,
    )


def _summary(
    lang: Lang,
    indicators: list[IndicatorRow],
    counts: dict[str, int],
    questionnaire: QuestionnaireBlock,
    money: _Money,
    proposal_rows: list[ProposalRow],
    proposal_counts: dict[str, int],
) -> list[str]:
    """The "in brief" sentences, each number with its word in the right form (never "(s)")."""
    def n(key: str, count: int) -> str:
        return say(key, lang, n=count)

    verdicts = [
        n("report.summary.met", counts.get(Verdict.MET.value, 0)),
        n("report.summary.partly", counts.get(Verdict.PARTLY.value, 0)),
        n("report.summary.not_met", counts.get(Verdict.NOT_MET.value, 0)),
        n("report.summary.unmeasured", counts.get(Verdict.UNMEASURED.value, 0)),
    ]
    if counts.get(Verdict.NO_TARGET.value):
        verdicts.append(n("report.summary.no_target", counts[Verdict.NO_TARGET.value]))
    fates = [
        n(f"report.summary.fate.{status}", count)
        for status, count in proposal_counts.items() if count
    ]
    made = n("report.summary.made", len(proposal_rows))
    return [
        say("report.summary.indicators", lang, followed=n("report.summary.followed", len(indicators)), verdicts=", ".join(verdicts)),
        say(
            "report.summary.questionnaire", lang,
            answers=n("report.answers", questionnaire.answered), invited=n("report.invited", questionnaire.invited),
            rate=questionnaire.rate,
        ),
        say(
            "report.summary.time", lang,
            hours=money.total_hours, partner_hours=money.partner_hours,
            expenses=money.total_expenses, reimbursed=money.total_reimbursed,
        ),
        say("report.summary.proposals", lang, made=made, fates=", ".join(fates)) if fates
        else say("report.summary.proposals_none", lang, made=made),
    ]


def _methods_and_limits(
    lang: Lang, indicators: list[IndicatorRow], counts: dict[str, int], questionnaire: QuestionnaireBlock, interim: bool
) -> tuple[list[str], list[str]]:
    """How the findings were obtained, and what they cannot say."""
    methods = [
        say("report.method.indicators", lang),
        say("report.method.attendance", lang),
        say("report.method.questionnaire", lang, min_group=questionnaire.min_group),
    ]
    limits = []
    unmeasured = counts.get(Verdict.UNMEASURED.value, 0)
    if unmeasured:
        limits.append(say("report.limit.unmeasured", lang, n=unmeasured))
    if questionnaire.invited and questionnaire.answered < questionnaire.min_group:
        limits.append(say("report.limit.too_few", lang))
    elif questionnaire.invited:
        limits.append(say("report.limit.rate", lang, rate=questionnaire.rate))
    limits.append(say("report.limit.self_declared", lang))
    if interim:
        limits.insert(0, say("report.limit.interim", lang))
    return methods, limits


def build_report(
    session: Session,
    project: Project,
    lang: str = "fr",
    *,
    audience: Audience = "internal",
    with_charts: bool = True,
) -> Report:
    """Gather and format the whole evaluation of one project for ``audience``."""
    language: Lang = wording.lang_of(lang)
    src = _Sources(session, project, language, audience, with_charts)
    indicators, counts, changes = _indicator_section(src)
    questionnaire = _questionnaire_section(src)
    steps, slips = _plan_section(src)
    gatherings = _participation_section(src)
    money = _contribution_section(src)
    proposal_rows, proposal_counts = _proposal_section(src)
    interim = project.phase in (ProjectPhase.AVANT, ProjectPhase.PENDANT)
    methods, limits = _methods_and_limits(language, indicators, counts, questionnaire, interim)
    publication = publication_of(session, project)
    conclusions = None
    if publication is not None:
        conclusions = publication.conclusions_en if language == "en" else publication.conclusions_fr
    return Report(
        lang=language,
        audience=audience,
        interim=interim,
        project_name=project.name,
        identity=_identity(src),
        template_title=src.template.title.get(language),
        period=say(
            "report.period", language,
            start=wording.long_date(project.start, language), end=wording.long_date(project.end, language),
        ),
        generated_on=wording.long_date(today(), language),
        summary=_summary(language, indicators, counts, questionnaire, money, proposal_rows, proposal_counts),
        indicators=indicators,
        verdict_counts=counts,
        locked_changes=changes,
        questionnaire=questionnaire,
        steps=steps,
        slips=slips,
        gatherings=gatherings,
        contributors=money.contributors,
        total_hours=money.total_hours,
        partner_hours=money.partner_hours,
        total_expenses=money.total_expenses,
        total_reimbursed=money.total_reimbursed,
        total_owed=money.total_owed,
        contributor_count=money.count,
        proposals=proposal_rows,
        proposal_counts=proposal_counts,
        restitution=_restitution_section(src),
        conclusions=conclusions,
        methods=methods,
        limits=limits,
        charts=src.charts,
    )


def report_html(report: Report) -> str:
    """The report as one standalone HTML page (charts embedded)."""
    return render("report.html.j2", report)


def report_pdf(report: Report) -> bytes:
    """The report printed to PDF (A4)."""
    return pdf_bytes(report_html(report))


def report_filename(project: Project, suffix: str, on: date | None = None, *, audience: Audience = "internal") -> str:
    kind = "" if audience == "internal" else "-public"
    return f"evaluation-{project.slug}{kind}-{(on or today()).isoformat()}.{suffix}"
