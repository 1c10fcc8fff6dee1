"""Documents and labels speak from the catalogue: the English report, minutes, certificate and
charter hold no French words of their own (and no catalogue key), the French charter's text is
the one stored signatures were given to, and every label of every enumeration exists in both
languages."""

import hashlib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from sqlmodel import Session

import locales
from charters.rendering import render_markdown
from evaluation import charts
from evaluation import thanks as thanks_module
from evaluation.checkpoints import (
    ActionItem,
    CheckpointRecord,
    Replanning,
    find_gathering,
    minutes_text,
    record_checkpoint,
)
from evaluation.contributions import add_contribution, kind_label
from evaluation.indicators import TUNABLE, Verdict, choose_indicator, field_label, record_value, verdict_label
from evaluation.measurement import measure
from evaluation.proposals import add_proposal, decide_proposal, source_label, status_label
from evaluation.report import build_report, report_html
from evaluation.thanks import certificate_pdf
from locales.labels import LabelTable
from project_templates.schema import IndicatorUnit
from store import plans
from store.models import ContributionKind, Project, ProjectPhase, ProposalSource, ProposalStatus, StepStatus
from store.phases import phase_label
from store.plans import status_label as step_status_label
from tests.fixtures_evaluation import ids, people
from tests.test_charters_rendering import sample_context

#: Words of the documents' own French (headings, captions, sentences around the data): none may
#: appear in an English document. The fixture's own data (step titles, reasons) is removed first.
FRENCH = re.compile(
    r"\b(Rapport|Période|établi|porté|Indicateurs?|Départ|Cible|Résultat|Évolution|Appréciation|Aucune?|"
    r"répondants?|réponses?|Partie|masqué|Étapes?|Prévue|Faite|Décalage|Raison|Rencontres?|Présents|"
    r"partenaires|Personnes?|Groupe|Heures|Frais|Remboursés|Restant|Propositions?|Suite|Précision|"
    r"Restitution|Méthode|limites|Graphique|Conclusions|bref|Compte|rendu|présentes|excusées|Décisions|"
    r"notée|échéance|Changements|Attestation|atteste|participé|rencontres?|suivies?|dont|Fait|le|du|au|"
    r"sur|Charte|Pourquoi|valeurs|Signatures recueillies|semaine|atteints?|mesurés?|cible|ajouté|retiré|"
    r"modifiée|indisponibilité)\b"
)
USER_DATA = ("Point d'étape", "vacances de Pâques", "Affiche en gros caractères", "Relancer la mairie",
             "Accueil en salle d'attente", "MSP des Tilleuls", "Plutôt en fin de journée", "Diallo",
             "Objectif revu")


def _words(html: str) -> str:
    """The text a reader sees (tags dropped, alt texts kept), without the fixture's own data."""
    text = re.sub(r'<img[^>]*alt="([^"]*)"[^>]*>', r" \1 ", html)
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    for value in USER_DATA:
        text = text.replace(value, " ")
    return text


def _history(session: Session, project: Project, clock: Callable[[str], None]) -> None:
    team = people(session, project)
    clock("2027-03-22T20:00")
    record_checkpoint(
        session, project, "point-etape-1",
        CheckpointRecord(
            held_on=date(2027, 3, 22),
            attendees=ids(session, project, "claire", "karim", "awa"),
            decisions=["Plutôt en fin de journée"],
            actions=[ActionItem(what="Relancer la mairie", who="Claire", due=date(2027, 4, 2))],
            replanning=[Replanning("point-etape-2", date(2027, 4, 26), "vacances de Pâques")],
        ),
        actor="claire",
    )
    add_contribution(session, project, team["awa"], on=date(2027, 3, 22), kind=ContributionKind.MEETING,
                     hours=2, amount_cents=1240, actor="claire")
    row = add_proposal(session, project, team["awa"], text="Affiche en gros caractères",
                       source=ProposalSource.CHECKPOINT, actor="claire")
    decide_proposal(session, project, row.id or 0, ProposalStatus.ADOPTED, actor="claire")
    clock("2027-04-20T10:00")
    record_value(session, project, "partenaires-impliques", 2, actor="claire")
    # after the method is locked: what Cocon writes of the change speaks the reader's language
    choose_indicator(session, project, "partenaires-impliques", target=2.5, actor="claire", reason="Objectif revu")
    measure(session, project, actor="claire")
    session.commit()


