"""What makes the dashboard fast must not make it wrong: its cached HTML is drawn once, shared by
the requests that follow, redrawn at once after a change, never shown to another viewer; and
``cocon web --workers N`` serves with several processes (logins, CSRF and pages work whichever
process answers). Timings are in bench/web.py, not here."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import Result

from accounts.staff import add_account
from store.models import AccountKind, StepStatus
from store.plans import move_step, plan_steps
from store.projects import get_project
from tests.factories import make_project
from tests.fixtures_notifications import free_port
from tests.fixtures_web import PASSWORD, log_in
from tests.test_postgres import postgres_url  # noqa: F401  (the throw-away PostgreSQL cluster)

TILLEULS = "lea@example.org"
LITTORAL = "marc@example.org"
TODAY = date(2027, 1, 12)


@pytest.fixture
def two_structures(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(session, name="Accueil en salle d'attente", slug="accueil", start=date(2027, 1, 4), end=date(2027, 7, 2))
    make_project(
        session, name="Diagnostic territorial", structure="CPTS du Littoral", slug="diagnostic",
        start=date(2027, 1, 4), end=date(2027, 9, 30), with_people=False,
    )
    for email, name, structure in ((TILLEULS, "Léa", "MSP des Tilleuls"), (LITTORAL, "Marc", "CPTS du Littoral")):
        add_account(
            session, email=email, name=name, kind=AccountKind.FACILITATOR, structures=[structure],
            password=PASSWORD, actor="test",
        )
    session.commit()
    monkeypatch.setenv("COCON_NOW", f"{TODAY.isoformat()}T10:00")


def _listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/projets/([\w-]+)">', html)


def _late(html: str) -> list[str]:
    """Project slugs whose row says a step is late."""
    rows = re.findall(r'<tr>\s*<th scope="row"><a href="/projets/([\w-]+)">(.*?)</tr>', html, flags=re.S)
    return [slug for slug, row in rows if "en retard" in unescape(row)]


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the dashboard's content is drawn (rather than taken from the cache), its viewer."""
    from cocon.web import dashboard

    drawn: list[str] = []
    real = dashboard.dashboard_page

    def counting(session: Session, viewer: Any, **kwargs: Any) -> Any:
        drawn.append(viewer.person.name)
        return real(session, viewer, **kwargs)

    monkeypatch.setattr(dashboard, "dashboard_page", counting)
    return drawn


def test_a_step_that_becomes_late_shows_on_the_next_request(
    client: TestClient, two_structures: None, db_url: str, drawings: list[str]
) -> None:
    from store.db import session_scope

    log_in(client, email=TILLEULS)
    first = client.get("/tableau-de-bord").text
    assert _listed(first) == ["accueil"] and _late(first) == []
    assert client.get("/tableau-de-bord").text.count("accueil") == first.count("accueil")
    assert drawings == ["Léa"]  # the second request took the page from the cache

    with session_scope(db_url) as session:
        project = get_project(session, "accueil")
        upcoming = [s for s in plan_steps(session, project) if s.status == StepStatus.PLANNED and s.due > TODAY]
        step = min(upcoming, key=lambda s: s.due)
        move_step(session, project, step.key, TODAY - timedelta(days=1), reason="avancée", actor="test")

    after = client.get("/tableau-de-bord").text
    assert _late(after) == ["accueil"], "the step moved into the past must show as late at once"
    assert "1 étape en retard" in unescape(after)
    assert drawings == ["Léa", "Léa"]
    assert _late(client.get("/tableau-de-bord?attention=late").text) == ["accueil"]


def test_the_cached_dashboard_is_never_shown_to_another_viewer(
    tmp_path: Path, two_structures: None, db_url: str, drawings: list[str]
) -> None:
    from cocon.web.app import create_app

    app = create_app(db_url)
    browsers = [(email, TestClient(app, follow_redirects=False)) for email in (TILLEULS, LITTORAL, TILLEULS)]
    seen = []
    for email, browser in browsers:  # each logs in just before looking: a login redraws nothing
        assert log_in(browser, email=email).status_code == 303
        seen.append((email, _listed(browser.get("/tableau-de-bord").text)))
    assert seen == [(TILLEULS, ["accueil"]), (LITTORAL, ["diagnostic"]), (TILLEULS, ["accueil"])]
    assert drawings == ["Léa", "Marc"]  # Léa's second browser got the page drawn for her first one


def _version(db_url: str) -> int:
    from store.db import session_scope
    from store.models import ContentVersion

    with session_scope(db_url) as session:
        row = session.get(ContentVersion, 1)
        assert row is not None
        return row.version


