"""Versions, signatures and signing links against a real SQLite file."""

import hashlib
import json
import secrets
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from charters.exceptions import (
    AlreadySigned,
    ForeignSigningToken,
    NotAMember,
    OutdatedSigningToken,
    SigningTokenExpired,
    SigningTokenUsed,
    UnknownSigningToken,
)
from charters.signing import (
    SignerState,
    charter_status,
    check_signing_token,
    create_signing_link,
    redeem_signing_token,
    sign_on_paper,
    signing_path,
    token_hash,
)
from charters.steps import charter_steps
from charters.versions import all_versions, diff_versions, refresh_version
from store.audit import events
from store.clock import now
from store.db import session_scope
from store.models import AuditEvent, Person, Project, SignatureMethod, SigningToken, StepStatus, TemplateRecord
from store.people import add_person, find_member
from tests.factories import make_project

PATIENT_DESCRIPTION = "Apporte son savoir expérientiel, donne son avis, propose et co-construit les actions."


def change_template_text(session: Session, project: Project, old: str, new: str) -> None:
    """The project now follows an edited copy of its template (e.g. a role's description changed)."""
    record = session.get(TemplateRecord, project.template_record_id)
    assert record is not None and old in record.content
    content = record.content.replace(old, new)
    edited = TemplateRecord(
        template_id=record.template_id,
        version=record.version,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        content=content,
        source=record.source,
    )
    session.add(edited)
    session.flush()
    assert edited.id is not None
    project.template_record_id = edited.id
    session.add(project)
    session.commit()


def small_project(session: Session, slug: str = "accueil") -> tuple[Project, Person, Person]:
    """A project with two required signers: the coordinator and a patient partner."""
    project = make_project(session, slug=slug, with_people=False)
    claire = add_person(
        session, project, name="Claire Martin", role="coordination", email=f"claire@{slug}.example.org", actor="test"
    )
    awa = add_person(
        session, project, name="Awa Diallo", role="patient-partenaire", email=f"awa@{slug}.example.org", actor="test"
    )
    session.commit()
    return project, claire, awa


def charter_step_status(session: Session, project: Project) -> StepStatus:
    (step,) = charter_steps(session, project)
    session.refresh(step)
    return step.status


def test_rendering_again_without_change_keeps_the_same_version(session):
    project, _, _ = small_project(session)
    first = refresh_version(session, project, actor="test")
    again = refresh_version(session, project, actor="test")
    assert first.created and not again.created
    assert again.version.id == first.version.id and again.version.number == 1
    assert first.version.sha256 == hashlib.sha256(first.version.text.encode()).hexdigest()
    assert len(events(session, project_id=project.id, action="charter.version_created")) == 1


def test_step_is_done_once_every_required_signer_signed_the_current_version(session):
    project, claire, awa = small_project(session)
    sign_on_paper(session, project, claire, actor="test")
    assert charter_step_status(session, project) == StepStatus.PLANNED
    sign_on_paper(session, project, awa, actor="test")
    assert charter_step_status(session, project) == StepStatus.DONE
    assert charter_status(session, project, actor="test").complete


def test_changing_a_role_description_after_two_signatures_makes_both_outdated(session):
    project, claire, awa = small_project(session)
    sign_on_paper(session, project, claire, actor="test")
    sign_on_paper(session, project, awa, actor="test")
    assert charter_step_status(session, project) == StepStatus.DONE

    change_template_text(
        session,
        project,
        PATIENT_DESCRIPTION,
        "Apporte son savoir expérientiel et relit les documents destinés aux patients.",
    )
    report = charter_status(session, project, actor="test")

    assert report.version == 2
    assert [(s.name, s.state, s.version) for s in report.signers] == [
        ("Claire Martin", SignerState.OUTDATED, 1),
        ("Awa Diallo", SignerState.OUTDATED, 1),
    ]
    assert report.signers[1].describe() == "a signé une version antérieure (version 1) : doit signer à nouveau"
    assert report.signers[1].describe("en") == "signed an earlier version (version 1): must sign again"
    assert not report.complete
    assert charter_step_status(session, project) == StepStatus.PLANNED
    old, new = all_versions(session, project)
    diff = diff_versions(old, new)
    assert f"-- **Ce que fait ce rôle** : {PATIENT_DESCRIPTION}" in diff
    assert (
        "+- **Ce que fait ce rôle** : Apporte son savoir expérientiel et relit les documents destinés aux patients."
        in diff
    )

    sign_on_paper(session, project, claire, actor="test")
    sign_on_paper(session, project, awa, actor="test")
    assert charter_step_status(session, project) == StepStatus.DONE


def test_a_new_partner_changes_the_charter(session):
    project, claire, _ = small_project(session)
    sign_on_paper(session, project, claire, actor="test")
    add_person(session, project, name="Karim Benali", role="professionnel", email="karim@example.org", actor="test")
    report = charter_status(session, project, actor="test")
    assert report.version == 2
    assert {s.name: s.state for s in report.signers} == {
        "Claire Martin": SignerState.OUTDATED,
        "Awa Diallo": SignerState.MISSING,
        "Karim Benali": SignerState.MISSING,
    }


def test_signing_twice_or_from_outside_the_project_is_refused(session):
    project, claire, _ = small_project(session)
    _, stranger, _ = small_project(session, slug="autre")
    sign_on_paper(session, project, claire, actor="test")
    with pytest.raises(AlreadySigned, match="Claire Martin a déjà signé la version 1"):
        sign_on_paper(session, project, claire, actor="test")
    with pytest.raises(NotAMember, match="ne fait pas partie du projet « accueil »"):
        sign_on_paper(session, project, stranger, actor="test")


