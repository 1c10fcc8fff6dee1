"""The database file deleted, locked or failing while Cocon serves; and what the logs may hold.

Nothing is acknowledged and lost: a write on a deleted file is refused in one sentence (a 503
page), a restart does not create an empty database in place of the installed one, and no log
line holds a name, an email, a phone number or an SQL parameter.
"""

import html
import logging
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import Result

from accounts.staff import add_account
from store.db import installed_marker, session_scope
from store.exceptions import DatabaseUnavailable
from store.models import AccountKind
from tests.factories import make_project
from tests.fixtures_web import COORDINATOR, CSRF, PASSWORD, csrf_of, log_in

SECRET_NAME = "Zébulon Confidentiel"
SECRET_EMAIL = "zebulon.confidentiel@example.org"
SECRET_PHONE = "0611223344"


def _world(db_url: str) -> None:
    with session_scope(db_url) as session:
        make_project(session, slug="accueil")
        add_account(session, email=COORDINATOR, name="Claire Martin", kind=AccountKind.COORDINATOR,
                    password=PASSWORD, actor="test")


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _add_person(client: TestClient | httpx.Client, name: str = "Léa Blanc", email: str = "") -> httpx.Response:
    token = CSRF.search(client.get("/projets/accueil").text)
    assert token, "no form on the project page"
    return client.post("/projets/accueil/personnes", data={
        "name": name, "role": "professionnel", "email": email, "phone": SECRET_PHONE, "csrf_token": token.group(1),
    })


def test_write_after_the_file_is_deleted_is_refused_and_restart_creates_nothing(
    db_url: str, cli: Callable[..., Result]
) -> None:
    from cocon.web.app import create_app

    _world(db_url)
    path = Path(db_url.removeprefix("sqlite:///"))
    app = create_app(db_url, base_url="http://testserver")
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        assert log_in(client).status_code == 303
        token = csrf_of(client, "/compte")
        _delete(path)
        response = client.post("/projets/accueil/personnes",
                               data={"name": "Léa Blanc", "role": "professionnel", "csrf_token": token})
        assert response.status_code == 503
        page = html.unescape(response.text)
        assert "a disparu" in page and "rien n'a été enregistré" in page
        assert client.get("/tableau-de-bord").status_code == 503
    assert not path.exists(), "an empty database was created in place of the deleted one"

    with pytest.raises(DatabaseUnavailable, match="introuvable"):
        create_app(db_url, base_url="http://testserver")
    listed = cli("project", "list")
    assert listed.exit_code == 1 and "cocon db upgrade" in listed.output
    assert not path.exists()

    upgraded = cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert path.exists() and cli("project", "list").exit_code == 0


def test_replaced_file_is_refused_until_restart(db_url: str) -> None:
    _world(db_url)
    path = Path(db_url.removeprefix("sqlite:///"))
    with session_scope(db_url) as session:
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = path.with_name("copie.sqlite")
    copy.write_bytes(path.read_bytes())
    copy.replace(path)
    with pytest.raises(DatabaseUnavailable, match="remplacé"), session_scope(db_url):
        pass


def test_first_use_of_a_data_folder_creates_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cocon.cli.main import app

    home = tmp_path / "nouveau"
    monkeypatch.delenv("COCON_DATABASE_URL", raising=False)
    monkeypatch.setenv("COCON_HOME", str(home))
    result = CliRunner().invoke(app, ["project", "list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (home / "cocon.sqlite").exists() and installed_marker(home / "cocon.sqlite").exists()


def test_a_lock_held_too_long_gives_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                db_url: str) -> None:
    from cocon.web.app import create_app

    _world(db_url)
    with session_scope(db_url) as session:
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    # A fresh URL, so that its engine is built with the short wait.
    path = tmp_path / "verrou.sqlite"
    path.write_bytes(Path(db_url.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{path}"
    monkeypatch.setenv("COCON_DB_BUSY_SECONDS", "0.5")
    app = create_app(url, base_url="http://testserver")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
            logged = log_in(client)
            assert logged.status_code == 303, html.unescape(logged.text)[-1500:]
            token = csrf_of(client, "/compte")
            holder.execute("BEGIN EXCLUSIVE")
            response = client.post("/projets/accueil/personnes",
                                   data={"name": "Léa Blanc", "role": "professionnel", "email": "lea@example.org",
                                         "csrf_token": token})
        assert response.status_code == 503, response.text[:300]
        assert "occupée" in html.unescape(response.text)
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_database_errors_leave_no_personal_data_in_logs(
    db_url: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from cocon.web.server import start_in_thread

    _world(db_url)
    path = Path(db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:  # every new person is refused by the database itself
        raw.execute("CREATE TRIGGER refuse_person BEFORE INSERT ON person BEGIN SELECT RAISE(ABORT, 'refus'); END")
    caplog.set_level(logging.DEBUG)
    port = _free_port()
    server, thread = start_in_thread("127.0.0.1", port, db_url)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False, timeout=30) as client:
            assert log_in(client).status_code == 303  # type: ignore[arg-type]
            response = _add_person(client, SECRET_NAME, SECRET_EMAIL)
            assert response.status_code == 500
            assert "Traceback" not in response.text and SECRET_EMAIL not in response.text
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    with pytest.raises(Exception) as caught, session_scope(db_url) as session:  # the same error in-process
        from store.models import Person

        session.add(Person(name=SECRET_NAME, email=SECRET_EMAIL, phone=SECRET_PHONE))
        session.flush()
    logged = caplog.text + "\n".join(capfd.readouterr())
    assert "erreur inattendue IntegrityError" in logged
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_PHONE, "[parameters"):
        assert secret not in logged
    assert SECRET_EMAIL not in str(caught.value) and SECRET_NAME not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