def test_logins_and_page_views_move_no_version_and_redraw_nothing(
    client: TestClient, two_structures: None, db_url: str, drawings: list[str]
) -> None:
    log_in(client, email=TILLEULS)
    client.get("/projets/accueil/evaluation")  # its first view writes the template's indicators (once)
    assert _listed(client.get("/tableau-de-bord").text) == ["accueil"]
    version = _version(db_url)
    for _ in range(3):  # others log in (sessions, attempts, last login, audit log: all written), pages are read
        other = TestClient(client.app, follow_redirects=False)
        assert log_in(other, email=LITTORAL).status_code == 303
        assert other.get("/tableau-de-bord").status_code == 200
        assert client.get("/projets/accueil").status_code == 200
        assert client.get("/projets/accueil/evaluation").status_code == 200
        assert _listed(client.get("/tableau-de-bord").text) == ["accueil"]
    assert _version(db_url) == version
    assert drawings == ["Léa", "Marc"]  # Léa's dashboard was drawn once, whoever logged in since


def test_an_undelivered_message_marked_by_the_sender_shows_on_the_next_request(
    client: TestClient, two_structures: None, db_url: str, drawings: list[str]
) -> None:
    """The sender marks a message dead with a plain UPDATE and no audit event: the triggers see it."""
    from sqlalchemy import update
    from sqlmodel import col

    from notifications.queue import enqueue
    from store.db import get_engine, session_scope
    from store.models import OutboxMessage, OutboxState

    log_in(client, email=TILLEULS)
    assert "1 message n'a pas pu être remis" not in unescape(client.get("/tableau-de-bord").text)
    with session_scope(db_url) as session:
        project = get_project(session, "accueil")
        assert project.id is not None
        queued = enqueue(
            session, project_id=project.id, person_id=None, occasion="invitation", about="step:x",
            due_on=TODAY, subject="s", text="t", channel_url="json://localhost/",
        )
        assert queued is not None
        message_id = queued.id
    assert "1 message n'a pas pu être remis" not in unescape(client.get("/tableau-de-bord").text)
    with get_engine(db_url).begin() as connection:  # a plain UPDATE, no session, no audit event
        connection.execute(update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(state=OutboxState.DEAD))
    assert "1 message n'a pas pu être remis" in unescape(client.get("/tableau-de-bord").text)
    assert drawings == ["Léa", "Léa", "Léa"]


