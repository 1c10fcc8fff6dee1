"""Every kind of message, rendered in French and in English from realistic data: its words all come
from the catalogue (no key leaks), counts agree with their nouns (no "(s)"), the English carries no
French and the French no English, and French typography holds (narrow no-break spaces)."""

import re
from datetime import date, time

import pytest
from pydantic import BaseModel
from sqlmodel import Session

from evaluation.messages import (
    FEEDBACK_INVITATION,
    FEEDBACK_REMINDER,
    INDICATORS_REQUEST,
    MINUTES,
    THANKS,
    ActivityLine,
    AttendeeLine,
    ExpenseLine,
    FeedbackMessage,
    IndicatorsRequestMessage,
    MeetingLine,
    MinutesContext,
    MinutesMessage,
    ProposalLine,
    Signatory,
    StepLine,
    ThanksMessage,
)
from notifications.dispatch import dispatch
from notifications.envelopes import _with_footer
from notifications.gatherings import clock
from notifications.messages import (
    TEMPLATES_DIR,
    DeadMessageContext,
    DigestContext,
    DigestEntry,
    TeamAlertContext,
    render_message,
)
from notifications.planner import DigestItem
from notifications.queue import enqueue_items
from store import wording
from store.models import Occasion
from store.people import add_person
from store.plans import plan_steps
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink

NNBSP = "\u202f"
#: Words that only the other language would write (with spaces or punctuation around them).
FRENCH_WORDS = re.compile(
    r"\b(Bonjour|vous|votre|le|la|les|du|des|et|prévu|projet|rencontre|Merci|rappels?|étapes?|"
    r"essais?|jours?|Lieu|Je viens|Annulé|Changement|Rappel|compte rendu|Personnes|charte|avis)\b|[«»]"
)
ENGLISH_WORDS = re.compile(
    r"\b(Hello|Thank|the|your|you|of|and|planned|project|meeting|reminders?|steps?|attempts?|days?|"
    r"Place|coming|Cancelled|Change|Reminder|Minutes|People|charter|view)\b"
)


class Data(BaseModel):
    """What people typed, in the language of the project (an English project has English names)."""

    lang: str
    project: str
    step: str
    meeting: str
    place: str
    agenda: str
    structure: str
    person: str


DATA = {
    "fr": Data(lang="fr", project="Accueil plus chaleureux", step="Choisir les indicateurs", meeting="Point d'étape",
               place="Salle du conseil, 3 rue des Tilleuls, Dole", agenda="Où en est-on ?",
               structure="MSP des Tilleuls", person="Mireille Durand"),
    "en": Data(lang="en", project="A warmer welcome", step="Choose indicators", meeting="Checkpoint",
               place="Council room, 3 Lime Street, Dover", agenda="Where do we stand?",
               structure="Harbour Health Centre", person="Mary Dunn"),
}


def _entry(d: Data, occasion: Occasion, **values: object) -> DigestEntry:
    base: dict[str, object] = {"project_name": d.project, "title": d.step, "day": date(2027, 3, 2)}
    return DigestEntry(occasion=occasion, **{**base, **values})  # type: ignore[arg-type]


def _digest_entries(d: Data) -> list[DigestEntry]:
    where: dict[str, object] = {
        "title": d.meeting, "start": clock(time(18, 30), d.lang), "place": d.place, "video": "https://visio.example.org/point",
        "answer_yes": "https://cocon.example.org/reponse/abc/oui", "answer_no": "https://cocon.example.org/reponse/abc/non",
        "has_calendar": True,
    }
    return [
        _entry(d, Occasion.INVITATION, agenda=d.agenda, **where),
        _entry(d, Occasion.GATHERING_UPDATE, **where),
        _entry(d, Occasion.GATHERING_UPDATE, title=d.meeting),
        _entry(d, Occasion.GATHERING_CANCELLED, title=d.meeting, start=clock(time(18, 0), d.lang), has_calendar=True),
        _entry(d, Occasion.BEFORE, days=0),
        _entry(d, Occasion.BEFORE, days=1),
        _entry(d, Occasion.BEFORE, days=3),
        _entry(d, Occasion.OVERDUE, days=4),
        _entry(d, Occasion.ESCALATION, days=1),
        _entry(d, Occasion.ESCALATION, days=10, owner_names=[d.person, "Paul Martin"]),
        _entry(d, Occasion.NOTES_FOLLOW_UP, title=d.meeting),
        _entry(d, Occasion.CHARTER_UNSIGNED, link="https://cocon.example.org/signer/abc"),
        _entry(d, Occasion.CHARTER_UNSIGNED),
        _entry(d, Occasion.PHASE_CHANGE, title="Pendant" if d.lang == "fr" else "During", phase="pendant"),
    ]