def test_the_english_report_is_wholly_english_and_the_french_one_wholly_french(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(session, eval_running, eval_clock)
    drawn: list[str] = []

    def keep_words(figure: Figure) -> bytes:  # the words drawn on each chart: title, axes, legend
        for axis in figure.axes:
            drawn.extend([axis.get_title(), axis.get_xlabel(), axis.get_ylabel()])
            legend = axis.get_legend()
            drawn.extend(text.get_text() for text in (legend.get_texts() if legend else []))
        plt.close(figure)
        return b"png"

    monkeypatch.setattr(charts, "_png", keep_words)
    build_report(session, eval_running, "en")
    assert "Hours given per month" in drawn and "Indicators: value reached / target" in drawn
    assert not [w for w in drawn if FRENCH.search(_words(w))], drawn
    for audience in ("internal", "public"):
        english = report_html(build_report(session, eval_running, "en", audience=audience))  # type: ignore[arg-type]
        assert '<html lang="en">' in english and "Evaluation report" in english and "In brief" in english
        assert not FRENCH.findall(_words(english)), FRENCH.findall(_words(english))
        assert "report." not in english and "label." not in english and "stored." not in english  # no key leaks
        if audience == "internal":
            assert "target: 2 → 2.5" in english, english
        french = report_html(build_report(session, eval_running, "fr", audience=audience))  # type: ignore[arg-type]
        assert "Rapport d'évaluation" in french and "Evaluation report" not in french and "In brief" not in french
        assert "report." not in french and "label." not in french and "stored." not in french
        if audience == "internal":
            assert "cible\u202f: 2 → 2,5" in french, french


def test_minutes_and_certificate_in_english_hold_no_french(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(session, eval_running, eval_clock)
    gathering = find_gathering(session, eval_running, "point-etape-1")
    assert gathering is not None
    english = minutes_text(session, eval_running, gathering, "en")
    assert english.startswith("# Minutes — ") and "## People present" in english and "(by Friday 2 April 2027)" in english
    assert not FRENCH.findall(_words(english)), FRENCH.findall(_words(english))
    french = minutes_text(session, eval_running, gathering, "fr")
    assert french.startswith("# Compte rendu — ") and "(pour le vendredi 2 avril 2027)" in french
    assert "minutes." not in english + french and "label." not in english + french

    pages: list[str] = []
    monkeypatch.setattr(thanks_module, "pdf_bytes", lambda html: pages.append(html) or b"%PDF")
    awa = people(session, eval_running)["awa"]
    certificate_pdf(session, eval_running, awa, "en")
    certificate_pdf(session, eval_running, awa, "fr")
    english_page, french_page = pages
    assert "Certificate of participation" in english_page and "1 meeting attended" in english_page
    assert "1 proposal made, 1 of them adopted or adapted" in english_page
    assert not FRENCH.findall(_words(english_page)), FRENCH.findall(_words(english_page))
    assert "Attestation de participation" in french_page
    assert "1 rencontre suivie" in french_page and "1 proposition, dont 1 adoptée ou adaptée" in french_page
    assert "certificate." not in english_page + french_page


def test_the_single_charter_template_writes_english_and_keeps_the_signed_french_text() -> None:
    lines = render_markdown(sample_context(lang="en")).splitlines(True)
    english = "".join(line for line in lines if not line.startswith("| "))  # the signers' table: names
    assert english.startswith("# Charter of engagement") and "## Who does what" in english
    assert not FRENCH.findall(_words(english)), FRENCH.findall(_words(english))
    assert "charter." not in english


#: The SHA-256 of the French charter of the sample project as the paired templates wrote it before
#: the charter's words moved to the catalogue: a stored version's signatures stay valid only while
#: the same project gives the same bytes.
FRENCH_CHARTER_SHA256 = "90b064420fa6e6014b5c2fff97cad3398f2e063868e3c5d7c39e3da34afcfe4f"


def test_the_french_charter_text_is_the_one_signatures_were_given_to() -> None:
    text = render_markdown(sample_context())
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == FRENCH_CHARTER_SHA256


LABELLED: list[tuple[str, Callable[..., str], list[Any]]] = [
    ("phase", phase_label, list(ProjectPhase)),
    ("step_status", step_status_label, list(StepStatus)),
    ("contribution", kind_label, list(ContributionKind)),
    ("proposal_status", status_label, list(ProposalStatus)),
    ("proposal_source", source_label, list(ProposalSource)),
    ("verdict", verdict_label, list(Verdict)),
    ("indicator_field", field_label, list(TUNABLE)),
]


@pytest.mark.parametrize(("family", "label", "values"), LABELLED, ids=[f for f, _, _ in LABELLED])
def test_every_label_of_every_enumeration_exists_in_both_languages(
    family: str, label: Callable[..., str], values: list[Any]
) -> None:
    for value in values:
        raw = getattr(value, "value", value)
        key = f"label.{family}.{raw}"
        assert locales.has(key), key
        french, english = label(value, "fr"), label(value, "en")
        assert french and english and not french.startswith("label.") and not english.startswith("label.")
        assert french == locales.gettext(key, "fr") and english == locales.gettext(key, "en")
    assert phase_label(ProjectPhase.APRES, "en") == "After" and phase_label("apres", "fr") == "Après"
    table = LabelTable(family, values) if family != "indicator_field" else None
    if table is not None:
        assert table["en"][values[0]] == label(values[0], "en")


def test_units_minutes_statuses_and_the_web_phase_names_come_from_the_catalogue() -> None:
    for unit in IndicatorUnit.__args__:  # type: ignore[attr-defined]
        assert "{value}" in locales.gettext(f"label.unit.{unit}", "fr")
    for status in StepStatus:
        assert locales.has(f"minutes.status.{status.value}")
    catalogue = locales.keys()
    assert not any(key.startswith("phase_") for key in catalogue)  # one home: label.phase.*
    assert not {f"contribution_{kind.value}" for kind in ContributionKind} & catalogue  # label.contribution.*
    assert plans.STATUS_LABELS["fr"][StepStatus.DONE] == "faite"
