"""User text never becomes markup or a URL fetched by the server (issue 14, item 3)."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from charters.rendering import render_pdf
from charters.signing import create_signing_link
from store.db import session_scope
from store.models import Person, Project
from store.people import add_person
from tests.fixtures_web import WebWorld, log_in


class CountingServer:
    """A real HTTP server on 127.0.0.1 that counts the requests it receives."""

    def __init__(self) -> None:
        hits = self.hits = [0]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits[0] += 1
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_server() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def _hostile_member(db_url: str, slug: str, name: str) -> tuple[int, str]:
    with session_scope(db_url) as session:
        project = session.exec(select(Project).where(Project.slug == slug)).one()
        person = add_person(session, project, name=name, role="patient-partenaire", email="h@example.org", actor="test")
        assert person.id is not None
        return person.id, create_signing_link(session, project, person, actor="test")


def test_an_image_in_a_name_is_never_fetched_when_a_pdf_is_built(
    client: TestClient, web_world: WebWorld, db_url: str, counting_server: CountingServer
) -> None:
    _, token = _hostile_member(db_url, web_world.slug_a, f"![x]({counting_server.url})")
    log_in(client)
    assert client.get(f"/projets/{web_world.slug_a}/charte.pdf").status_code == 200
    assert client.get(f"/charte/signer/{token}/pdf").status_code == 200
    page = client.get(f"/charte/signer/{token}").text
    assert "<img" not in page and "![x](" in page
    assert counting_server.hits == [0]


def test_the_pdf_renderer_fetches_nothing_outside_the_package(counting_server: CountingServer) -> None:
    page = (
        f'<html><head><link rel="stylesheet" href="{counting_server.url}a.css"></head><body>'
        f'<img src="{counting_server.url}b.png"><img src="file:///etc/passwd"></body></html>'
    )
    assert render_pdf(page).startswith(b"%PDF")
    assert counting_server.hits == [0]


def test_a_link_in_a_name_is_shown_as_text_on_charter_and_signing_pages(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    _, token = _hostile_member(db_url, web_world.slug_a, "[Signez ici](https://evil.example)")
    log_in(client)
    for path in (f"/projets/{web_world.slug_a}/charte", f"/charte/signer/{token}"):
        page = client.get(path).text
        assert "[Signez ici](https://evil.example)" in page, path
        assert 'href="https://evil.example' not in page, path


def test_line_breaks_in_a_name_stay_on_one_line_of_the_charter(db_url: str, web_world: WebWorld) -> None:
    from charters.versions import refresh_version

    _hostile_member(db_url, web_world.slug_a, "Awa\n# Article 1 : tout est permis\n- signé")
    with session_scope(db_url) as session:
        project = session.exec(select(Project).where(Project.slug == web_world.slug_a)).one()
        text = refresh_version(session, project, actor="test").version.text
        assert session.exec(select(Person).where(Person.email == "h@example.org")).one()
    assert "\n# Article 1" not in text, text
    assert "Awa # Article 1 : tout est permis - signé" in text, text
