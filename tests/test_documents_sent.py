"""Everything Cocon sends or prints, read as a patient, a volunteer or a funder would read it.

One realistic project (the MSP des Tilleuls' waiting-room project) is run to its end: a
checkpoint, activities with their descriptions, expenses paid back and still owed, proposals
and their fate, the questionnaire, the restitution, the coordination's conclusions. Then every
message kind and every document is rendered — in French and in English — and checked for
template leftovers, raw Markdown, "(s)", the French typography of ``docs/house-style.md``, the
links each one promises, and for the absence of anyone else's name or expenses in what a
participant receives. A review set (``.eml``, ``.txt``, ``.html``, PDF pages as PNG) is written
to ``tests/artifacts/`` for people to look at.
"""

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from evaluation.checkpoints import ActionItem, CheckpointRecord, record_checkpoint, send_minutes
from evaluation.contributions import add_contribution
from evaluation.feedback import invite_participants
from evaluation.messages import EXAMPLES as EVALUATION_EXAMPLES
from evaluation.proposals import add_proposal, decide_proposal
from evaluation.questionnaire import answer_questionnaire
from evaluation.report import build_report, report_html, report_pdf
from evaluation.restitution import record_restitution
from evaluation.thanks import certificate_pdf, send_thanks
from notifications.attachments import unpack_attachments
from notifications.messages import EXAMPLES as NOTIFICATION_EXAMPLES
from notifications.messages import render_message
from store import wording
from store.models import ContributionKind, OutboxMessage, Project, ProjectPhase, ProposalSource, ProposalStatus
from store.publication import write_publication
from tests.conftest import PUBLIC_URL
from tests.fixtures_evaluation import people

ARTIFACTS = Path(__file__).parent / "artifacts"
LEFTOVERS = ("{{", "}}", "{%", "%}", "##", "**", "(s)", "None", "cli:", "person:")
NNBSP = "\u202f"


def _clean(text: str, lang: str, where: str) -> None:
    """No template leftovers, no raw Markdown, no "(s)"; French typography in French."""
    for leftover in LEFTOVERS:
        assert leftover not in text, f"{where}: {leftover!r}"
    assert not re.search(r"^#{1,6} ", text, re.MULTILINE), f"{where}: Markdown heading"
    if lang == "fr":
        body = re.sub(r"<style>.*?</style>", "", text, flags=re.DOTALL)
        assert not re.search(r"[ \u00a0][;:!?»]", body), f"{where}: ordinary space before ; : ! ? »"
        assert not re.search(r"«[ \u00a0]", body), f"{where}: ordinary space after «"
        assert not re.search(r"\d[ \u00a0](%|€)", body), f"{where}: ordinary space before % or €"
        assert not re.search(r"\d\.\d\d?\s*€", body), f"{where}: English decimal point in an amount"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _pages_png(pdf: Path) -> None:
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.with_suffix(""))], check=True, timeout=60)


def _write_eml(row: OutboxMessage, to: str, stem: str) -> None:
    message = EmailMessage()
    message["Subject"], message["To"], message["From"] = row.subject or "", to, "cocon@msp-tilleuls.fr"
    message.set_content(row.text or "")
    if row.html:
        message.add_alternative(row.html, subtype="html")
    for attachment in unpack_attachments(row.attachments):
        maintype, subtype = attachment.mime.split("/", 1)
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    (ARTIFACTS / f"{stem}.eml").write_bytes(bytes(message))
    (ARTIFACTS / f"{stem}.txt").write_text(f"{row.subject}\n\n{row.text}", encoding="utf-8")
    if row.html:
        (ARTIFACTS / f"{stem}.html").write_text(row.html, encoding="utf-8")


