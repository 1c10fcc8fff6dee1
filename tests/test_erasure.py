"""After `cocon person erase`, the name and contacts survive nowhere in the database file
(issue 14, item 8), and `cocon charter verify` still passes (the redaction is in the audit)."""

from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from charters.signing import sign_on_paper
from charters.versions import refresh_version
from evaluation.contributions import add_contribution
from evaluation.proposals import add_proposal
from notifications import queue
from store.models import ContributionKind, OutboxMessage, OutboxState, Person, ProposalSource
from store.people import add_person
from tests.factories import make_project

NAME = "Awa [Diallo](https://x.example)"
EMAIL = "awa.diallo@example.org"
PHONE = "+33612345678"


def test_erase_leaves_name_and_contacts_nowhere_in_the_file(session: Session, cli: Any, db_url: str) -> None:
    project = make_project(session, slug="accueil", with_people=False)
    awa = add_person(session, project, name=NAME, role="patient-partenaire", email=EMAIL, phone=PHONE, actor="test")
    karim = add_person(session, project, name="Karim Benali", role="coordination", email="k@example.org", actor="test")
    refresh_version(session, project, actor="test")
    sign_on_paper(session, project, awa, actor="test")
    assert project.id is not None and awa.id is not None
    for person, subject in ((awa, f"Bonjour {NAME}"), (karim, f"{NAME} n'a pas signé ({EMAIL})")):
        message = queue.enqueue(
            session, project_id=project.id, person_id=person.id, occasion="charter-unsigned", about=f"t:{person.id}",
            due_on=date(2027, 1, 4), subject=subject, text=f"{subject}\nAppeler {NAME} au {PHONE}.",
        )
        assert message is not None
        message.state = OutboxState.FAILED
        session.add(message)
    add_proposal(session, project, awa, text=f"Idée de {NAME} : un affichage", source=ProposalSource.MEETING, actor="t")
    add_contribution(session, project, awa, on=date(2027, 1, 4), kind=ContributionKind.MEETING, hours=2,
                     description=f"Réunion avec {NAME}", actor="t")
    session.commit()
    assert cli("charter", "verify", "accueil").exit_code == 0

    result = cli("person", "erase", str(awa.id), "--yes")
    assert result.exit_code == 0, result.output

    path = Path(db_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in ("Awa", "Diallo", EMAIL, PHONE, "awa.diallo"):
        assert secret.encode() not in raw, secret
    verified = cli("charter", "verify", "accueil")
    assert verified.exit_code == 0, verified.output
    session.expire_all()
    kept = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == karim.id)).one()
    assert kept.subject is not None and "Personne effacée" in kept.subject
    assert session.get(Person, awa.id) is not None
