"""Messages people read: Jinja2 templates in French and English, each with a typed context.

A message ``NAME`` lives in ``notifications/templates/`` as::

    NAME.fr.subject.j2   one line
    NAME.fr.txt.j2       the plain-text email
    NAME.fr.html.j2      the HTML email (optional; autoescaped)
    NAME.fr.short.j2     the SMS / chat version (optional; the subject otherwise)

and the same with ``.en.`` (French is used when the English file is absent). Templates use
``StrictUndefined``: a missing value is an error in the test that renders every template, never
a blank in someone's inbox. Other packages may add their own templates in the same folder and
render them with :func:`render_message`.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from notifications.exceptions import TemplateMissing
from store import wording
from store.models import Occasion

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str | None
    short: str


_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def _linkify(escaped: str) -> Markup:
    """Make the addresses of already-escaped text clickable (HTML emails)."""
    return Markup(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', str(escaped)))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the code: no stat() per render
    )
    wording.install(env)
    env.filters["linkify"] = _linkify
    return env


@cache
def _template_name(name: str, lang: str, part: str) -> str | None:
    env = environment()
    for candidate in (lang, "fr"):
        path = f"{name}.{candidate}.{part}.j2"
        try:
            env.get_template(path)
        except TemplateNotFound:
            continue
        return path
    return None


def render_message(name: str, context: BaseModel, lang: str) -> RenderedMessage:
    """Render the message ``name`` in ``lang`` (``fr``/``en``) from its typed context."""
    lang = "en" if lang == "en" else "fr"
    env = environment()
    values = {**dict(context), "lang": lang}
    parts: dict[str, str | None] = {}
    for part in ("subject", "txt", "html", "short"):
        path = _template_name(name, lang, part)
        parts[part] = wording.typeset(env.get_template(path).render(values).strip(), lang) if path else None
    if not parts["subject"] or parts["txt"] is None:
        raise TemplateMissing("error.notifications.template_missing", name=name, folder=str(TEMPLATES_DIR))
    subject = _one_line(parts["subject"], lang)
    return RenderedMessage(
        subject=subject,
        text=parts["txt"] + "\n",
        html=parts["html"],
        short=_one_line(parts["short"] or subject, lang),
    )


def _one_line(text: str, lang: str) -> str:
    # str.split() also splits on the narrow no-break spaces typography put there: typeset again after
    return wording.typeset(" ".join(text.split()), lang)


# --- contexts of Cocon's own messages ---------------------------------------------------------


class Context(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DigestEntry(Context):
    """One thing a person is reminded of today."""

    occasion: Occasion
    project_name: str
    title: str
    day: date
    days: int = 0
    agenda: str | None = None
    owner_names: list[str] = []
    phase: str | None = None
    has_calendar: bool = False
    link: str | None = None  # charter-unsigned: the person's own signing link
    # invitation: when and where (already in words), and the two answer links
    start: str | None = None
    place: str | None = None
    video: str | None = None
    answer_yes: str | None = None
    answer_no: str | None = None


class DigestContext(Context):
    """The day's message to one person: everything due for them, in one email."""

    person_name: str
    today: date
    entries: list[DigestEntry]


class TeamAlertContext(Context):
    """Alert to the project's team channel: steps late enough to be escalated."""

    project_name: str
    entries: list[DigestEntry]


class DeadMessageContext(Context):
    """Alert to the coordination: a message could not be delivered after every attempt."""

    project_name: str
    recipient_name: str | None
    occasion: str
    attempts: int
    day: date


