"""Messages people read: one Jinja2 template per part, whose words come from the catalogue.

A message ``NAME`` lives in ``notifications/templates/`` as::

    NAME.subject.j2   one line
    NAME.txt.j2       the plain-text email
    NAME.html.j2      the HTML email (optional; autoescaped)
    NAME.short.j2     the SMS / chat version (optional; the subject otherwise)

The same templates serve both languages: they hold structure only, and every word comes from the
gettext catalogue (``locales/``) through ``t(key, **values)``, a global bound to the message's
language (keys ``mail.<message>.<what>``; a plural entry takes its form from ``n=``). In an HTML
template ``t`` escapes the values it is given (``Markup`` values are kept, so a template can pass
``<strong>…</strong>``), the catalogue's own text being trusted like a template's. Numbers, money,
dates and structure names go through the filters of :mod:`store.wording` (``|long_date(lang)``,
``|with_article``, ``|structure_of``…), and :func:`store.wording.typeset` finishes every French
part. Templates use ``StrictUndefined``: a missing value is an error in the test that renders every
template, never a blank in someone's inbox. Other packages may add their own templates in the same
folder and render them with :func:`render_message`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict

import locales
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
def _template_name(name: str, part: str) -> str | None:
    path = f"{name}.{part}.j2"
    try:
        environment().get_template(path)
    except TemplateNotFound:
        return None
    return path


def words(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` of the templates: the catalogue's message ``key`` in ``lang``.

    In an autoescaped (HTML) template the values are escaped before they go into the text
    (``Markup`` values stay as they are) and the result is ``Markup``."""

    @pass_eval_context
    def t(eval_ctx: EvalContext, key: str, /, **values: Any) -> str:
        if eval_ctx.autoescape:
            safe = {k: escape(v) if isinstance(v, str) else v for k, v in values.items()}
            return Markup(locales.gettext(key, lang, **safe))
        return locales.gettext(key, lang, **values)

    return t


def render_message(name: str, context: BaseModel, lang: str) -> RenderedMessage:
    """Render the message ``name`` in ``lang`` (``fr``/``en``) from its typed context."""
    lang = locales.lang_of(lang)
    env = environment()
    values = {
        **dict(context),
        "lang": lang,
        "t": words(lang),
        "occasion_label": lambda occasion: occasion_label(occasion, lang),
    }
    parts: dict[str, str | None] = {}
    for part in ("subject", "txt", "html", "short"):
        path = _template_name(name, part)
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


def occasion_label(occasion: str, lang: str = "fr") -> str:
    """The occasion in words (``feedback-reminder`` → « rappel du questionnaire »), from the
    catalogue's ``label.occasion.<value>``, for the outbox as the CLI and the web app show it and
    for the coordination's alerts; an unknown one as it is."""
    try:
        known = Occasion(occasion)
    except ValueError:
        return occasion
    key = "label.occasion." + known.value  # every member has its entry: tests/test_notifications_cli.py
    return locales.gettext(key, lang)
