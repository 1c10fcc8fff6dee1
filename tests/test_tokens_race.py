"""Every token is redeemed by one conditional UPDATE (issue 14, item 2).

Twelve requests post the same link at the same moment to a real uvicorn server (its thread pool
runs them in parallel against the SQLite file): exactly one opens a session or signs.
"""

import re
import threading
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from sqlmodel import Session, func, select

from accounts.links import create_magic_link
from charters.signing import create_signing_link
from cocon.web.server import start_in_thread
from evaluation.exceptions import InvitationUnusable
from evaluation.questionnaire import answer_questionnaire, invite
from store.db import session_scope
from store.models import (
    AuditEvent,
    CharterSignature,
    FeedbackResponse,
    Person,
    Project,
    RoleGroup,
    WebSession,
)
from tests.fixtures_notifications import free_port
from tests.fixtures_web import WebWorld

RACERS = 12
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def live_server(db_url: str, web_world: WebWorld) -> Iterator[str]:
    port = free_port()
    server, thread = start_in_thread("127.0.0.1", port, db_url)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post_at_once(base: str, path: str, data: dict[str, str] | None = None) -> list[int]:
    """POST ``path`` from RACERS threads released together; returns the status codes."""
    with httpx.Client(base_url=base) as first:
        page = first.get(path)
        seed = first.cookies["cocon_csrf"]
    found = CSRF.search(page.text)
    assert found, page.text[:300]
    barrier = threading.Barrier(RACERS)
    codes: list[int] = []

    def race() -> None:
        with httpx.Client(base_url=base, cookies={"cocon_csrf": seed}, timeout=60) as client:
            barrier.wait()
            codes.append(client.post(path, data={"csrf_token": found.group(1), **(data or {})}).status_code)

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def count(session: Session, table: type, **where: object) -> int:
    statement = select(func.count()).select_from(table)
    for name, value in where.items():
        statement = statement.where(getattr(table, name) == value)
    return int(session.exec(statement).one())


def test_a_login_link_posted_twelve_times_at_once_opens_one_session(
    live_server: str, web_world: WebWorld, db_url: str
) -> None:
    with session_scope(db_url) as session:
        token, _ = create_magic_link(session, person_id=web_world.partner_a)
    codes = post_at_once(live_server, f"/lien/{token}")
    assert sorted(codes) == [303] + [410] * (RACERS - 1)
    with session_scope(db_url) as session:
        assert count(session, WebSession, person_id=web_world.partner_a) == 1


def test_a_signing_link_posted_twelve_times_at_once_signs_once(
    live_server: str, web_world: WebWorld, db_url: str
) -> None:
    with session_scope(db_url) as session:
        project = session.exec(select(Project).where(Project.slug == web_world.slug_a)).one()
        partner = session.get(Person, web_world.partner_a)
        assert partner is not None
        token = create_signing_link(session, project, partner, actor="test")
    codes = post_at_once(live_server, f"/charte/signer/{token}")
    assert codes.count(200) == 1 and len(codes) == RACERS
    with session_scope(db_url) as session:
        assert count(session, CharterSignature, person_id=web_world.partner_a) == 1


def test_a_questionnaire_answered_twelve_times_at_once_keeps_one_answer(db_url: str, web_world: WebWorld) -> None:
    with session_scope(db_url) as session:
        project = session.exec(select(Project).where(Project.slug == web_world.slug_a)).one()
        partner = session.get(Person, web_world.partner_a)
        assert partner is not None
        token = invite(session, project, [(partner, RoleGroup.PARTNER)], actor="test")[0].token
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def answer() -> None:
        try:
            with session_scope(db_url) as session:
                barrier.wait()
                answer_questionnaire(session, token, {"info-role-clair": "4"})
            outcomes.append("kept")
        except InvitationUnusable:
            outcomes.append("refused")

    threads = [threading.Thread(target=answer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["kept"] + ["refused"] * (RACERS - 1)
    with session_scope(db_url) as session:
        assert count(session, FeedbackResponse) == 1


def test_random_signing_and_login_urls_write_no_audit_row(client: object, web_world: WebWorld, db_url: str) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    with session_scope(db_url) as session:
        before = count(session, AuditEvent)
    for n in range(5):
        assert client.get(f"/charte/signer/{'x' * 40}{n}").status_code == 410
        assert client.get(f"/charte/signer/{'x' * 40}{n}/pdf").status_code == 410
    with session_scope(db_url) as session:
        assert count(session, AuditEvent) == before
