"""Web hardening of issue 14: people of other projects, the login-link form, passwords, huge ids."""

from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import func, select

from accounts.throttle import MAX_FAILURES_PER_LOGIN
from store.db import get_engine, session_scope
from store.models import AuditEvent, MagicLink
from tests.fixtures_web import COORDINATOR, PASSWORD, WebWorld, csrf_of, log_in

NEW_PASSWORD = "un-tout-autre-mot-de-passe"


@pytest.mark.parametrize("action", ["charte/lien", "charte/papier", "personnes/{id}/lien"])
def test_charter_and_link_actions_answer_only_for_people_of_the_project(
    client: TestClient, web_world: WebWorld, action: str
) -> None:
    log_in(client)
    token = csrf_of(client, "/tableau-de-bord")

    def path(person_id: int) -> str:
        if "{id}" in action:
            return f"/projets/{web_world.slug_a}/{action.replace('{id}', str(person_id))}"
        return f"/projets/{web_world.slug_a}/{action}/{person_id}"

    for foreign in (web_world.partner_b, web_world.coordinator_b, 2**63, 2**64 + 5, 0):
        response = client.post(path(foreign), data={"csrf_token": token})
        assert response.status_code == 404, (foreign, response.status_code)
        assert "Zoé" not in response.text and "Paul" not in response.text
    assert client.post(path(web_world.partner_a), data={"csrf_token": token}).status_code == 303


def test_the_login_link_form_runs_the_same_queries_for_known_and_unknown_addresses(
    web_app: FastAPI, web_world: WebWorld, db_url: str
) -> None:
    """Structural timing check: until the answer has left, a known and an unknown address run
    exactly the same SQL (none of it depends on the address); the lookup happens afterwards."""
    trace: list[str] = []

    async def marking_app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        async def marking_send(message: MutableMapping[str, Any]) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                trace.append("-- answered --")

        await web_app(scope, receive, marking_send)

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        trace.append(statement)

    engine = get_engine(db_url)
    before_answer: dict[str, list[str]] = {}
    event.listen(engine, "before_cursor_execute", record)
    try:
        with TestClient(marking_app, follow_redirects=False) as client:
            for label, address in (("known", "awa@example.org"), ("unknown", "personne@example.org")):
                token = csrf_of(client)
                trace.clear()
                response = client.post("/connexion/lien", data={"email": address, "csrf_token": token})
                assert response.status_code == 200
                before_answer[label] = trace[: trace.index("-- answered --")]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert before_answer["known"] == before_answer["unknown"]
    with session_scope(db_url) as session:  # and the known address did get its link, afterwards
        assert session.exec(select(func.count()).select_from(MagicLink)).one() == 1


def test_changing_a_password_asks_for_the_current_one_and_ends_other_sessions(
    web_app: FastAPI, web_world: WebWorld, db_url: str
) -> None:
    with TestClient(web_app, follow_redirects=False) as here, TestClient(web_app, follow_redirects=False) as there:
        assert log_in(here).status_code == 303 and log_in(there).status_code == 303
        token = csrf_of(here, "/compte")
        form = {"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        missing = here.post("/compte/mot-de-passe", data=form)
        assert missing.status_code == 400 and "Le mot de passe actuel est faux" in missing.text
        wrong = here.post("/compte/mot-de-passe", data={**form, "current": "pas-le-bon-mot-de-passe"})
        assert wrong.status_code == 400
        assert there.get("/tableau-de-bord").status_code == 200
        assert here.post("/compte/mot-de-passe", data={**form, "current": PASSWORD}).status_code == 200
        assert there.get("/tableau-de-bord").status_code == 303  # the other browser is logged out
        assert here.get("/tableau-de-bord").status_code == 200  # this one stays
    with TestClient(web_app, follow_redirects=False) as fresh:
        assert log_in(fresh, password=PASSWORD).status_code == 400
        assert log_in(fresh, password=NEW_PASSWORD).status_code == 303


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(web_app: FastAPI, web_world: WebWorld) -> None:
    with TestClient(web_app, follow_redirects=False, client=("203.0.113.9", 4000)) as attacker:
        for _ in range(MAX_FAILURES_PER_LOGIN + 2):
            log_in(attacker, password="je-devine-au-hasard")
        assert log_in(attacker).status_code == 429
    with TestClient(web_app, follow_redirects=False, client=("198.51.100.7", 5000)) as owner:
        assert log_in(owner, email=COORDINATOR).status_code == 303


def test_a_random_login_link_writes_no_audit_row(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    with session_scope(db_url) as session:
        before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    for n in range(5):
        token = csrf_of(client)
        assert client.post(f"/lien/{'z' * 42}{n}", data={"csrf_token": token}).status_code == 410
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before
