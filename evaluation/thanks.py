"""Personal thanks: each participant hears, concretely, what they gave and what became of it.

The message names the meetings the person attended, the hours they gave, their expenses and
each of their proposals with its outcome (and the reason when it was not retained), with the
evaluation report attached or linked. Volunteers also receive a certificate of participation
(PDF) for their records; :func:`certificate_pdf` gives it on demand too.
"""

import base64
from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session

from evaluation.checkpoints import all_members, attendance_of
from evaluation.contributions import contributions_of, kind_label, totals
from evaluation.messages import (
    THANKS,
    ActivityLine,
    ExpenseLine,
    MeetingLine,
    ProposalLine,
    Signatory,
    ThanksMessage,
)
from evaluation.participants import Member, coordinator_roles, is_partner, thanked
from evaluation.proposals import proposals_of, status_label
from evaluation.rendering import pdf_bytes, render, say
from evaluation.report import build_report, report_pdf
from notifications.attachments import Attachment
from notifications.messages import RenderedMessage, render_message
from notifications.queue import enqueue
from project_templates.schema import ProjectTemplate, StepKind
from store import audit, plans, wording
from store.clock import today
from store.exceptions import InvalidInput, TransitionNotAllowed
from store.models import Contribution, ContributionKind, Occasion, Person, Project, ProjectPhase, ProposalStatus
from store.projects import template_of
from store.publication import publication_of

OCCASION = Occasion.THANKS


def _member(session: Session, project: Project, person: Person) -> Member:
    for member in all_members(session, project):
        if member.id == person.id:
            return member
    raise InvalidInput("error.evaluation.not_in_project", person=person.name, project=project.slug)


def _lower_first(label: str) -> str:
    """``coordinatrice ou coordinateur`` after a name (acronyms such as ``RU`` stay as they are)."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def signers(session: Session, project: Project, template: ProjectTemplate, lang: str = "fr") -> list[Signatory]:
    """Who signs the thanks and certificates: the active coordination, each with their role."""
    coordinating = coordinator_roles(template)
    result = [
        Signatory(
            name=m.name,
            role=", ".join(_lower_first(template.roles[r].label.get(lang)) for r in m.roles if r in coordinating),
        )
        for m in all_members(session, project)
        if m.active and coordinating & set(m.roles)
    ]
    if result:
        return result
    fallback = say("certificate.signatory_fallback", lang)
    return [Signatory(name=wording.capitalised(wording.structure_with_article(project.structure, lang)), role=fallback)]


def _activities(given: list[Contribution], lang: str) -> list[ActivityLine]:
    """What the person did, beyond meetings: each action, preparation, training… with its description."""
    return [
        ActivityLine(
            day=c.on,
            kind=kind_label(c.kind, lang),
            description=c.description,
            hours=wording.hours(c.hours, lang) if c.hours else None,
        )
        for c in given
        if c.hours and (c.kind != ContributionKind.MEETING or c.description)
    ]


def _expenses(given: list[Contribution], lang: str) -> list[ExpenseLine]:
    return [
        ExpenseLine(
            day=c.on,
            amount=wording.money(c.amount_cents, lang),
            what=c.description or kind_label(c.kind, lang),
            reimbursed_on=c.reimbursed_on,
        )
        for c in given
        if c.amount_cents
    ]


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
    """What one person's thank-you says: their meetings, activities, hours, expenses and proposals —
    read from their own records only, so that nothing of anyone else's can appear in it."""
    template = template_of(session, project)
    step_titles = plans.titles(session, project, lang)
    attended = [a for a in attendance_of(session, project) if a.person_id == person.id and a.present]
    given = contributions_of(session, project, person)
    sums = totals(given)
    return ThanksMessage(
        person_name=person.name,
        project_name=project.name,
        structure=wording.structure_with_article(project.structure, lang),
        structure_of=wording.structure_of(project.structure, lang),
        meetings=[MeetingLine(title=step_titles.get(a.step_key, a.step_key), day=a.held_on) for a in attended],
        activities=_activities(given, lang),
        hours=wording.hours(sums.hours, lang) if sums.hours > 0 else None,
        expenses=_expenses(given, lang),
        expenses_total=wording.money(sums.amount_cents, lang) if sums.amount_cents else None,
        owed_total=wording.money(sums.owed_cents, lang) if sums.owed_cents > 0 else None,
        proposals=[
            ProposalLine(
                text=p.text,
                status=status_label(p.status, lang),
                outcome=p.outcome,
                kept=p.status in (ProposalStatus.ADOPTED, ProposalStatus.ADAPTED),
            )
            for p in proposals_of(session, project, person)
        ],
        report_attached=report_attached,
        report_link=report_link,
        certificate_attached=certificate_attached,
        signed_by=signers(session, project, template, lang),
    )