def _run_project_to_its_end(session: Session, project: Project, clock: Callable[[str], None]) -> None:
    who = people(session, project)
    who["jean-pierre"].language = "en"  # one participant reads English
    session.add(who["jean-pierre"])
    clock("2027-03-22T18:00")
    record_checkpoint(
        session,
        project,
        "point-etape-1",
        CheckpointRecord(
            held_on=date(2027, 3, 22),
            attendees=[who[n].id or 0 for n in ("claire", "karim", "awa")],
            decisions=["Refaire l'affiche d'accueil en gros caractères"],
            actions=[ActionItem("Maquette de l'affiche", "Awa", date(2027, 4, 5))],
            notes="Ambiance chaleureuse ; prochaine rencontre au même endroit.",
        ),
        actor=f"person:{who['claire'].id}",
    )
    clock("2027-06-10T10:00")
    add = add_contribution
    add(session, project, who["awa"], on=date(2027, 3, 20), kind=ContributionKind.ACTION, hours=3,
        description="Stand au marché du samedi", actor="claire")
    add(session, project, who["awa"], on=date(2027, 3, 20), kind=ContributionKind.TRAVEL, amount_cents=1240,
        description="bus pour le marché", reimbursed_on=date(2027, 4, 2), actor="claire")
    add(session, project, who["awa"], on=date(2027, 4, 10), kind=ContributionKind.ACTION, hours=2.5,
        description="Sortie sur le front de mer", amount_cents=1160, actor="claire")
    add(session, project, who["jean-pierre"], on=date(2027, 4, 12), kind=ContributionKind.TRAVEL,
        amount_cents=850, description="taxi de Jean-Pierre", actor="claire")
    add(session, project, who["jean-pierre"], on=date(2027, 4, 12), kind=ContributionKind.PREPARATION, hours=1.5,
        description="Relecture du questionnaire", actor="claire")
    add(session, project, who["karim"], on=date(2027, 3, 22), kind=ContributionKind.MEETING, hours=2, actor="claire")
    kept = add_proposal(session, project, who["awa"], text="Une affiche en gros caractères",
                        source=ProposalSource.CHECKPOINT, actor="claire")
    refused = add_proposal(session, project, who["awa"], text="Ouvrir le samedi", source=ProposalSource.MEETING,
                           actor="claire")
    adapted = add_proposal(session, project, who["jean-pierre"], text="Des chaises plus hautes",
                           source=ProposalSource.IDEA_BOX, actor="claire")
    decide_proposal(session, project, kept.id or 0, ProposalStatus.ADOPTED, actor="claire")
    decide_proposal(session, project, refused.id or 0, ProposalStatus.NOT_RETAINED,
                    outcome="pas de personnel le samedi", actor="claire")
    decide_proposal(session, project, adapted.id or 0, ProposalStatus.ADAPTED, outcome="deux chaises hautes",
                    actor="claire")
    project.phase = ProjectPhase.APRES
    session.add(project)
    tokens = {n.person.name: n.token for n in invite_participants(session, project, actor="claire")}
    answer_questionnaire(session, tokens["Awa Diallo"], {"pers-utile": 5, "expr-ecoute": 4})
    record_restitution(
        session, project, held_on=date(2027, 6, 8), attendees=[who[n].id or 0 for n in ("claire", "awa", "karim")],
        presented="L'affiche et les chaises", discussion="À refaire l'an prochain", actor="claire",
    )
    write_publication(session, project, actor="claire", place="Dole",
                      conclusions="L'accueil est plus lisible.\n\nNous recommencerons avec les aidants.")
    write_publication(session, project, actor="claire", lang="en",
                      conclusions="The welcome is easier to read.\n\nWe will do it again with carers.")
    session.commit()


@pytest.fixture
def finished(session: Session, eval_running: Project, eval_clock: Callable[[str], None]) -> Project:
    _run_project_to_its_end(session, eval_running, eval_clock)
    ARTIFACTS.mkdir(exist_ok=True)
    return eval_running


