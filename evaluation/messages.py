"""Typed contexts of the evaluation's messages (templates in ``notifications/templates/``).

``checkpoint-minutes``, ``feedback-invitation``, ``feedback-reminder``, ``indicators-request``
and ``thanks`` are rendered with :func:`notifications.messages.render_message`; :data:`EXAMPLES`
gives one context for each, rendered by the tests in both languages.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

MINUTES = "checkpoint-minutes"
FEEDBACK_INVITATION = "feedback-invitation"
FEEDBACK_REMINDER = "feedback-reminder"
INDICATORS_REQUEST = "indicators-request"
THANKS = "thanks"


class MessageContext(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AttendeeLine(BaseModel):
    name: str
    partner: bool


class StepLine(BaseModel):
    key: str
    title: str
    status: str
    due: str


class MinutesContext(BaseModel):
    """Everything the minutes print, already in the reader's language."""

    lang: str
    project_name: str
    step_title: str
    held_on: str
    present: list[AttendeeLine]
    excused: list[str]
    decisions: list[str]
    actions: list[str]
    steps: list[StepLine]
    replanning: list[str]
    notes: str | None


class MinutesMessage(MessageContext):
    """The minutes by email: a plain-text version and an HTML one, both from the same record."""

    person_name: str
    held_on: date
    record: MinutesContext


class FeedbackMessage(MessageContext):
    """Invitation or reminder: always with its link (never sent without a public address)."""

    person_name: str
    project_name: str
    link: str
    expires_on: date
    partner: bool


class IndicatorsRequestMessage(MessageContext):
    person_name: str
    project_name: str
    indicators: list[str]
    command: str


class MeetingLine(MessageContext):
    title: str
    day: date


class ActivityLine(MessageContext):
    """Something the person did: a market stand, a seafront outing, a preparation…"""

    day: date
    kind: str
    description: str | None
    hours: str | None


class ExpenseLine(MessageContext):
    """One expense and its true status: paid back on a day, or still owed to the person."""

    day: date
    amount: str
    what: str
    reimbursed_on: date | None


class ProposalLine(MessageContext):
    text: str
    status: str
    outcome: str | None
    kept: bool


class Signatory(MessageContext):
    name: str
    role: str


class ThanksMessage(MessageContext):
    """A personal thank-you naming what the person gave and what became of it — theirs only."""

    person_name: str
    project_name: str
    structure: str
    structure_of: str
    meetings: list[MeetingLine]
    activities: list[ActivityLine]
    hours: str | None
    expenses: list[ExpenseLine]
    expenses_total: str | None
    owed_total: str | None
    proposals: list[ProposalLine]
    report_attached: bool
    report_link: str | None
    certificate_attached: bool
    signed_by: list[Signatory]


EXAMPLES: dict[str, MessageContext] = {
    MINUTES: MinutesMessage(
        person_name="Awa Diallo",
        held_on=date(2027, 3, 2),
        record=MinutesContext(
            lang="fr",
            project_name="Accueil en salle d'attente",
            step_title="Point d'étape n°1",
            held_on="mardi 2 mars 2027",
            present=[AttendeeLine(name="Awa Diallo", partner=True), AttendeeLine(name="Claire Martin", partner=False)],
            excused=["Karim Benali"],
            decisions=["Refaire l'affiche d'accueil en gros caractères"],
            actions=["Maquette de l'affiche — Awa Diallo (pour le vendredi 12 mars 2027)"],
            steps=[StepLine(key="affiche", title="Refaire l'affiche", status="en cours", due="lundi 15 mars 2027")],
            replanning=["Point d'étape n°2 : mardi 20 avril 2027 — vacances de Pâques"],
            notes="Ambiance chaleureuse ; prochaine rencontre au même endroit.",
        ),
    ),
    FEEDBACK_INVITATION: FeedbackMessage(
        person_name="Awa Diallo",
        project_name="Accueil en salle d'attente",
        link="https://cocon.example.org/questionnaire/abc",
        expires_on=date(2027, 6, 1),
        partner=True,
    ),
    FEEDBACK_REMINDER: FeedbackMessage(
        person_name="Karim Benali",
        project_name="Accueil en salle d'attente",
        link="https://cocon.example.org/questionnaire/def",
        expires_on=date(2027, 6, 1),
        partner=False,
    ),
    INDICATORS_REQUEST: IndicatorsRequestMessage(
        person_name="Claire Martin",
        project_name="Accueil en salle d'attente",
        indicators=["Actions co-construites", "Personnes touchées par l'action"],
        command="cocon indicator record accueil CODE VALEUR",
    ),
    THANKS: ThanksMessage(
        person_name="Awa Diallo",
        project_name="Accueil en salle d'attente",
        structure="MSP des Tilleuls",
        structure_of="de la MSP des Tilleuls",
        meetings=[MeetingLine(title="Point d'étape n°1", day=date(2027, 3, 2))],
        activities=[
            ActivityLine(day=date(2027, 3, 13), kind="action", description="Stand au marché du samedi", hours="3 h"),
            ActivityLine(day=date(2027, 4, 3), kind="action", description="Sortie sur le front de mer", hours="2,5 h"),
        ],
        hours="6,5 h",
        expenses=[
            ExpenseLine(day=date(2027, 3, 13), amount="12,40 €", what="déplacement", reimbursed_on=date(2027, 4, 2)),
            ExpenseLine(day=date(2027, 4, 3), amount="11,60 €", what="déplacement", reimbursed_on=None),
        ],
        expenses_total="24,00 €",
        owed_total="11,60 €",
        proposals=[
            ProposalLine(text="Une affiche en gros caractères", status="adoptée", outcome=None, kept=True),
            ProposalLine(
                text="Ouvrir le samedi", status="non retenue", outcome="pas de personnel le samedi", kept=False
            ),
        ],
        report_attached=True,
        report_link=None,
        certificate_attached=True,
        signed_by=[Signatory(name="Claire Martin", role="coordinatrice")],
    ),
}
