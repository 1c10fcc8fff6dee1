"""After signing the charter, the signer receives it: an email through the outbox, with the
signed copy attached (a PDF listing the signatures collected so far), read from a real SMTP server."""

import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from charters.signing import create_signing_link, sign_on_paper
from store.db import session_scope
from store.models import CharterSignature, Occasion, OutboxMessage, OutboxState
from store.people import get_person, members
from store.projects import get_project
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import COORDINATOR, WebWorld, csrf_of, log_in


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_signing_by_link_then_by_account_sends_the_signed_copy_listing_the_signatures(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COCON_NOW", "2026-12-01T21:30")  # evening: asked for by signing, it leaves anyway
    with session_scope(db_url) as session:
        project = get_project(session, web_world.slug_a)
        awa = get_person(session, web_world.partner_a)
        karim = next(p for p, _ in members(session, project) if p.name == "Karim Benali")
        sign_on_paper(session, project, karim, actor="test")
        token = create_signing_link(session, project, awa, actor="test")

    signed = client.post(f"/charte/signer/{token}", data={"csrf_token": csrf_of(client, f"/charte/signer/{token}")})
    assert signed.status_code == 200, signed.text
    mails = smtp_sink.to("awa@example.org")
    assert len(mails) == 1, "the confirmation leaves after the response, without waiting for a cycle"
    mail = mails[0]
    assert mail.subject == "Charte signée : Accueil en salle d'attente"
    assert "2 sur 5 attendues" in mail.text()
    assert mail.message["List-Unsubscribe"] is not None
    [(name, data)] = mail.attachments().items()
    assert name == f"charte-signee-{web_world.slug_a}-v1.pdf" and data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "Signatures recueillies au mardi 1er décembre 2026" in text
    collected = text.split("Signatures recueillies")[1]  # the charter's own table names every signer
    assert "Awa Diallo" in collected and "Karim Benali" in collected and "Sophie Leroy" not in collected
    assert "par lien" in collected and "sur papier" in collected
    assert "2 signatures sur 5 attendues" in collected
    assert "@" not in collected  # no email address in the list

    # Claire signs while logged in: her copy lists the three signatures.
    log_in(client)
    response = client.post(f"/projets/{web_world.slug_a}/charte/signer",
                           data={"csrf_token": csrf_of(client, f"/projets/{web_world.slug_a}/charte")})
    assert response.status_code == 303
    [claire] = smtp_sink.to(COORDINATOR)
    later = pdf_text(next(iter(claire.attachments().values())), tmp_path)
    assert "3 signatures sur 5 attendues" in later
    later = later.split("Signatures recueillies")[1]
    assert all(name in later for name in ("Awa Diallo", "Karim Benali", "Claire Martin"))
    assert "Sophie Leroy" not in later
    with session_scope(db_url) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == Occasion.CHARTER_SIGNED)).all()
        assert [r.state for r in rows] == [OutboxState.SENT, OutboxState.SENT]
        assert all(r.attachments is None and r.text is None for r in rows)  # the outbox forgets what it sent


def test_the_confirmation_speaks_the_signers_language(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink
) -> None:
    with session_scope(db_url) as session:
        project = get_project(session, web_world.slug_a)
        awa = get_person(session, web_world.partner_a)
        awa.language = "en"
        session.add(awa)
        token = create_signing_link(session, project, awa, actor="test")
    client.post(f"/charte/signer/{token}", data={"csrf_token": csrf_of(client, f"/charte/signer/{token}")})
    [mail] = smtp_sink.to("awa@example.org")
    assert mail.subject == "Charter signed: Accueil en salle d'attente"
    assert "1 out of 5 expected" in mail.text()



def test_a_signature_stands_when_its_copy_cannot_be_made(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import notifications.charter_confirmation as confirmation

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("pango introuvable")

    monkeypatch.setattr(confirmation, "signed_copy", broken)  # the PDF engine fails on this machine
    with session_scope(db_url) as session:
        project = get_project(session, web_world.slug_a)
        token = create_signing_link(session, project, get_person(session, web_world.partner_a), actor="test")
    signed = client.post(f"/charte/signer/{token}", data={"csrf_token": csrf_of(client, f"/charte/signer/{token}")})
    assert signed.status_code == 200 and "votre signature" in signed.text
    with session_scope(db_url) as session:
        assert session.exec(select(CharterSignature)).one().person_id == web_world.partner_a
        assert session.exec(select(OutboxMessage).where(OutboxMessage.occasion == Occasion.CHARTER_SIGNED)).all() == []
    assert smtp_sink.to("awa@example.org") == []
    assert "OSError" in caplog.text and "pango" not in caplog.text
