"""Proposals: what a participant proposed, where, and what became of it.

This is what the restitution and the thanks report back: the field's most common complaint
is that users never hear what became of their contribution. A proposal not retained always
carries the reason; an adapted one says how it was adapted.
"""

from datetime import date

from sqlmodel import Session, col, select

from evaluation.exceptions import ReasonRequired
from locales.labels import LabelTable, label
from store import audit, limits
from store.clock import today
from store.exceptions import InvalidInput, NotFound, Phrase
from store.limits import check_length
from store.models import Person, Project, Proposal, ProposalSource, ProposalStatus


def status_label(status: ProposalStatus | str, lang: str = "fr") -> str:
    """What became of a proposal (``label.proposal_status.<value>``): ``adoptée``, ``not retained``."""
    return label("proposal_status", ProposalStatus(status), lang)


def source_label(source: ProposalSource | str, lang: str = "fr") -> str:
    """Where a proposal was made (``label.proposal_source.<value>``): ``point d'étape``, ``idea box``."""
    return label("proposal_source", ProposalSource(source), lang)


#: The same labels as tables, ``STATUS_LABELS[lang][status]``, for callers not yet on the functions.
STATUS_LABELS = LabelTable("proposal_status", ProposalStatus)
SOURCE_LABELS = LabelTable("proposal_source", ProposalSource)


def parse_status(value: str) -> ProposalStatus:
    try:
        return ProposalStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in ProposalStatus)
        raise InvalidInput("error.evaluation.unknown_proposal_status", value=value, known=known) from None


def parse_source(value: str) -> ProposalSource:
    try:
        return ProposalSource(value)
    except ValueError:
        known = ", ".join(s.value for s in ProposalSource)
        raise InvalidInput("error.evaluation.unknown_proposal_source", value=value, known=known) from None


def add_proposal(
    session: Session,
    project: Project,
    person: Person | None,
    *,
    text: str,
    source: ProposalSource,
    step_key: str | None = None,
    proposed_on: date | None = None,
    actor: str,
) -> Proposal:
    """Record a proposal (``person`` None for an unsigned idea-box note)."""
    if not text.strip():
        raise InvalidInput("error.evaluation.proposal_text_required")
    check_length(text, field=Phrase("error.field.proposal"), limit=limits.TEXT)
    assert project.id is not None
    row = Proposal(
        project_id=project.id,
        person_id=person.id if person else None,
        text=text.strip(),
        source=source,
        step_key=step_key,
        proposed_on=proposed_on or today(),
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="proposal.added",
        project_id=project.id,
        person_id=row.person_id,
        proposal=row.id,
        source=str(source),
    )
    return row


def get_proposal(session: Session, project: Project, proposal_id: int) -> Proposal:
    row = session.get(Proposal, proposal_id)
    if row is None or row.project_id != project.id:
        raise NotFound("error.evaluation.proposal_not_found", id=proposal_id, project=project.slug)
    return row


def decide_proposal(
    session: Session,
    project: Project,
    proposal_id: int,
    status: ProposalStatus,
    *,
    outcome: str | None = None,
    decided_on: date | None = None,
    actor: str,
) -> Proposal:
    """Say what became of a proposal. Not retained needs the reason; adapted says how."""
    row = get_proposal(session, project, proposal_id)
    outcome = (outcome or "").strip() or None
    check_length(outcome, field=Phrase("error.field.reason"), limit=limits.TEXT)
    if status == ProposalStatus.NOT_RETAINED and not outcome:
        raise ReasonRequired("error.evaluation.not_retained_reason")
    if status == ProposalStatus.ADAPTED and not outcome:
        raise ReasonRequired("error.evaluation.adapted_reason")
    row.status = status
    row.outcome = outcome
    row.decided_on = None if status == ProposalStatus.PENDING else (decided_on or today())
    row.decided_by = None if status == ProposalStatus.PENDING else actor
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="proposal.decided",
        project_id=project.id,
        person_id=row.person_id,
        proposal=row.id,
        status=str(status),
    )
    return row


def proposals(session: Session, project: Project) -> list[Proposal]:
    """A project's proposals, oldest first."""
    return list(
        session.exec(
            select(Proposal)
            .where(Proposal.project_id == project.id)
            .order_by(col(Proposal.proposed_on), col(Proposal.id))
        )
    )


def proposals_of(session: Session, project: Project, person: Person) -> list[Proposal]:
    """One person's proposals in one project, oldest first."""
    return list(
        session.exec(
            select(Proposal)
            .where(Proposal.project_id == project.id, Proposal.person_id == person.id)
            .order_by(col(Proposal.proposed_on), col(Proposal.id))
        )
    )