def test_a_signing_link_signs_once_by_link(session):
    project, _, awa = small_project(session)
    token = create_signing_link(session, project, awa, actor="test")
    session.commit()
    assert len(token) >= 43  # 32 random bytes: 256 bits, above the 128 required
    assert signing_path(token) == f"/charte/signer/{token}"

    signature = redeem_signing_token(session, token, project_slug="accueil")
    session.commit()
    assert signature.method == SignatureMethod.LINK and signature.person_id == awa.id
    assert signature.recorded_by == f"person:{awa.id}"

    with pytest.raises(SigningTokenUsed, match="déjà servi"):
        redeem_signing_token(session, token)


def test_an_expired_link_is_refused(session, monkeypatch):
    project, _, awa = small_project(session)
    monkeypatch.setenv("COCON_NOW", "2026-11-24T10:00")
    token = create_signing_link(session, project, awa, actor="test")
    session.commit()
    monkeypatch.setenv("COCON_NOW", "2026-12-24T09:59")  # 29 days 23 h later: still valid
    assert check_signing_token(session, token).person.id == awa.id
    monkeypatch.setenv("COCON_NOW", "2026-12-24T10:01")
    with pytest.raises(SigningTokenExpired, match="a expiré"):
        redeem_signing_token(session, token)


def test_a_link_for_another_project_is_refused(session):
    project, _, awa = small_project(session)
    small_project(session, slug="autre")
    token = create_signing_link(session, project, awa, actor="test")
    session.commit()
    with pytest.raises(ForeignSigningToken, match="autre projet"):
        redeem_signing_token(session, token, project_slug="autre")
    assert redeem_signing_token(session, token, project_slug="accueil").person_id == awa.id


def test_a_random_guess_is_refused(session):
    small_project(session)
    with pytest.raises(UnknownSigningToken, match="n'existe pas"):
        redeem_signing_token(session, secrets.token_urlsafe(32))


def test_a_link_issued_before_the_charter_changed_is_refused(session):
    project, _, awa = small_project(session)
    token = create_signing_link(session, project, awa, actor="test")
    session.commit()
    change_template_text(session, project, PATIENT_DESCRIPTION, "Apporte son savoir expérientiel.")
    with pytest.raises(OutdatedSigningToken, match="La charte a changé"):
        redeem_signing_token(session, token)


def test_every_refusal_is_audited_and_survives_the_callers_rollback(db_url, session):
    project, _, awa = small_project(session)
    small_project(session, slug="autre")
    used = create_signing_link(session, project, awa, actor="test")
    foreign = create_signing_link(session, project, awa, actor="test")
    expired = create_signing_link(session, project, awa, actor="test", valid_for=timedelta(seconds=-1))
    session.commit()
    redeem_signing_token(session, used)
    session.commit()

    attempts = [(used, None), (foreign, "autre"), (expired, None), (secrets.token_urlsafe(32), None)]
    for token, slug in attempts:
        with pytest.raises(Exception), session_scope(db_url) as web:  # noqa: B017 - each raises its own kind
            redeem_signing_token(web, token, project_slug=slug)

    session.expire_all()
    refused = events(session, action="charter.link_refused")
    # An unknown (random) token names no project: it writes nothing, however often it is tried.
    assert [e.details["reason"] for e in refused] == ["used", "foreign", "expired"]
    assert refused[1].details["presented_for"] == "autre"
    assert refused[0].person_id == awa.id


def test_only_token_hashes_are_stored(db_url, session):
    project, claire, awa = small_project(session)
    tokens = [create_signing_link(session, project, person, actor="test") for person in (claire, awa)]
    session.commit()
    redeem_signing_token(session, tokens[0])
    session.commit()

    path = Path(db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT token_hash FROM signing_token ORDER BY id").fetchall()
        tables = [name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dump = "\n".join(raw.iterdump())
    assert [r[0] for r in rows] == [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
    assert [r[0] for r in rows] == [token_hash(t) for t in tokens]
    assert "signing_token" in tables
    for token in tokens:
        assert token not in dump
        for file in path.parent.glob(path.name + "*"):
            assert token.encode() not in file.read_bytes(), file.name
    audit_json = json.dumps([e.details for e in session.exec(select(AuditEvent))])
    assert all(token not in audit_json for token in tokens)
    stored = session.exec(select(SigningToken)).all()
    assert len(stored) == 2 and stored[0].used_at is not None and stored[1].used_at is None


def test_status_lists_who_signed_which_version_and_who_has_not(session):
    project = make_project(session, slug="complet")
    claire = find_member(session, project, "claire@example.org")
    sign_on_paper(session, project, claire, actor="coordination")
    report = charter_status(session, project, actor="test")
    rows = {s.name: s for s in report.signers}
    assert rows["Claire Martin"].state == SignerState.SIGNED
    assert rows["Claire Martin"].describe().startswith("a signé la version 1 le ")
    assert rows["Claire Martin"].describe().endswith("(sur papier)")
    assert rows["Awa Diallo"].describe() == "n'a pas encore signé"
    assert all(s.required for s in report.signers)
    data = report.as_json()
    assert data["complete"] is False and data["version"] == 1 and len(data["sha256"]) == 64
    assert "email" not in json.dumps(data)


def test_charter_actions_are_audited(session):
    project, claire, awa = small_project(session)
    sign_on_paper(session, project, claire, actor="coordination")
    create_signing_link(session, project, awa, actor="coordination")
    actions = [e.action for e in events(session, project_id=project.id) if e.action.startswith("charter.")]
    assert actions == ["charter.version_created", "charter.signed", "charter.link_created"]
    signed = events(session, project_id=project.id, action="charter.signed")[0]
    assert signed.person_id == claire.id and signed.details["method"] == "paper" and signed.details["version"] == 1
    assert now() - signed.at < timedelta(minutes=1)
