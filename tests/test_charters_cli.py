"""``cocon charter`` driven end to end against a real SQLite file."""

import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from charters.signing import token_hash
from cocon.cli.charter import app as charter_app
from store.models import AuditEvent, SigningToken
from tests.factories import make_project
from tests.test_charters_signing import PATIENT_DESCRIPTION, change_template_text, small_project

LINK = re.compile(r"^/charte/signer/([A-Za-z0-9_-]{43,})$", re.MULTILINE)


def sqlite_path(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


def charter_step_status(cli) -> str:
    """The status of the plan's ``charte`` step, as ``cocon plan show --format json`` gives it."""
    steps = json.loads(cli("plan", "show", "accueil", "--format", "json").output)
    (status,) = [step["status"] for step in steps if step["key"] == "charte"]
    return status


def test_render_writes_markdown_html_and_pdf_with_the_version_hash(cli, session, tmp_path):
    make_project(session, slug="accueil")
    md = cli("charter", "render", "accueil")
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# Charte d'engagement\n")

    status = json.loads(cli("charter", "status", "accueil", "--json").output)
    digest = status["sha256"]

    html_file, pdf_file = tmp_path / "charte.html", tmp_path / "charte.pdf"
    html = cli("charter", "render", "accueil", "--format", "html", "--output", str(html_file))
    assert html.exit_code == 0 and f"version 1, écrite dans {html_file}" in html.output
    assert digest in html_file.read_text()
    pdf = cli("charter", "render", "accueil", "--format", "pdf", "-o", str(pdf_file))
    assert pdf.exit_code == 0, pdf.output
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_file.read_bytes())).pages).split())
    for name in ("Claire Martin", "Karim Benali", "Sophie Leroy", "Awa Diallo", "Jean-Pierre Roux"):
        assert name in text
    assert digest in text

    english = cli("charter", "render", "accueil", "--lang", "en")
    assert english.output.startswith("# Charter of engagement\n")


def test_sign_status_change_diff_end_to_end(cli, session):
    project, _, _ = small_project(session)
    assert cli("charter", "sign", "accueil", "--person", "claire@accueil.example.org").exit_code == 0
    second = cli("charter", "sign", "accueil", "--person", "Awa Diallo", "--method", "paper", "--version", "1")
    assert second.exit_code == 0
    assert "Signature de Awa Diallo enregistrée pour la version 1 (papier)." in second.output
    assert "l'étape charte est faite" in second.output
    assert charter_step_status(cli) == "done"

    change_template_text(
        session,
        project,
        PATIENT_DESCRIPTION,
        "Apporte son savoir expérientiel et relit les documents destinés aux patients.",
    )
    status = cli("charter", "status", "accueil")
    assert status.exit_code == 0
    assert "version 2" in status.output
    assert status.output.count("a signé une version antérieure (version 1)") == 2
    assert "Des signatures manquent encore" in status.output
    data = json.loads(cli("charter", "status", "accueil", "--json").output)
    assert [s["state"] for s in data["signers"]] == ["outdated", "outdated"] and data["complete"] is False
    assert charter_step_status(cli) == "planned"

    diff = cli("charter", "diff", "accueil")
    assert diff.exit_code == 0
    assert diff.output.startswith("--- version 1 (")
    assert f"-- **Ce que fait ce rôle** : {PATIENT_DESCRIPTION}" in diff.output
    assert "+- **Ce que fait ce rôle** : Apporte son savoir expérientiel et relit" in diff.output
    assert cli("charter", "diff", "accueil", "--from", "1", "--to", "2").output == diff.output
    missing = cli("charter", "diff", "accueil", "--from", "1", "--to", "7")
    assert missing.exit_code == 1 and "Pas de version 7" in missing.output and "de 1 à 2" in missing.output


def test_link_prints_the_path_once_and_keeps_only_its_hash(cli, session, db_url):
    small_project(session)
    result = cli("charter", "link", "accueil", "--person", "awa@accueil.example.org")
    assert result.exit_code == 0
    match = LINK.search(result.output)
    assert match, result.output
    token = match.group(1)
    assert "valable jusqu'au" in result.output
    session.expire_all()
    (row,) = session.exec(select(SigningToken)).all()
    assert row.token_hash == token_hash(token)
    assert token not in json.dumps([e.details for e in session.exec(select(AuditEvent))])
    with sqlite3.connect(sqlite_path(db_url)) as raw:
        assert token not in "\n".join(raw.iterdump())