def _thanks(d: Data, lang: str, *, everything: bool) -> ThanksMessage:
    fr = lang == "fr"
    return ThanksMessage(
        person_name=d.person,
        project_name=d.project,
        structure=d.structure,
        structure_of=wording.structure_of(d.structure, lang),
        meetings=[MeetingLine(title=d.meeting, day=date(2027, 3, 2))] if everything else [],
        activities=[ActivityLine(day=date(2027, 3, 13), kind="action",
                                 description="Stand au marché" if fr else "Market stand", hours=wording.hours(3, lang))]
        if everything else [],
        hours=wording.hours(6.5, lang) if everything else None,
        expenses=[
            ExpenseLine(day=date(2027, 3, 13), amount=wording.money(1240, lang), what="déplacement" if fr else "travel",
                        reimbursed_on=date(2027, 4, 2)),
            ExpenseLine(day=date(2027, 4, 3), amount=wording.money(1160, lang), what="déplacement" if fr else "travel",
                        reimbursed_on=None),
        ] if everything else [],
        expenses_total=wording.money(2400, lang) if everything else None,
        owed_total=wording.money(1160, lang) if everything else None,
        proposals=[
            ProposalLine(text="Une affiche" if fr else "A poster", status="adoptée" if fr else "adopted", outcome=None, kept=True),
            ProposalLine(text="Ouvrir le samedi" if fr else "Open on Saturdays", status="non retenue" if fr else "not kept",
                         outcome="pas de personnel" if fr else "no staff", kept=False),
        ] if everything else [],
        report_attached=everything,
        report_link=None if everything else "https://cocon.example.org/rapport/abc",
        certificate_attached=everything,
        signed_by=[Signatory(name="Claire Martin", role="coordinatrice" if fr else "coordinator")],
    )


def cases(lang: str) -> list[tuple[str, BaseModel]]:
    """Every message kind, with its variants (one entry of each occasion, counts of 1 and more)."""
    d = DATA[lang]
    fr = lang == "fr"
    entries = _digest_entries(d)
    found: list[tuple[str, BaseModel]] = [
        ("digest", DigestContext(person_name=d.person, today=date(2027, 3, 1), entries=[entry])) for entry in entries
    ]
    found += [
        ("digest", DigestContext(person_name=d.person, today=date(2027, 3, 1), entries=entries)),
        ("team-escalation", TeamAlertContext(project_name=d.project, entries=[entries[8]])),
        ("team-escalation", TeamAlertContext(project_name=d.project, entries=entries[8:10])),
        ("outbox-dead", DeadMessageContext(project_name=d.project, recipient_name=d.person, occasion=Occasion.FEEDBACK_REMINDER,
                                           attempts=6, day=date(2027, 3, 1))),
        ("outbox-dead", DeadMessageContext(project_name=d.project, recipient_name=None, occasion=Occasion.THANKS,
                                           attempts=1, day=date(2027, 3, 1))),
        (FEEDBACK_INVITATION, FeedbackMessage(person_name=d.person, project_name=d.project, link="https://cocon.example.org/q/abc",
                                              expires_on=date(2027, 6, 1), partner=True)),
        (FEEDBACK_INVITATION, FeedbackMessage(person_name=d.person, project_name=d.project, link="https://cocon.example.org/q/abc",
                                              expires_on=date(2027, 6, 1), partner=False)),
        (FEEDBACK_REMINDER, FeedbackMessage(person_name=d.person, project_name=d.project, link="https://cocon.example.org/q/def",
                                            expires_on=date(2027, 6, 1), partner=False)),
        (INDICATORS_REQUEST, IndicatorsRequestMessage(person_name=d.person, project_name=d.project,
                                                      indicators=["Actions co-construites" if fr else "Co-built actions"],
                                                      command="cocon indicator record accueil CODE VALUE")),
        (THANKS, _thanks(d, lang, everything=True)),
        (THANKS, _thanks(d, lang, everything=False)),
    ]
    for full in (True, False):
        record = MinutesContext(
            lang=lang, project_name=d.project, step_title=d.meeting, held_on=wording.long_date(date(2027, 3, 2), lang),
            present=[AttendeeLine(name=d.person, partner=True), AttendeeLine(name="Claire Martin", partner=False)],
            excused=["Karim Benali"] if full else [],
            decisions=["Refaire l'affiche" if fr else "Redo the poster"] if full else [],
            actions=[],
            steps=[StepLine(key="affiche", title=d.step, status="en cours" if fr else "in progress",
                            due=wording.long_date(date(2027, 3, 15), lang))] if full else [],
            replanning=[],
            notes=("Ambiance chaleureuse." if fr else "A warm mood.") if full else None,
        )
        found.append((MINUTES, MinutesMessage(person_name=d.person, held_on=date(2027, 3, 2), record=record)))
    return found


