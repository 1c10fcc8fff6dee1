"""Charter templates render from typed sample contexts to Markdown, HTML and PDF."""

import hashlib
import io
from datetime import date

import jinja2
import pytest
from pypdf import PdfReader

from charters.context import MemberRow, build_context
from charters.exceptions import CharterRenderError, CharterTemplateMissing
from charters.rendering import (
    VersionStamp,
    available_templates,
    make_environment,
    render_html,
    render_markdown,
    render_pdf,
)
from project_templates import ProjectTemplate
from project_templates.loader import builtin_templates
from project_templates.schema import CharterSection, Text

BUILTIN = {loaded.template.id: loaded.template for loaded in builtin_templates()}
SAMPLE_NAMES = ["Claire Martin", "Karim Benali", "Sophie Leroy", "Awa Diallo", "Jean-Pierre Roux", "Léa Fontaine"]


def sample_members(template: ProjectTemplate) -> list[MemberRow]:
    """One person per role of the template (cycling through sample names)."""
    return [
        MemberRow(person_id=index + 1, name=SAMPLE_NAMES[index % len(SAMPLE_NAMES)], role=role_id)
        for index, role_id in enumerate(template.roles)
    ]


def sample_context(template_id: str = "partenariat-msp", lang: str = "fr", members: list[MemberRow] | None = None):
    template = BUILTIN[template_id]
    return build_context(
        template=template,
        project_name="Accueil en salle d'attente",
        structure="MSP des Tilleuls",
        start=date(2027, 1, 4),
        end=date(2027, 7, 2),
        members=members if members is not None else sample_members(template),
        lang=lang,  # type: ignore[arg-type]
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_both_languages_of_the_default_charter_exist():
    assert ("charte-engagement", "fr") in available_templates()
    assert ("charte-engagement", "en") in available_templates()


@pytest.mark.parametrize("project_template", sorted(BUILTIN))
@pytest.mark.parametrize(("charter_id", "lang"), available_templates())
def test_every_charter_template_renders_in_md_html_and_pdf(project_template, charter_id, lang):
    context = sample_context(project_template, lang)
    text = render_markdown(context, charter_id)
    digest = hashlib.sha256(text.encode()).hexdigest()
    page = render_html(text, lang=lang, title=context.project_name, stamp=VersionStamp(3, digest, date(2026, 11, 24)))
    pdf = render_pdf(page)

    assert text.startswith("# ")
    assert page.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in page and digest in page
    assert pdf.startswith(b"%PDF-")
    extracted = pdf_text(pdf)
    for partner in context.partners:
        assert partner.name in text
        assert partner.name in extracted, partner.name
    assert digest in extracted
    assert (
        "Version 3 du mardi 24 novembre 2026" if lang == "fr" else "Version 3 of Tuesday 24 November 2026"
    ) in extracted


def test_french_charter_states_values_roles_limits_withdrawal_and_data():
    text = render_markdown(sample_context())
    for words in (
        "du lundi 4 janvier 2027 au vendredi 2 juillet 2027",
        "L'écoute",
        "La bienveillance",
        "Le non-jugement",
        "La confidentialité",
        "La reconnaissance mutuelle des savoirs",
        "Comment nous décidons",
        "Un point d'étape toutes les quatre semaines",
        "remboursés sur justificatif",
        "aucune conséquence sur les soins",
        "RGPD",
        "adressez-vous à la coordination du projet :\nClaire Martin.",
    ):
        assert words in text, words
    limits = BUILTIN["partenariat-msp"].roles["patient-partenaire"].limits
    assert limits is not None
    assert f"**Ce que ce rôle ne fait pas** : {limits.fr.strip()}" in text
    assert "**Ce que fait ce rôle** : Apporte son savoir expérientiel" in text


def test_english_charter_is_in_english():
    text = render_markdown(sample_context(lang="en"))
    assert "# Charter of engagement" in text
    assert "from Monday 4 January 2027 to Friday 2 July 2027" in text
    assert "no effect on the care" in text
    assert "Ce que" not in text


def test_roles_without_anyone_are_left_out_and_signers_are_listed_in_the_signature_table():
    members = [
        MemberRow(person_id=1, name="Claire Martin", role="coordination"),
        MemberRow(person_id=2, name="Awa Diallo", role="patient-partenaire"),
        MemberRow(person_id=2, name="Awa Diallo", role="representant-usagers"),
        MemberRow(person_id=3, name="Léa Fontaine", role="facilitation"),
    ]
    context = sample_context(members=members)
    text = render_markdown(context)
    assert "### Professionnel·le de santé" not in text
    assert "| Awa Diallo | Patiente, patient, aidante ou aidant partenaire, Représentante ou représentant des usagers (RU) | | |" in text
    assert "| Léa Fontaine |" not in text  # the facilitator's role does not sign
    assert [p.name for p in context.signers] == ["Claire Martin", "Awa Diallo"]


def test_template_sections_replace_or_add_to_the_charters_own():
    base = BUILTIN["partenariat-msp"]
    charter = base.charter.model_copy(
        update={
            "sections": {
                "valeurs": CharterSection(title=Text(fr="Nos valeurs"), body=Text(fr="Respect, écoute et humour.")),
                "image": CharterSection(
                    title=Text(fr="Droit à l'image"), body=Text(fr="Aucune photo sans accord écrit.")
                ),
            }
        }
    )
    template = base.model_copy(update={"charter": charter})
    context = build_context(
        template=template,
        project_name="ICOPE sur le marché",
        structure="MSP de Valras-Plage",
        start=date(2027, 3, 1),
        end=date(2027, 9, 30),
        members=sample_members(template),
    )
    text = render_markdown(context)
    assert "## Nos valeurs\n\nRespect, écoute et humour." in text
    assert "Nos valeurs communes" not in text
    assert text.index("## Droit à l'image") < text.index("## Contacts")


def test_rendering_is_stable_and_normalised():
    first = render_markdown(sample_context())
    assert first == render_markdown(sample_context())
    assert "\n\n\n" not in first
    assert first.endswith("|\n") and not first.endswith("\n\n")
    assert all(line == line.rstrip() for line in first.splitlines())


def test_a_missing_value_is_an_error_naming_it():
    env = make_environment(jinja2.DictLoader({"brouillon.fr.md.j2": "# {{ project_name }} {{ projet_nom }}\n"}))
    with pytest.raises(CharterRenderError, match="projet_nom"):
        render_markdown(sample_context(), "brouillon", env=env)


def test_an_unknown_charter_template_is_named_with_the_available_ones():
    with pytest.raises(CharterTemplateMissing, match=r"« charte-inconnue ».*charte-engagement \(fr\)"):
        render_markdown(sample_context(), "charte-inconnue")


def test_html_never_runs_markup_from_names_and_pipes_stay_inside_their_cell():
    members = [MemberRow(person_id=1, name="<script>alert(1)</script> | Zoé", role="coordination")]
    text = render_markdown(sample_context(members=members))
    page = render_html(text, lang="fr", title="<b>x</b>", stamp=VersionStamp(1, "0" * 64, date(2026, 11, 24)))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>Charte d'engagement — &lt;b&gt;x&lt;/b&gt;</title>" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt; | Zoé</td>" in page


def test_version_stamp_dates_a_version_in_paris() -> None:
    from datetime import UTC, datetime

    from store.models import CharterVersion

    late_evening = CharterVersion(
        project_id=1, number=2, template="charte-engagement", language="fr", text="x\n", sha256="a" * 64,
        created_by="test", created_at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
    )
    assert VersionStamp.of(late_evening) == VersionStamp(2, "a" * 64, date(2026, 11, 25))