@pytest.mark.slow
def test_every_document_and_message_is_fit_to_send(session: Session, finished: Project) -> None:
    project = finished
    who = people(session, project)
    names = {key: p.name for key, p in who.items()}
    participants = ("karim", "sophie", "awa", "jean-pierre")

    # --- thanks: each names what that person gave, and nobody else's data ----------------------
    send_thanks(session, project, actor=f"person:{who['claire'].id}")
    send_minutes(session, project, _gathering(session, project), actor="claire")
    session.commit()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    by_person = {p.id: key for key, p in who.items()}
    thanks = {by_person[r.person_id]: r for r in rows if r.occasion == "thanks"}
    assert set(thanks) == set(participants)
    awa = thanks["awa"].text or ""
    for promised in ("Stand au marché du samedi", "Sortie sur le front de mer", "5,5\u202fh",
                     "12,40\u202f€ (bus pour le marché, le samedi 20 mars 2027)\u202f: remboursés le vendredi 2 avril 2027",
                     "11,60\u202f€ (Sortie sur le front de mer, le samedi 10 avril 2027)\u202f: restent à vous rembourser",
                     "la coordination vous doit encore 11,60\u202f€", "«\u202fOuvrir le samedi\u202f»\u202f: non retenue, "
                     "pas de personnel le samedi", "de la MSP des Tilleuls", "Point d'étape"):
        assert promised in awa, promised
    assert "pris en compte" not in awa
    jp = thanks["jean-pierre"].text or ""
    assert "Hello Jean-Pierre Roux" in jp and "still to be paid back to you" in jp and "€8.50" in jp
    for key, row in thanks.items():
        lang = "en" if key == "jean-pierre" else "fr"
        everything = (row.subject or "") + (row.text or "") + (row.html or "")
        _clean(row.text or "", lang, f"thanks {key} text")
        _clean(row.html or "", lang, f"thanks {key} html")
        _clean(row.subject or "", lang, f"thanks {key} subject")
        for other in participants:
            if other != key:
                assert names[other] not in everything, (key, other)
        attachments = {a.filename: a.content for a in unpack_attachments(row.attachments)}
        report_name = next(n for n in attachments if "evaluation" in n)
        public = _pdf_text(attachments[report_name])
        for person in names.values():
            assert person not in public, (key, person)
        assert "8,50" not in public and "8.50" not in public and "11,60" not in public  # no individual expense
        assert ("MSP des Tilleuls" in public) and ("Dole" in public)
        _write_eml(row, f"{key}@example.org", f"thanks-{key}")
        if key in ("awa", "jean-pierre"):
            named = "certificate-" if key == "jean-pierre" else "attestation-"  # the attachment's name in their language
            certificate = _pdf_text(attachments[next(n for n in attachments if n.startswith(named))])
            assert "Claire Martin" in certificate
            for other in participants:
                if other != key:
                    assert names[other] not in certificate

    # --- minutes: plain text without Markdown, and HTML ---------------------------------------
    minutes = [r for r in rows if r.occasion == "checkpoint-minutes"]
    assert minutes
    for row in minutes:
        lang = "en" if by_person[row.person_id] == "jean-pierre" else "fr"
        _clean(row.text or "", lang, "minutes text")
        assert row.html and "<h2" in row.html
        _clean(row.html, lang, "minutes html")
        _write_eml(row, "x@example.org", f"minutes-{by_person[row.person_id]}")

    # --- questionnaire invitations and reminders carry the public link --------------------------
    # (a reminder cancelled once its questionnaire is answered keeps no text)
    feedback = [r for r in rows if r.occasion.startswith("feedback") and r.text is not None]
    assert feedback
    for row in feedback:
        assert f"{PUBLIC_URL}/questionnaire/" in (row.text or ""), row.occasion
        assert "code" not in (row.text or "").lower()
        _clean(row.text or "", "en" if by_person[row.person_id] == "jean-pierre" else "fr", row.occasion)
    _write_eml(feedback[0], "awa@example.org", "feedback-invitation")


def _gathering(session: Session, project: Project):  # type: ignore[no-untyped-def]
    from evaluation.checkpoints import get_gathering

    return get_gathering(session, project, "point-etape-1")


@pytest.mark.slow
def test_reports_internal_and_public_in_both_languages(session: Session, finished: Project) -> None:
    project = finished
    who = people(session, project)
    for lang in ("fr", "en"):
        internal = build_report(session, project, lang)
        public = build_report(session, project, lang, audience="public")
        internal_html, public_html = report_html(internal), report_html(public)
        _clean(internal_html, lang, f"internal report {lang}")
        _clean(public_html, lang, f"public report {lang}")
        assert "Claire Martin" in internal_html and "Awa Diallo" in internal_html
        for person in who.values():
            assert person.name not in public_html, (lang, person.name)
        assert "8,50" not in public_html and "€8.50" not in public_html
        for html in (internal_html, public_html):
            assert "MSP des Tilleuls" in html
            assert ("Méthode et limites" if lang == "fr" else "Method and limits") in html
        assert ("L&#39;accueil est plus lisible." if lang == "fr" else "The welcome is easier to read.") in internal_html
        if lang == "fr":
            assert "la MSP des Tilleuls" in internal_html
            assert "1 proposition adoptée, 1 proposition" not in internal_html
            assert re.search(r"3 propositions enregistrées\u202f: 1 adoptée, 1 adaptée, 1 non retenue", internal_html)
        else:
            french = ("Rapport", "Indicateurs", "Tous les répondants", "Partenaires", "Professionnels", "masqué",
                      "Période", "Décidé par", "adoptée", "non retenue", "partenaire", "réunion", "Aucun",
                      "la coordination")
            for word in french:
                assert word not in internal_html, word
        for audience, html in (("interne", internal_html), ("public", public_html)):
            path = ARTIFACTS / f"rapport-{audience}-{lang}.html"
            path.write_text(html, encoding="utf-8")
        for audience, report in (("interne", internal), ("public", public)):
            pdf = ARTIFACTS / f"rapport-{audience}-{lang}.pdf"
            pdf.write_bytes(report_pdf(report))
            text = _pdf_text(pdf.read_bytes())
            assert not re.search(r"\d\s*\n\s*%", text), "a percentage split across two lines"
            _pages_png(pdf)