def test_the_charter_page_is_computed_once_and_a_signature_shows_on_the_next_request(
    client: TestClient, two_structures: None, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charters.signing import sign_on_paper
    from cocon.web import charters
    from store.db import session_scope
    from store.members import members

    refreshed: list[str] = []
    real = charters.refresh_version

    def counting(*args: Any, **kwargs: Any) -> Any:
        refreshed.append("x")
        return real(*args, **kwargs)

    monkeypatch.setattr(charters, "refresh_version", counting)
    log_in(client, email=TILLEULS)
    client.get("/projets/accueil/charte")  # the first view stores the charter's first version (once)
    first = unescape(client.get("/projets/accueil/charte").text)
    assert unescape(client.get("/projets/accueil/charte").text) == first
    assert len(refreshed) == 2  # the first view, and the one after its version was stored; then kept
    with session_scope(db_url) as session:
        project = get_project(session, "accueil")
        person = members(session, project)[0][0]
        sign_on_paper(session, project, person, actor="test")
    after = unescape(client.get("/projets/accueil/charte").text)
    assert after.count("a signé la version") == first.count("a signé la version") + 1, "the signature must show at once"
    assert len(refreshed) == 3


def test_the_evaluation_report_is_built_once_and_a_change_shows_on_the_next_request(
    client: TestClient, two_structures: None, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cocon.web import evaluation
    from store.db import session_scope

    built: list[str] = []
    real = evaluation.build_report

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs.get("audience", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "build_report", counting)
    log_in(client, email=TILLEULS)
    client.get("/projets/accueil/evaluation")  # the first view writes the template's indicators (once)
    page = client.get("/projets/accueil/evaluation").text
    assert client.get("/projets/accueil/evaluation").text == page
    assert len(built) == 2
    with session_scope(db_url) as session:
        get_project(session, "accueil").name = "Accueil des patients"
    assert "Accueil des patients" in client.get("/projets/accueil/evaluation").text
    assert len(built) == 3


def test_every_table_a_page_shows_moves_the_content_version(db_url: str) -> None:
    """A table added later without its triggers (store/migrations/versions/0009_*.py: ``create_triggers``)
    would leave pages stale: every table of the models but the untracked ones has them."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    from store.db import get_engine
    from store.models.changes import UNTRACKED

    with get_engine(db_url).connect() as connection:
        triggers = {
            str(name) for (name,) in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        }
        for table in sorted(set(SQLModel.metadata.tables) - UNTRACKED):
            for event in ("insert", "update", "delete"):
                assert f"content_version_{table}_{event}" in triggers, f"{table}: no {event} trigger"
        for table in UNTRACKED:
            assert not any(name.startswith(f"content_version_{table}_") for name in triggers), table
    before = _version(db_url)
    with get_engine(db_url).begin() as connection:
        connection.execute(text("INSERT INTO site_setting (key, value, updated_at) VALUES ('k', 'v', '2027-01-01')"))
        connection.execute(text("UPDATE site_setting SET value = 'w' WHERE key = 'k'"))
        connection.execute(text("DELETE FROM site_setting WHERE key = 'k'"))
    assert _version(db_url) == before + 3


def test_the_dashboard_still_sends_a_logged_out_visitor_to_the_login_page(client: TestClient, two_structures: None) -> None:
    response = client.get("/tableau-de-bord?structure=x", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/connexion?next=/tableau-de-bord"


def test_an_impossible_number_of_workers_is_refused_in_one_sentence(cli: Callable[..., Result]) -> None:
    result = cli("web", "--workers", "0", "--port", "0")
    assert result.exit_code != 0
    assert "0 processus web impossible : choisissez entre 1 et 64" in result.output


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(n) for n in (task / "children").read_text().split()]
    return found


def test_cocon_web_with_two_workers_serves_logins_and_pages(
    tmp_path: Path, db_url: str, session: Session, two_structures: None
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(COCON_DATABASE_URL=db_url, COCON_HOME=str(tmp_path / "home"), COCON_NOW=f"{TODAY.isoformat()}T10:00")
    cocon = str(Path(sys.executable).parent / "cocon")
    process = subprocess.Popen(
        [cocon, "web", "--workers", "2", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # workers import Cocon each: slow on a busy machine
        while True:
            try:
                if httpx.get(f"{base}/connexion", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "cocon web --workers 2 did not start"
            time.sleep(0.2)
        assert len(_children(process.pid)) >= 2  # the worker processes, next to uvicorn's own helper
        for _ in range(4):  # logins and pages, whichever worker answers each request
            with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as browser:
                token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/connexion").text)
                assert token is not None
                response = browser.post(
                    "/connexion", data={"email": LITTORAL, "password": PASSWORD, "csrf_token": token.group(1)}
                )
                assert response.status_code == 303, response.status_code
                for _ in range(3):
                    assert _listed(browser.get("/tableau-de-bord").text) == ["diagnostic"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "Cocon est ouvert sur" in out
    assert "Traceback" not in err, err


def test_workers_default_to_the_cores_or_cocon_web_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from cocon.web.server import default_workers
    from store.exceptions import InvalidInput

    monkeypatch.delenv("COCON_WEB_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert default_workers() == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    assert default_workers() == 4
    monkeypatch.setenv("COCON_WEB_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("COCON_WEB_WORKERS", "beaucoup")
    with pytest.raises(InvalidInput, match="COCON_WEB_WORKERS doit être un nombre"):
        default_workers()




def test_the_content_version_on_postgresql(postgres_url: str) -> None:  # noqa: F811
    """The same triggers on PostgreSQL (deferred to the commit): a change moves it, a login does not."""
    from sqlalchemy import text, update
    from sqlmodel import col

    from store.db import get_engine, session_scope, upgrade
    from store.models import Account

    upgrade(postgres_url)
    before = _version(postgres_url)
    with session_scope(postgres_url) as session:
        add_account(
            session, email=TILLEULS, name="Léa", kind=AccountKind.FACILITATOR, structures=["MSP des Tilleuls"],
            password=PASSWORD, actor="test",
        )
    created = _version(postgres_url)
    assert created > before
    with get_engine(postgres_url).begin() as connection:
        connection.execute(update(Account).values(last_login_at=datetime(2027, 1, 12, 9, tzinfo=UTC)))
        connection.execute(text("INSERT INTO audit_event (at, actor, action, details) VALUES (now(), 'web', 'login', '{}')"))
    assert _version(postgres_url) == created
    with get_engine(postgres_url).begin() as connection:
        connection.execute(update(Account).where(col(Account.email) == TILLEULS).values(disabled=True))
    assert _version(postgres_url) == created + 1


def test_cocon_serve_starts_and_stops_several_web_processes(
    tmp_path: Path, db_url: str, two_structures: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cocon serve --web-workers 2``: the web part as its own processes, stopped with the flows."""
    from cocon.web.server import start_for_serve

    port = free_port()
    monkeypatch.setenv("COCON_WEB_PORT", str(port))
    monkeypatch.setenv("COCON_HOME", str(tmp_path / "home"))
    address, stop = start_for_serve(2)
    try:
        assert address == f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=address, follow_redirects=False, timeout=30) as browser:
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/connexion").text)
            assert token is not None
            response = browser.post("/connexion", data={"email": LITTORAL, "password": PASSWORD, "csrf_token": token.group(1)})
            assert response.status_code == 303
            assert _listed(browser.get("/tableau-de-bord").text) == ["diagnostic"]
        supervisor = [pid for pid in _children(os.getpid()) if "server_for" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(supervisor) == 1 and len(_children(supervisor[0])) >= 2
    finally:
        stop()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{address}/connexion", timeout=2)