def test_verify_passes_then_names_a_charter_text_edited_in_sqlite(cli, session, db_url):
    small_project(session)
    cli("charter", "sign", "accueil", "--person", "claire@accueil.example.org")
    ok = cli("charter", "verify", "accueil")
    assert ok.exit_code == 0 and "intacte : 1 version et" in ok.output

    with sqlite3.connect(sqlite_path(db_url)) as raw:
        raw.execute(
            "UPDATE charter_version SET text = replace(text, 'Le non-jugement', 'Le jugement') WHERE number = 1"
        )
    tampered = cli("charter", "verify", "accueil")
    assert tampered.exit_code == 1
    assert (
        "charter_version n°1 : version 1 (fr) : le texte enregistré ne correspond plus à son empreinte"
        in tampered.output
    )
    assert "modifiée en dehors de Cocon : 1 problème." in tampered.output
    assert "Traceback" not in tampered.output
    for command in (("render", "accueil"), ("status", "accueil"), ("sign", "accueil", "--person", "Awa Diallo")):
        refused = cli("charter", *command)
        assert refused.exit_code == 1, command
        assert "Le texte enregistré de la version 1 de la charte a été modifié hors de Cocon" in refused.output


def test_verify_names_a_text_edited_with_its_hash_and_an_edited_signature(cli, session, db_url):
    small_project(session)
    cli("charter", "sign", "accueil", "--person", "claire@accueil.example.org")
    with sqlite3.connect(sqlite_path(db_url)) as raw:
        raw.create_function("sha256hex", 1, lambda text: hashlib.sha256(text.encode()).hexdigest())
        raw.execute(
            "UPDATE charter_version SET text = replace(text, 'RGPD', 'rien'), "
            "sha256 = sha256hex(replace(text, 'RGPD', 'rien')) WHERE number = 1"
        )
    result = cli("charter", "verify", "accueil")
    assert result.exit_code == 1
    assert "version 1 (fr) : l'empreinte enregistrée diffère de celle du journal d'audit." in result.output
    assert "signature de Claire Martin sur la version 1 (fr) : modifiée après coup" in result.output
    assert "2 problèmes" in result.output


def test_verify_names_a_signature_moved_in_time(cli, session, db_url):
    small_project(session)
    cli("charter", "sign", "accueil", "--person", "awa@accueil.example.org")
    with sqlite3.connect(sqlite_path(db_url)) as raw:
        raw.execute("UPDATE charter_signature SET signed_at = '2020-01-01 00:00:00.000000'")
    result = cli("charter", "verify", "accueil")
    assert result.exit_code == 1
    assert (
        "charter_signature n°1 : signature de Awa Diallo sur la version 1 (fr) : modifiée après coup" in result.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("charter", "status", "inconnu"), "Aucun projet « inconnu »."),
        (("charter", "render", "accueil", "--format", "docx"), "Format « docx » inconnu : md, html ou pdf."),
        (("charter", "render", "accueil", "--lang", "de"), "Langue « de » inconnue : fr ou en."),
        (
            ("charter", "sign", "accueil", "--person", "personne@example.org"),
            "Personne « personne@example.org » introuvable",
        ),
        (("charter", "sign", "accueil", "--person", "Awa Diallo", "--method", "link"), "cocon charter link"),
        (("charter", "diff", "accueil", "--from", "3"), "Pas de version 3"),
        (
            ("charter", "sign", "accueil", "--person", "Awa Diallo", "--version", "2"),
            "La version actuelle de la charte est la 1, pas la 2",
        ),
    ],
)
def test_bad_input_gives_one_french_sentence_and_exit_1(cli, session, args, message):
    small_project(session)
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_signing_twice_from_the_cli_says_so(cli, session):
    small_project(session)
    cli("charter", "sign", "accueil", "--person", "Awa Diallo")
    again = cli("charter", "sign", "accueil", "--person", "Awa Diallo")
    assert again.exit_code == 1 and "Awa Diallo a déjà signé la version 1 de la charte." in again.output


def test_every_charter_command_is_documented_with_an_example(cli):
    commands = {c.name for c in charter_app.registered_commands}
    assert commands == {"render", "status", "sign", "link", "diff", "verify"}
    for command in sorted(commands):
        result = cli("charter", command, "--help")  # French by default
        assert result.exit_code == 0
        assert "Exemple : cocon charter " + command in " ".join(result.output.split()), command
        english = cli("charter", command, "--help", env={"COCON_LANG": "en"})
        assert "Example: cocon charter " + command in " ".join(english.output.split()), command


def test_charter_cli_actions_reach_the_audit_log(cli, session):
    small_project(session)
    cli("charter", "render", "accueil")
    cli("charter", "sign", "accueil", "--person", "Awa Diallo")
    cli("charter", "verify", "accueil")
    session.expire_all()
    actions = [e.action for e in session.exec(select(AuditEvent)) if e.action.startswith("charter.")]
    assert actions == ["charter.version_created", "charter.rendered", "charter.signed", "charter.verified"]
    assert all(e.actor == "test" for e in session.exec(select(AuditEvent)) if e.action.startswith("charter."))


def test_link_is_a_full_address_when_the_public_address_is_known(cli, session, monkeypatch):
    small_project(session)
    monkeypatch.setenv("COCON_BASE_URL", "https://cocon.msp-tilleuls.example/")
    result = cli("charter", "link", "accueil", "--person", "awa@accueil.example.org")
    assert result.exit_code == 0, result.output
    assert "https://cocon.msp-tilleuls.example/charte/signer/" in result.output