class CertificateContext(BaseModel):
    lang: str
    person_name: str
    attests: str
    roles: list[str]
    project_name: str
    structure: str
    start: str
    end: str
    meetings: int
    activities: list[str]
    hours: str | None
    proposals: int
    kept: int
    made_at: str
    issued_on: str
    signed_by: list[Signatory]
    logo: str | None


def _logo_uri(logo: bytes | None) -> str | None:
    """The logo as a data URI (the PDF renderer fetches nothing): PNG, JPEG or SVG only."""
    if not logo:
        return None
    for magic, media in ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg")):
        if logo.startswith(magic):
            return f"data:{media};base64," + base64.b64encode(logo).decode("ascii")
    if b"<svg" in logo[:2000]:
        return "data:image/svg+xml;base64," + base64.b64encode(logo).decode("ascii")
    raise InvalidInput("error.evaluation.logo_format")


def certificate_pdf(
    session: Session,
    project: Project,
    person: Person,
    lang: str = "fr",
    *,
    place: str | None = None,
    logo: bytes | None = None,
) -> bytes:
    """A certificate of participation for a volunteer (patient partner, user representative…):
    "Fait à …, le …", who signs and in which role, the structure, the person's own role."""
    template = template_of(session, project)
    member = _member(session, project, person)
    if not is_partner(template, member):
        raise InvalidInput("error.evaluation.certificate_partners_only", person=person.name)
    context = thanks_context(session, project, person, lang)
    publication = publication_of(session, project)
    town = place or (publication.place if publication else None)
    made_at = wording.structure_at(project.structure, lang)
    if town:
        made_at = say("certificate.place_town", lang, town=town)
    structure = wording.capitalised(wording.structure_with_article(project.structure, lang))
    html = render(
        "certificate.html.j2",
        CertificateContext(
            lang=lang,
            person_name=person.name,
            attests=say(
                "certificate.attests_elided" if wording.elided("que", person.name).startswith("qu'") else "certificate.attests",
                lang, structure=structure,
            ),
            roles=[template.roles[r].label.get(lang) for r in member.roles if r in template.roles],
            project_name=project.name,
            structure=structure,
            start=wording.long_date(project.start, lang),
            end=wording.long_date(project.end, lang),
            meetings=len(context.meetings),
            activities=[a.description for a in context.activities if a.description],
            hours=context.hours,
            proposals=len(context.proposals),
            kept=sum(1 for p in context.proposals if p.kept),
            made_at=made_at,
            issued_on=wording.long_date(today(), lang),
            signed_by=context.signed_by,
            logo=_logo_uri(logo),
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
    attach_report: bool = True,
    report_link: str | None = None,
    dry_run: bool = False,
) -> list[ThanksPreview]:
    """Compose (and unless ``dry_run`` queue) one personal thank-you per participant.

    The report attached is the *public* one (no names, no individual expenses), in each person's
    language. Thanks are sent in *après* only (a dry run, which sends nothing, is allowed at any
    time); the thanks step is marked done only then."""
    if not dry_run and project.phase != ProjectPhase.APRES:
        raise TransitionNotAllowed("error.evaluation.thanks_after_only", project=project.slug, phase=project.phase.value)
    template = template_of(session, project)
    people = thanked(template, all_members(session, project))
    result = []
    assert project.id is not None
    public_reports: dict[str, bytes] = {}
    for member in people:
        lang = "en" if member.person.language == "en" else "fr"
        volunteer = is_partner(template, member)
        attachments: list[Attachment] = []
        if attach_report and not dry_run:
            if lang not in public_reports:
                public_reports[lang] = report_pdf(build_report(session, project, lang, audience="public"))
            name = say("report.filename", lang, slug=project.slug)
            attachments.append(Attachment(name, public_reports[lang], "application/pdf"))
        if volunteer and not dry_run:
            attachments.append(
                Attachment(
                    say("certificate.filename", lang, slug=project.slug),
                    certificate_pdf(session, project, member.person, lang),
                    "application/pdf",
                )
            )
        context = thanks_context(
            session,
            project,
            member.person,
            lang,
            report_attached=attach_report,
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
        if dry_run:
            if attach_report:
                names += (say("report.filename", lang, slug=project.slug),)
            if volunteer:
                names += (say("certificate.filename", lang, slug=project.slug),)
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
