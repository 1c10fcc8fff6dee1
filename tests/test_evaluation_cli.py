"""The après commands from the terminal: restitution, evaluate, thank, certificate."""

from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from sqlmodel import Session, select

from store.models import OutboxMessage, Project, ProjectPhase


def test_restitution_evaluate_thank_and_certificate(
    cli, session: Session, eval_running: Project, eval_clock: Callable[[str], None], tmp_path: Path
) -> None:
    slug = eval_running.slug
    assert (
        cli("contribution", "add", slug, "-p", "awa@example.org", "--date", "2027-03-22", "--hours", "2").exit_code == 0
    )
    assert cli("proposal", "add", slug, "-p", "awa@example.org", "--text", "Affiche en gros caractères").exit_code == 0
    assert cli("proposal", "decide", slug, "1", "--status", "adoptee").exit_code == 0

    eval_clock("2027-06-25T18:30")
    recorded = cli(
        "restitution",
        "record",
        slug,
        "--date",
        "2027-06-25",
        "-a",
        "claire@example.org",
        "-a",
        "awa@example.org",
        "--presented",
        "Les résultats",
        "--discussion",
        "Envie de continuer",
    )
    assert recorded.exit_code == 0, recorded.output
    again = cli("restitution", "record", slug, "-a", "1", "--presented", "x")
    assert again.exit_code == 1 and "déjà enregistrée" in again.output

    evaluated = cli("evaluate", slug, "--output", str(tmp_path), "--json")
    assert evaluated.exit_code == 0, evaluated.output
    assert '"heures-contribuees": 2.0' in evaluated.output
    html = next(tmp_path.glob("evaluation-*.html")).read_text(encoding="utf-8")
    assert "Les résultats" in html and "Envie de continuer" in html
    assert PdfReader(next(tmp_path.glob("evaluation-*.pdf"))).pages

    preview = cli("thank", slug, "--dry-run")
    assert preview.exit_code == 0
    assert "--- Awa Diallo — Merci, Awa Diallo" in preview.output
    assert "«\u202fAffiche en gros caractères\u202f»\u202f: adoptée" in preview.output and "2\u202fh de votre temps" in preview.output
    assert "vous avez fait 1 proposition. Voici ce qu'elle est devenue\u202f:\n" in preview.output
    assert session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "thanks")).all() == []

    refused_thanks = cli("thank", slug, "--queue-only", "--no-report")
    assert refused_thanks.exit_code == 1 and "phase « après »" in refused_thanks.output
    eval_running.phase = ProjectPhase.APRES
    session.add(eval_running)
    session.commit()
    queued = cli("thank", slug, "--queue-only", "--no-report")
    assert queued.exit_code == 0 and "4 remerciements préparés sur 4" in queued.output
    assert "0 remerciement préparé sur 4" in cli("thank", slug, "--queue-only", "--no-report").output

    certificate = tmp_path / "attestation.pdf"
    made = cli("certificate", slug, "--person", "awa@example.org", "--output", str(certificate))
    assert made.exit_code == 0
    text = "".join(page.extract_text() for page in PdfReader(certificate).pages)
    assert "Attestation de participation" in text and "Awa Diallo" in text and "2\u202fh" in text
    assert "(s)" not in text and "1 proposition, dont 1 adoptée ou adaptée" in " ".join(text.split())
    refused = cli("certificate", slug, "--person", "karim@example.org", "--output", str(tmp_path / "k.pdf"))
    assert refused.exit_code == 1 and "partenaires bénévoles" in refused.output


def test_contribution_list_writes_hours_the_french_way(cli, eval_running: Project) -> None:
    slug = eval_running.slug
    added = cli("contribution", "add", slug, "-p", "awa@example.org", "--date", "2027-03-22", "--hours", "2.5",
                "--amount", "12,40")
    assert added.exit_code == 0, added.output
    listed = cli("contribution", "list", slug)
    assert listed.exit_code == 0, listed.output
    assert "2,5\u202fh" in listed.output and "2.5\u202fh" not in listed.output
    assert "Total : 2,5\u202fh, frais 12,40\u202f€" in listed.output


def test_numbers_are_typed_with_a_french_comma_or_a_point(cli, eval_running: Project) -> None:
    slug = eval_running.slug
    comma = cli("contribution", "add", slug, "-p", "awa@example.org", "--date", "2027-03-22", "--hours", "2,5")
    assert comma.exit_code == 0, comma.output
    for bad in ("deux", "nan", "inf", "2,5,1"):
        refused = cli("contribution", "add", slug, "-p", "awa@example.org", "--hours", bad)
        assert refused.exit_code == 1 and "n'est pas un nombre" in refused.output, refused.output
        assert "Invalid value" not in refused.output and "Traceback" not in refused.output
    english = cli("contribution", "add", slug, "-p", "awa@example.org", "--hours", "x", env={"COCON_LANG": "en"})
    assert english.exit_code == 1 and "is not a number" in english.output
    listed = cli("contribution", "list", slug, "--json")
    assert '"hours": 2.5' in listed.output