#: Cocon's own templates and an example context for each (rendered by the tests).
EXAMPLES: dict[str, Context] = {
    "digest": DigestContext(
        person_name="Mireille Durand",
        today=date(2026, 11, 24),
        entries=[
            DigestEntry(
                occasion=Occasion.INVITATION,
                project_name="Accueil plus chaleureux",
                title="Point d'étape",
                day=date(2026, 12, 8),
                agenda="Où en est-on ?",
                has_calendar=True,
                start="18 h 30",
                place="Salle du conseil, 3 rue des Tilleuls, Dole",
                video="https://visio.msp-tilleuls.fr/point-etape",
                answer_yes="https://cocon.msp-tilleuls.fr/reponse/abc/oui",
                answer_no="https://cocon.msp-tilleuls.fr/reponse/abc/non",
            ),
            DigestEntry(
                occasion=Occasion.BEFORE,
                project_name="Accueil plus chaleureux",
                title="Signer la charte",
                day=date(2026, 12, 1),
                days=7,
            ),
            DigestEntry(
                occasion=Occasion.OVERDUE,
                project_name="Accueil plus chaleureux",
                title="Repérer les acteurs",
                day=date(2026, 11, 18),
                days=4,
            ),
            DigestEntry(
                occasion=Occasion.ESCALATION,
                project_name="Accueil plus chaleureux",
                title="Choisir les indicateurs",
                day=date(2026, 11, 10),
                days=10,
                owner_names=["Paul Martin"],
            ),
            DigestEntry(
                occasion=Occasion.NOTES_FOLLOW_UP,
                project_name="Accueil plus chaleureux",
                title="Point d'étape",
                day=date(2026, 11, 20),
            ),
            DigestEntry(
                occasion=Occasion.CHARTER_UNSIGNED,
                project_name="Accueil plus chaleureux",
                title="Signer la charte d'engagement",
                day=date(2026, 12, 1),
                link="https://cocon.msp-tilleuls.fr/signer/abc",
            ),
            DigestEntry(
                occasion=Occasion.PHASE_CHANGE,
                project_name="Accueil plus chaleureux",
                title="Pendant",
                day=date(2026, 11, 23),
                phase="pendant",
            ),
        ],
    ),
    "team-escalation": TeamAlertContext(
        project_name="Accueil plus chaleureux",
        entries=[
            DigestEntry(
                occasion=Occasion.ESCALATION,
                project_name="Accueil plus chaleureux",
                title="Choisir les indicateurs",
                day=date(2026, 11, 10),
                days=10,
            )
        ],
    ),
    "outbox-dead": DeadMessageContext(
        project_name="Accueil plus chaleureux",
        recipient_name="Mireille Durand",
        occasion=Occasion.INVITATION,
        attempts=6,
        day=date(2026, 11, 24),
    ),
}


# --- occasions in words ----------------------------------------------------------------------

#: What each occasion is, in words, for the outbox as the CLI and the web app show it.
OCCASION_LABELS: dict[str, dict[Occasion, str]] = {
    "fr": {
        Occasion.BEFORE: "rappel avant échéance",
        Occasion.OVERDUE: "relance",
        Occasion.ESCALATION: "alerte à la coordination",
        Occasion.TEAM_ESCALATION: "alerte à l'équipe",
        Occasion.INVITATION: "invitation",
        Occasion.NOTES_FOLLOW_UP: "notes du point d'étape",
        Occasion.CHARTER_UNSIGNED: "charte à signer",
        Occasion.CHARTER_LINK: "lien de signature de la charte",
        Occasion.PHASE_CHANGE: "changement de phase",
        Occasion.OUTBOX_DEAD: "message non envoyé",
        Occasion.CHECKPOINT_MINUTES: "compte rendu du point d'étape",
        Occasion.FEEDBACK_INVITATION: "invitation au questionnaire",
        Occasion.FEEDBACK_REMINDER: "rappel du questionnaire",
        Occasion.INDICATORS_REQUEST: "indicateurs à renseigner",
        Occasion.THANKS: "remerciements",
        Occasion.LOGIN_LINK: "lien de connexion",
        Occasion.GATHERING_UPDATE: "rencontre modifiée",
        Occasion.GATHERING_CANCELLED: "rencontre annulée",
        Occasion.CHARTER_SIGNED: "confirmation de signature de la charte",
    },
    "en": {
        Occasion.BEFORE: "reminder before due date",
        Occasion.OVERDUE: "overdue reminder",
        Occasion.ESCALATION: "alert to the coordination",
        Occasion.TEAM_ESCALATION: "alert to the team",
        Occasion.INVITATION: "invitation",
        Occasion.NOTES_FOLLOW_UP: "checkpoint notes",
        Occasion.CHARTER_UNSIGNED: "charter to sign",
        Occasion.CHARTER_LINK: "charter signing link",
        Occasion.PHASE_CHANGE: "phase change",
        Occasion.OUTBOX_DEAD: "message not sent",
        Occasion.CHECKPOINT_MINUTES: "checkpoint minutes",
        Occasion.FEEDBACK_INVITATION: "questionnaire invitation",
        Occasion.FEEDBACK_REMINDER: "questionnaire reminder",
        Occasion.INDICATORS_REQUEST: "indicators to record",
        Occasion.THANKS: "thanks",
        Occasion.LOGIN_LINK: "login link",
        Occasion.GATHERING_UPDATE: "gathering changed",
        Occasion.GATHERING_CANCELLED: "gathering cancelled",
        Occasion.CHARTER_SIGNED: "charter signature confirmation",
    },
}


def occasion_label(occasion: str, lang: str = "fr") -> str:
    """The occasion in words (``feedback-reminder`` → « rappel du questionnaire »); unknown ones as they are."""
    try:
        known = Occasion(occasion)
    except ValueError:
        return occasion
    return OCCASION_LABELS["en" if lang == "en" else "fr"][known]
