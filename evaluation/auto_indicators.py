"""The ``auto`` indicators, computed from what the project recorded.

:func:`gather_facts` reads the store once; every indicator is then a pure function of those
:class:`ProjectFacts` (so a test can check each one against a count made by hand). A function
returns ``None`` when there is nothing to measure yet (no meeting held, no expense declared…):
the report then says "not measured" rather than inventing a 0 % or a 100 %.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from evaluation.checkpoints import all_members, attendance_of
from evaluation.contributions import contributions
from evaluation.participants import is_partner, thanked
from evaluation.proposals import proposals
from evaluation.questionnaire import invitations
from evaluation.thanks import OCCASION as THANKS_OCCASION
from store.clock import PARIS, today
from store.models import (
    Attendance,
    Contribution,
    FeedbackInvitation,
    OutboxMessage,
    OutboxState,
    PlanStep,
    Project,
    Proposal,
    ProposalStatus,
    StepStatus,
)
from store.plans import plan_steps
from store.projects import template_of

#: Expenses reimbursed within this many days of being incurred are "on time" (the charter's promise).
REIMBURSEMENT_DAYS = 30


@dataclass(frozen=True)
class ProjectFacts:
    """Everything the auto indicators need, read once from the store."""

    today: date
    partner_ids: frozenset[int]
    contributions: Sequence[Contribution]
    attendance: Sequence[Attendance]
    proposals: Sequence[Proposal]
    invitations: Sequence[FeedbackInvitation]
    to_thank: frozenset[int]
    thanked: frozenset[int]
    steps: Sequence[PlanStep]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def partners_involved(facts: ProjectFacts) -> float:
    """Number of people holding a user role in the project (including those who left)."""
    return float(len(facts.partner_ids))


def partner_hours(facts: ProjectFacts) -> float:
    """Hours recorded as contributions by partners."""
    return round(sum(c.hours for c in facts.contributions if c.person_id in facts.partner_ids), 2)


def partner_attendance(facts: ProjectFacts) -> float | None:
    """Partners present among partners expected, over every gathering recorded."""
    expected = [a for a in facts.attendance if a.invited and a.person_id in facts.partner_ids]
    return _share(sum(1 for a in expected if a.present), len(expected))


def meetings_with_users(facts: ProjectFacts) -> float | None:
    """Gatherings recorded where at least one partner was present."""
    held = {a.step_key for a in facts.attendance}
    with_users = {a.step_key for a in facts.attendance if a.present and a.person_id in facts.partner_ids}
    return _share(len(with_users), len(held))


def proposals_adopted(facts: ProjectFacts) -> float | None:
    """Partners' proposals adopted or adapted, among those decided (pending ones left out)."""
    decided = [p for p in facts.proposals if p.person_id in facts.partner_ids and p.status != ProposalStatus.PENDING]
    kept = sum(1 for p in decided if p.status in (ProposalStatus.ADOPTED, ProposalStatus.ADAPTED))
    return _share(kept, len(decided))


def expenses_on_time(facts: ProjectFacts) -> float | None:
    """Partners' expenses reimbursed within 30 days, among those reimbursed or already due."""
    limit = timedelta(days=REIMBURSEMENT_DAYS)
    due = [
        c
        for c in facts.contributions
        if c.person_id in facts.partner_ids
        and c.amount_cents > 0
        and (c.reimbursed_on is not None or facts.today - c.on > limit)
    ]
    on_time = sum(1 for c in due if c.reimbursed_on is not None and c.reimbursed_on - c.on <= limit)
    return _share(on_time, len(due))


def response_rate(facts: ProjectFacts) -> float | None:
    """Invitations answered among invitations sent."""
    return _share(sum(1 for i in facts.invitations if i.answered), len(facts.invitations))


def told_what_became(facts: ProjectFacts) -> float | None:
    """Participants whose personal thank-you (saying what became of their input) was sent."""
    return _share(len(facts.to_thank & facts.thanked), len(facts.to_thank))


def steps_on_time(facts: ProjectFacts) -> float | None:
    """Steps done by their baseline date, among steps done or past their baseline date."""
    counted = [
        s
        for s in facts.steps
        if s.status != StepStatus.SKIPPED and (s.status == StepStatus.DONE or s.baseline_due < facts.today)
    ]
    on_time = sum(
        1
        for s in counted
        if s.status == StepStatus.DONE
        and s.done_at is not None
        and s.done_at.astimezone(PARIS).date() <= s.baseline_due
    )
    return _share(on_time, len(counted))


AUTO_INDICATORS: dict[str, Callable[[ProjectFacts], float | None]] = {
    "partenaires-impliques": partners_involved,
    "heures-contribuees": partner_hours,
    "presence-partenaires": partner_attendance,
    "reunions-avec-usagers": meetings_with_users,
    "propositions-retenues": proposals_adopted,
    "defraiements-a-temps": expenses_on_time,
    "taux-reponse-questionnaire": response_rate,
    "retours-faits": told_what_became,
    "etapes-a-temps": steps_on_time,
}


def gather_facts(session: Session, project: Project, on: date | None = None) -> ProjectFacts:
    """Read what the auto indicators need for one project."""
    template = template_of(session, project)
    members = all_members(session, project)
    partner_ids = frozenset(m.id for m in members if is_partner(template, m))
    sent = session.exec(
        select(OutboxMessage.person_id).where(
            OutboxMessage.project_id == project.id,
            OutboxMessage.occasion == THANKS_OCCASION,
            OutboxMessage.state == OutboxState.SENT,
        )
    ).all()
    return ProjectFacts(
        today=on or today(),
        partner_ids=partner_ids,
        contributions=contributions(session, project),
        attendance=attendance_of(session, project),
        proposals=proposals(session, project),
        invitations=invitations(session, project),
        to_thank=frozenset(m.id for m in thanked(template, members)),
        thanked=frozenset(pid for pid in sent if pid is not None),
        steps=plan_steps(session, project),
    )


def compute_auto(facts: ProjectFacts, codes: Sequence[str]) -> dict[str, float | None]:
    """The value of each ``auto`` indicator among ``codes`` (others are ignored)."""
    return {code: AUTO_INDICATORS[code](facts) for code in codes if code in AUTO_INDICATORS}