@pytest.mark.slow
def test_certificates_say_where_when_who_signs_and_in_which_role(session: Session, finished: Project) -> None:
    project = finished
    who = people(session, project)
    logo = b"<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect width='40' height='20'/></svg>"
    french = certificate_pdf(session, project, who["awa"], "fr", logo=logo)
    text = " ".join(_pdf_text(french).split())
    assert "La MSP des Tilleuls atteste qu'Awa Diallo a participé" in text
    assert "Fait à Dole, le" in text and "Claire Martin" in text and "coordinatrice ou coordinateur" in text
    assert "Patiente, patient, aidante ou aidant partenaire" in text
    assert "Stand au marché du samedi" in text and "(s)" not in text
    (ARTIFACTS / "attestation-fr.pdf").write_bytes(french)
    _pages_png(ARTIFACTS / "attestation-fr.pdf")
    english = " ".join(_pdf_text(certificate_pdf(session, project, who["jean-pierre"], "en")).split())
    assert "MSP des Tilleuls certifies that Jean-Pierre Roux" in english and "Issued in Dole on" in english
    assert "Fait" not in english and "atteste" not in english


def test_every_message_kind_renders_clean_in_both_languages() -> None:
    examples = {**NOTIFICATION_EXAMPLES, **EVALUATION_EXAMPLES}
    ARTIFACTS.mkdir(exist_ok=True)
    for name, context in examples.items():
        for lang in ("fr", "en"):
            message = render_message(name, context, lang)
            for part, text in (("subject", message.subject), ("text", message.text), ("html", message.html or "")):
                _clean(text, lang, f"{name}.{lang}.{part}")
            (ARTIFACTS / f"message-{name}-{lang}.txt").write_text(
                f"{message.subject}\n\n{message.text}", encoding="utf-8"
            )
            if message.html:
                (ARTIFACTS / f"message-{name}-{lang}.html").write_text(message.html, encoding="utf-8")
    digest = render_message("digest", NOTIFICATION_EXAMPLES["digest"], "fr")
    assert "https://cocon.msp-tilleuls.fr/signer/abc" in digest.text
    assert '<a href="https://cocon.msp-tilleuls.fr/signer/abc">' in (digest.html or "")
    assert "La signer la charte" not in digest.text and "invité·e" not in digest.text
    minutes = render_message("checkpoint-minutes", EVALUATION_EXAMPLES["checkpoint-minutes"], "fr")
    assert "Personnes présentes\u202f:" in minutes.text and minutes.html and "<h2" in minutes.html


@pytest.mark.parametrize(
    ("name", "article", "of"),
    [
        ("MSP des Tilleuls", "la MSP des Tilleuls", "de la MSP des Tilleuls"),
        ("ESP du Port", "l'ESP du Port", "de l'ESP du Port"),
        ("centre de santé Pasteur", "le centre de santé Pasteur", "du centre de santé Pasteur"),
        ("CPTS Sud Jura", "la CPTS Sud Jura", "de la CPTS Sud Jura"),
        ("Ensemble Santé", "Ensemble Santé", "d'Ensemble Santé"),
    ],
)
def test_structure_names_take_their_article_and_elision(name: str, article: str, of: str) -> None:
    assert wording.structure_with_article(name) == article and wording.structure_of(name) == of


def test_numbers_money_percent_and_dates_follow_the_house_style() -> None:
    assert wording.money(123456) == f"1{NNBSP}234,56{NNBSP}€" and wording.money(123456, "en") == "€1,234.56"
    assert wording.percent(1) == f"100{NNBSP}%" and wording.percent(0.5, "en") == "50%"
    assert wording.hours(2.5) == f"2,5{NNBSP}h" and wording.number(1234.5) == f"1{NNBSP}234,5"
    assert wording.long_date(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert wording.counted(0, "réponse", "réponses") == "0 réponse" and wording.counted(2, "a", "b", "en") == "2 b"
    assert wording.elided("que", "Awa") == "qu'Awa" and wording.elided("que", "Jean") == "que Jean"
    assert wording.typeset("Bonjour : « oui » ! 100 % https://x.fr/a?b") == (
        f"Bonjour{NNBSP}: «{NNBSP}oui{NNBSP}»{NNBSP}! 100{NNBSP}% https://x.fr/a?b"
    )
    assert wording.parse_number("2,5") == 2.5 and wording.parse_number("1 234,5") == 1234.5
    for bad in ("nan", "inf", "2,5,1", "", "deux"):
        with pytest.raises(ValueError):
            wording.parse_number(bad)
