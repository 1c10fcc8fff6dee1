"""Fixtures for the web app: two projects with distinct people, staff accounts, an HTTP client.

Project A (MSP des Tilleuls) has the factory team (Claire coordinates, Awa is patient partner);
project B (CPTS du Littoral) has its own people, none shared with A. Claire has a coordinator
account, Nadia a facilitator account following only "MSP des Tilleuls".
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from accounts.links import create_magic_link
from accounts.staff import add_account
from store.models import AccountKind, Person
from store.people import add_person
from tests.factories import make_project

PASSWORD = "mot-de-passe-solide"
COORDINATOR = "claire@example.org"
FACILITATOR = "nadia@example.org"


@dataclass(frozen=True)
class WebWorld:
    slug_a: str
    slug_b: str
    partner_a: int
    partner_b: int
    coordinator_b: int


def _person(session: Session, email: str) -> int:
    person = session.exec(select(Person).where(Person.email == email)).one()
    assert person.id is not None
    return person.id


@pytest.fixture
def office_hours(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A weekday morning before the projects start: mail to a partner leaves at once.

    Outside 08:00–20:00 (Paris) a message waits for the person's next daytime moment, so a test
    that reads an email straight after the click must not depend on the hour it runs.
    """
    moment = "2026-12-01T10:00"
    monkeypatch.setenv("COCON_NOW", moment)
    return moment


@pytest.fixture
def web_world(session: Session) -> WebWorld:
    a = make_project(session, slug="accueil-tilleuls")
    b = make_project(
        session,
        name="Diagnostic territorial",
        structure="CPTS du Littoral",
        slug="diagnostic-littoral",
        start=date(2027, 1, 4),
        end=date(2027, 9, 3),
        with_people=False,
    )
    for name, role, email in [
        ("Paul Girard", "coordination", "paul@cpts.example.net"),
        ("Inès Faure", "professionnel", "ines@cpts.example.net"),
        ("Marc Petit", "professionnel", "marc@cpts.example.net"),
        ("Zoé Morel", "patient-partenaire", "zoe@example.net"),
    ]:
        add_person(session, b, name=name, role=role, email=email, actor="test")
    add_account(
        session, email=COORDINATOR, name="Claire Martin", kind=AccountKind.COORDINATOR, password=PASSWORD, actor="test"
    )
    add_account(
        session,
        email=FACILITATOR,
        name="Nadia Ferrand",
        kind=AccountKind.FACILITATOR,
        structures=["MSP des Tilleuls"],
        password=PASSWORD,
        actor="test",
    )
    session.commit()
    return WebWorld(
        a.slug,
        b.slug,
        _person(session, "awa@example.org"),
        _person(session, "zoe@example.net"),
        _person(session, "paul@cpts.example.net"),
    )


@pytest.fixture
def web_app(db_url: str) -> FastAPI:
    from cocon.web.app import create_app

    return create_app(db_url, base_url="http://testserver")


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, follow_redirects=False) as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(client: TestClient, path: str = "/connexion") -> str:
    """The CSRF token a page hands out to this client (the client keeps the cookie)."""
    response = client.get(path)
    found = CSRF.search(response.text)
    assert found, f"no CSRF token on {path} ({response.status_code})"
    return found.group(1)


def log_in(client: TestClient, email: str = COORDINATOR, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client)
    return client.post("/connexion", data={"email": email, "password": password, "csrf_token": token})


def log_in_with_link(client: TestClient, db_url: str, person_id: int) -> None:
    """Log a person in the way a partner does: through a magic link."""
    from store.db import session_scope

    with session_scope(db_url) as session:
        token, _ = create_magic_link(session, person_id=person_id)
    response = client.post(f"/lien/{token}", data={"csrf_token": csrf_of(client, f"/lien/{token}")})
    assert response.status_code == 303, response.text