def _parts(name: str, context: BaseModel, lang: str) -> dict[str, str]:
    message = render_message(name, context, lang)
    html = re.sub(r"<[^>]+>", " ", message.html or "")  # the words of the HTML, without its tags
    return {"subject": message.subject, "text": message.text, "html": html, "short": message.short}


def test_every_message_kind_is_covered() -> None:
    names = {name for name, _ in cases("fr")}
    assert names == {"digest", "team-escalation", "outbox-dead", FEEDBACK_INVITATION, FEEDBACK_REMINDER,
                     INDICATORS_REQUEST, THANKS, MINUTES}
    templates = {path.name.split(".")[0] for path in TEMPLATES_DIR.glob("*.j2")}
    assert templates - {"_digest_entry"} == names


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_message_speaks_one_language_from_the_catalogue(lang: str) -> None:
    other = ENGLISH_WORDS if lang == "fr" else FRENCH_WORDS
    for name, context in cases(lang):
        for part, text in _parts(name, context, lang).items():
            where = f"{name} {part} ({lang}): {text!r}"
            assert "mail." not in text and "label." not in text, where
            assert "(s)" not in text and "None" not in text and "{" not in text, where
            words = re.sub(r"https?://\S+|cocon \w+ \w+ [\w<>]+", " ", text)  # addresses and commands aside
            assert not other.search(words), f"{other.search(words)}: {where}"


def test_french_messages_keep_narrow_no_break_spaces() -> None:
    colons = 0
    for name, context in cases("fr"):
        for part, text in _parts(name, context, "fr").items():
            where = f"{name} {part}: {text!r}"
            assert not re.search(r"[ \u00a0][:;!?»]|«[ \u00a0]", text), where
            colons += text.count(NNBSP + ":")
            if "«" in text:
                assert "«" + NNBSP in text and NNBSP + "»" in text, where
    assert colons > 50


def test_counts_agree_with_their_nouns() -> None:
    fr = dict(reversed(cases("fr")))  # the first case of each kind: the fullest
    one = render_message("team-escalation", TeamAlertContext(project_name="P", entries=_digest_entries(DATA["fr"])[8:9]), "fr")
    two = render_message("team-escalation", TeamAlertContext(project_name="P", entries=_digest_entries(DATA["fr"])[8:10]), "en")
    assert one.subject == f"P{NNBSP}: 1 étape en retard" and two.subject == "P: 2 late steps"
    assert "1 jour ouvré de retard" in one.text and "10 working days late" in two.text
    dead = [render_message(n, c, "fr").text for n, c in cases("fr") if n == "outbox-dead"]
    assert "après 6 essais" in dead[0] and "(rappel du questionnaire, du" in dead[0]
    assert "après 1 essai." in dead[1] and "(remerciements, du" in dead[1]
    thanks = render_message(THANKS, fr[THANKS], "fr").text
    assert "vous avez participé à 1 rencontre" in thanks
    assert "vous avez fait 2 propositions. Voici ce qu'elles sont devenues" in thanks
    days = [render_message("digest", DigestContext(person_name="A", today=date(2027, 3, 1), entries=[e]), "en").text
            for e in _digest_entries(DATA["en"])[4:7]]
    assert "today." in days[0] and "tomorrow." in days[1] and "in 3 days." in days[2]


