"""Personal thanks: each participant hears, concretely, what they gave and what became of it.

The message names the meetings the person attended, the hours they gave, their expenses and
each of their proposals with its outcome (and the reason when it was not retained), with the
evaluation report attached or linked. Volunteers also receive a certificate of participation
(PDF) for their records; :func:`certificate_pdf` gives it on demand too.
"""

from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session

from evaluation.checkpoints import all_members, attendance_of
from evaluation.contributions import contributions_of, euros, hours_text, totals
from evaluation.messages import THANKS, MeetingLine, ProposalLine, ThanksMessage
from evaluation.participants import Member, coordinator_roles, is_partner, thanked
from evaluation.proposals import STATUS_LABELS, proposals_of
from evaluation.rendering import pdf_bytes, render
from notifications.messages import RenderedMessage, render_message
from notifications.outbox import Attachment, enqueue
from planning.calendar import long_date
from project_templates.schema import ProjectTemplate, StepKind
from store import audit, plans
from store.clock import today
from store.exceptions import InvalidInput
from store.models import Occasion, Person, Project, ProposalStatus
from store.projects import template_of

OCCASION = Occasion.THANKS


def _member(session: Session, project: Project, person: Person) -> Member:
    for member in all_members(session, project):
        if member.id == person.id:
            return member
    raise InvalidInput(f"{person.name} ne fait pas partie du projet « {project.slug} ».")


def signers(session: Session, project: Project, template: ProjectTemplate) -> list[str]:
    coordinating = coordinator_roles(template)
    names = [m.name for m in all_members(session, project) if m.active and coordinating & set(m.roles)]
    return names or [project.structure]


def thanks_context(
    session: Session,
    project: Project,
    person: Person,
    lang: str = "fr",
    *,
    report_attached: bool = False,
    report_link: str | None = None,
    certificate_attached: bool = False,
) -> ThanksMessage:
    """What one person's thank-you says: their meetings, hours, expenses and proposals."""
    template = template_of(session, project)
    step_titles = plans.titles(session, project, lang)
    attended = [a for a in attendance_of(session, project) if a.person_id == person.id and a.present]
    given = totals(contributions_of(session, project, person))
    labels = STATUS_LABELS["en" if lang == "en" else "fr"]
    return ThanksMessage(
        person_name=person.name,
        project_name=project.name,
        structure=project.structure,
        meetings=[MeetingLine(title=step_titles.get(a.step_key, a.step_key), day=a.held_on) for a in attended],
        hours=hours_text(given.hours, lang) if given.hours > 0 else None,
        expenses=euros(given.amount_cents, lang) if given.amount_cents else None,
        proposals=[
            ProposalLine(
                text=p.text,
                status=labels[p.status],
                outcome=p.outcome,
                kept=p.status in (ProposalStatus.ADOPTED, ProposalStatus.ADAPTED),
            )
            for p in proposals_of(session, project, person)
        ],
        report_attached=report_attached,
        report_link=report_link,
        certificate_attached=certificate_attached,
        signed_by=signers(session, project, template),
    )


class CertificateContext(BaseModel):
    lang: str
    person_name: str
    roles: list[str]
    project_name: str
    structure: str
    start: str
    end: str
    meetings: int
    hours: str | None
    proposals: int
    kept: int
    issued_on: str
    signed_by: list[str]


def certificate_pdf(session: Session, project: Project, person: Person, lang: str = "fr") -> bytes:
    """A certificate of participation for a volunteer (patient partner, user representative…)."""
    template = template_of(session, project)
    member = _member(session, project, person)
    if not is_partner(template, member):
        raise InvalidInput(
            f"L'attestation de participation est destinée aux partenaires bénévoles ; {person.name} n'en a pas le rôle."
        )
    context = thanks_context(session, project, person, lang)
    html = render(
        "certificate.html.j2",
        CertificateContext(
            lang=lang,
            person_name=person.name,
            roles=[template.roles[r].label.get(lang) for r in member.roles if r in template.roles],
            project_name=project.name,
            structure=project.structure,
            start=long_date(project.start, lang),
            end=long_date(project.end, lang),
            meetings=len(context.meetings),
            hours=context.hours,
            proposals=len(context.proposals),
            kept=sum(1 for p in context.proposals if p.kept),
            issued_on=long_date(today(), lang),
            signed_by=context.signed_by,
        ),
    )
    return pdf_bytes(html)


@dataclass(frozen=True)
class ThanksPreview:
    person_id: int
    person_name: str
    message: RenderedMessage
    attachments: tuple[str, ...]
    queued: bool


def send_thanks(
    session: Session,
    project: Project,
    *,
    actor: str,
    report_pdf: bytes | None = None,
    report_link: str | None = None,
    dry_run: bool = False,
) -> list[ThanksPreview]:
    """Compose (and unless ``dry_run`` queue) one personal thank-you per participant."""
    template = template_of(session, project)
    people = thanked(template, all_members(session, project))
    result = []
    assert project.id is not None
    for member in people:
        lang = "en" if member.person.language == "en" else "fr"
        volunteer = is_partner(template, member)
        attachments: list[Attachment] = []
        if report_pdf is not None:
            attachments.append(Attachment(f"rapport-evaluation-{project.slug}.pdf", report_pdf, "application/pdf"))
        if volunteer and not dry_run:
            attachments.append(
                Attachment(
                    f"attestation-{project.slug}.pdf",
                    certificate_pdf(session, project, member.person, lang),
                    "application/pdf",
                )
            )
        context = thanks_context(
            session,
            project,
            member.person,
            lang,
            report_attached=report_pdf is not None,
            report_link=report_link,
            certificate_attached=volunteer,
        )
        message = render_message(THANKS, context, lang)
        queued = False
        if not dry_run:
            queued = (
                enqueue(
                    session,
                    project_id=project.id,
                    person_id=member.id,
                    occasion=OCCASION,
                    about=f"project:{project.id}",
                    due_on=today(),
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                    attachments=attachments,
                )
                is not None
            )
        names = tuple(a.filename for a in attachments)
        if dry_run and volunteer:
            names += (f"attestation-{project.slug}.pdf",)
        result.append(ThanksPreview(member.id, member.name, message, names, queued))
    if not dry_run:
        plans.complete_steps(session, project, (StepKind.THANKS,), actor=actor, note="remerciements envoyés")
        audit.record(
            session,
            actor=actor,
            action="thanks.queued",
            project_id=project.id,
            queued=sum(1 for r in result if r.queued),
        )
    return result