def test_the_pause_footer_speaks_the_persons_language() -> None:
    text, html = _with_footer("Bonjour", "<html><body><p>x</p></body></html>", "fr", "https://cocon.example.org/pause/abc")
    assert "Faire une pause ou arrêter les rappels, en deux gestes\u202f: https://cocon.example.org/pause/abc" in text
    assert html is not None and '">Faire une pause ou arrêter les rappels, en deux gestes</a>\u202f: https://' in html
    text, html = _with_footer("Hello", "<html><body><p>x</p></body></html>", "en", None)
    assert "To pause or stop these reminders, just reply to this message." in text
    assert html is not None and "just reply" in html and "répondez" not in html


DIGEST_OCCASIONS = ("before", "invitation", "overdue", "escalation", "notes-follow-up", "charter-unsigned", "phase-change")


def test_a_digest_through_smtp_speaks_each_persons_language(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same reminders, queued for a French and an English partner and sent through the outbox to a
    real SMTP server: each email (subject, body, pause footer, calendar file) is in its reader's language."""
    monkeypatch.setenv("COCON_BASE_URL", "http://testserver")
    project = make_project(session)
    step = plan_steps(session, project)[0]
    monkeypatch.setenv("COCON_NOW", f"{step.due.isoformat()}T10:00")  # a weekday daytime: sent at once
    assert step.due.weekday() < 5
    readers = {
        lang: add_person(session, project, name=name, role="patient-partenaire", email=f"{lang}@example.org",
                         language=lang, actor="test")
        for lang, name in (("fr", "Awa Diallo"), ("en", "Mary Dunn"))
    }
    for who in readers.values():
        assert who.id is not None and project.id is not None
        enqueue_items(session, [
            DigestItem(project.id, who.id, occasion, "phase:avant" if occasion == "phase-change" else f"step:{step.key}",
                       step.due, {"phase": "avant"} if occasion == "phase-change" else {"due": step.due.isoformat()})
            for occasion in DIGEST_OCCASIONS
        ])
    session.commit()
    dispatch()
    (french,), (english,) = smtp_sink.to("fr@example.org"), smtp_sink.to("en@example.org")
    assert french.subject.startswith("Vos rappels du ") and english.subject.startswith("Your reminders for ")
    assert "Bonjour Awa Diallo," in french.text() and "Hello Mary Dunn," in english.text()
    assert "Faire une pause ou arrêter les rappels, en deux gestes\u202f: http://testserver/pause/" in french.text()
    assert "Pause or stop these reminders, in two taps: http://testserver/pause/" in english.text()
    for phrase in ("Bonjour", "Belle journée", "prévu le", "Faire une pause", "répondez", "Pour la lire", "\u202f:"):
        assert phrase not in english.text(), phrase
    for phrase in ("Hello", "Have a good day", "planned on", "Pause or stop", "mail.", "label."):
        assert phrase not in french.text(), phrase
    assert "Stop%20the%20reminders" in str(english.message["List-Unsubscribe"])
    assert "Arr%C3%AAter%20les%20rappels" in str(french.message["List-Unsubscribe"])


def test_words_from_the_catalogue_escape_what_people_typed_in_html() -> None:
    """In an HTML part, ``t`` escapes the values it is given; the template's own markup survives."""
    typed = "<script>alert(1)</script>"
    base = _thanks(DATA["fr"], "fr", everything=True)
    context = base.model_copy(update={
        "project_name": typed,
        "proposals": [ProposalLine(text=typed, status="adoptée", outcome=typed, kept=True)],
        "report_attached": False,
        "report_link": 'https://cocon.example.org/r?a=1&b="x"',
    })
    html = render_message(THANKS, context, "fr").html
    assert html is not None and "<script>" not in html
    assert "«\u202f&lt;script&gt;alert(1)&lt;/script&gt;\u202f»" in html
    assert "<strong>adoptée</strong>, &lt;script&gt;" in html and "<strong>restent à vous rembourser</strong>" in html
    assert '<a href="https://cocon.example.org/r?a=1&amp;b=' in html and '"x"' not in html
    minutes = render_message(MINUTES, dict(cases("en"))[MINUTES].model_copy(update={"person_name": typed}), "en").html
    assert minutes is not None and "Hello &lt;script&gt;" in minutes
