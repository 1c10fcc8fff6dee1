"""Who may see and do what on the web: logins, cookies, CSRF, throttling, links, 404 across projects."""

import re
import sqlite3
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import func, select

from cocon.web.app import ROUTE_MODULES
from cocon.web.security import MAX_FAILURES_PER_IP, MAX_FAILURES_PER_LOGIN, create_magic_link, token_hash
from notifications.envelopes import ONE_CLICK_SUFFIX
from store.db import session_scope
from store.models import AuditEvent, LoginAttempt, MagicLink, WebSession
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import COORDINATOR, FACILITATOR, PASSWORD, WebWorld, csrf_of, log_in, log_in_with_link

FAKE_TOKEN = "A" * 43


def _routes(method: str) -> list[str]:
    return sorted(
        route.path
        for module in ROUTE_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and method in route.methods
    )


def post_routes(app: FastAPI) -> list[str]:
    return _routes("POST")


def get_routes(app: FastAPI) -> list[str]:
    return _routes("GET")


def fill(path: str, *, slug: str, person_id: int) -> str:
    return path.replace("{slug}", slug).replace("{token}", FAKE_TOKEN).replace("{person_id}", str(person_id))


def audit_count(db_url: str) -> int:
    with session_scope(db_url) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


# --- logging in -------------------------------------------------------------------------------


def test_password_login_sets_a_hardened_session_cookie(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    response = log_in(client)
    assert response.status_code == 303
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("cocon_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    raw = cookie.split(";")[0].split("=", 1)[1]
    with session_scope(db_url) as session:
        stored = session.exec(select(WebSession)).one()
        assert stored.token_hash == token_hash(raw) and stored.token_hash != raw
    assert client.get("/tableau-de-bord").status_code == 200


def test_session_cookie_is_secure_over_https(web_app: FastAPI, web_world: WebWorld) -> None:
    with TestClient(web_app, base_url="https://testserver", follow_redirects=False) as secure:
        response = log_in(secure)
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)


def test_pages_need_a_login(client: TestClient, web_world: WebWorld) -> None:
    for path in ("/tableau-de-bord", f"/projets/{web_world.slug_a}", "/mes-contributions", "/projets/nouveau"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/connexion?next=")


def test_wrong_password_is_refused_then_throttled_per_account(client: TestClient, web_world: WebWorld) -> None:
    for _ in range(MAX_FAILURES_PER_LOGIN):
        response = log_in(client, password="pas le bon mot de passe")
        assert response.status_code == 400
        assert "Adresse e-mail ou mot de passe incorrect" in response.text
    blocked = log_in(client)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text
    assert "cocon_session" not in blocked.headers.get("set-cookie", "")
    # Another account from the same address is not blocked by Claire's failures.
    assert log_in(client, email=FACILITATOR).status_code == 303


def test_throttling_per_address(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    from cocon.web.security import record_attempt

    with session_scope(db_url) as session:
        for n in range(MAX_FAILURES_PER_IP):
            record_attempt(session, email=f"inconnu{n}@example.org", ip="testclient", succeeded=False)
    assert log_in(client).status_code == 429


def test_unknown_email_costs_the_same_answer(client: TestClient, web_world: WebWorld) -> None:
    response = log_in(client, email="personne@example.org")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in response.text


def test_logout_ends_the_session(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in(client)
    token = csrf_of(client, "/tableau-de-bord")
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 303
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(WebSession)).one() == 0
    assert client.get("/tableau-de-bord").status_code == 303


def test_open_redirect_is_not_followed(client: TestClient, web_world: WebWorld) -> None:
    token = csrf_of(client)
    response = client.post(
        "/connexion", data={"email": COORDINATOR, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/"


# --- CSRF -----------------------------------------------------------------------------------


def test_every_post_without_a_valid_csrf_token_is_refused(
    client: TestClient, web_app: FastAPI, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)
    good = csrf_of(client, "/tableau-de-bord")
    routes = post_routes(web_app)
    # the one exception: RFC 8058's one-click unsubscribe, posted by mail applications (no form, no
    # cookie) and authorised by the unguessable token of its address (tests/test_pauses_web.py)
    routes = [route for route in routes if not route.endswith(ONE_CLICK_SUFFIX)]
    assert len(routes) == len(post_routes(web_app)) - 1
    assert len(routes) >= 15
    before = audit_count(db_url)
    for route in routes:
        path = fill(route, slug=web_world.slug_a, person_id=web_world.partner_a)
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "0" * 64}, {"csrf_token": good[:-1] + "0"}):
            response = client.post(path, data={**data, "name": "X", "role": "professionnel", "email": "x@example.org"})
            assert response.status_code == 403, (route, data, response.status_code)
            assert "Formulaire expiré" in response.text
    assert audit_count(db_url) == before


def test_a_token_from_another_browser_is_refused(web_app: FastAPI, client: TestClient, web_world: WebWorld) -> None:
    log_in(client)
    with TestClient(web_app, follow_redirects=False) as other:
        foreign = csrf_of(other)
    response = client.post(
        f"/projets/{web_world.slug_a}/personnes",
        data={"csrf_token": foreign, "name": "Intrus", "role": "professionnel", "email": "i@example.org"},
    )
    assert response.status_code == 403


# --- who sees what --------------------------------------------------------------------------


def test_a_partner_of_a_gets_404_for_every_page_and_action_of_b(
    client: TestClient, web_app: FastAPI, web_world: WebWorld, db_url: str
) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    assert client.get(f"/projets/{web_world.slug_a}").status_code == 200
    project_gets = [r for r in get_routes(web_app) if "{slug}" in r]
    assert len(project_gets) >= 5
    for route in project_gets:
        response = client.get(fill(route, slug=web_world.slug_b, person_id=web_world.partner_b))
        assert response.status_code == 404, route
        assert "Diagnostic territorial" not in response.text
    token = csrf_of(client, "/tableau-de-bord")
    before = audit_count(db_url)
    for route in [r for r in post_routes(web_app) if "{slug}" in r]:
        response = client.post(
            fill(route, slug=web_world.slug_b, person_id=web_world.partner_b),
            data={
                "csrf_token": token,
                "name": "X",
                "role": "professionnel",
                "step": "charte",
                "to": "2027-03-01",
                "reason": "x",
                "code": "x",
                "value": "1",
                "held_on": "2027-03-01",
                "email": "x@example.org",
            },
        )
        assert response.status_code == 404, route
    assert audit_count(db_url) == before
    dashboard = client.get("/tableau-de-bord").text
    assert "Accueil en salle d" in dashboard and "Diagnostic territorial" not in dashboard


def test_a_partner_may_read_but_not_manage_their_project(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    page = client.get(f"/projets/{web_world.slug_a}").text
    assert "Ajouter une personne" not in page
    assert "karim@example.org" not in page  # others' contact details are for the coordination only
    token = csrf_of(client, "/tableau-de-bord")
    response = client.post(
        f"/projets/{web_world.slug_a}/etapes/terminer", data={"csrf_token": token, "step": "cartographie"}
    )
    assert response.status_code == 403


def test_a_facilitator_sees_the_structures_they_follow(client: TestClient, web_world: WebWorld) -> None:
    log_in(client, email=FACILITATOR)
    dashboard = client.get("/tableau-de-bord").text
    assert "Accueil en salle d" in dashboard and "Diagnostic territorial" not in dashboard
    assert client.get(f"/projets/{web_world.slug_a}").status_code == 200
    assert client.get(f"/projets/{web_world.slug_b}").status_code == 404


def test_a_coordinator_sees_only_projects_they_belong_to(client: TestClient, web_world: WebWorld) -> None:
    log_in(client)
    assert client.get(f"/projets/{web_world.slug_a}").status_code == 200
    assert client.get(f"/projets/{web_world.slug_b}").status_code == 404
    assert client.get("/projets/inconnu").status_code == 404


# --- magic links ----------------------------------------------------------------------------


def test_magic_link_is_emailed_single_use_and_stored_hashed(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink
) -> None:
    token = csrf_of(client)
    response = client.post("/connexion/lien", data={"email": "AWA@example.org", "csrf_token": token})
    assert response.status_code == 200 and "Si cette adresse est connue" in response.text
    mails = smtp_sink.to("awa@example.org")
    assert len(mails) == 1 and "lien de connexion" in mails[0].subject
    link = re.search(r"http://testserver(/lien/[\w-]+)", mails[0].text())
    assert link, mails[0].text()
    path = link.group(1)
    raw = path.rsplit("/", 1)[1]
    assert len(raw) >= 43
    database = db_url.removeprefix("sqlite:///")
    dump = "\n".join(sqlite3.connect(database).iterdump())
    assert raw not in dump  # only the hash is kept; the outbox forgot the body once sent
    assert client.get(path).status_code == 200  # GET shows a button and does not use the link
    confirm = client.post(path, data={"csrf_token": csrf_of(client, path)})
    assert confirm.status_code == 303
    assert client.get("/tableau-de-bord").status_code == 200
    again = TestClient(client.app, follow_redirects=False)
    assert again.get(path).status_code == 410
    reuse = again.post(path, data={"csrf_token": csrf_of(again)})
    assert reuse.status_code == 410 and "déjà servi" in reuse.text


def test_unknown_address_gets_the_same_answer_and_no_email(
    client: TestClient, web_world: WebWorld, smtp_sink: SmtpSink
) -> None:
    response = client.post("/connexion/lien", data={"email": "inconnu@example.org", "csrf_token": csrf_of(client)})
    assert response.status_code == 200 and "Si cette adresse est connue" in response.text
    assert smtp_sink.received == []


def test_expired_and_unknown_links_are_refused(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    with session_scope(db_url) as session:
        expired, _ = create_magic_link(session, person_id=web_world.partner_a, lifetime=timedelta(seconds=-1))
    token = csrf_of(client)
    response = client.post(f"/lien/{expired}", data={"csrf_token": token})
    assert response.status_code == 410 and "expiré" in response.text
    assert client.post(f"/lien/{FAKE_TOKEN}", data={"csrf_token": token}).status_code == 410
    assert client.get("/tableau-de-bord").status_code == 303
    with session_scope(db_url) as session:
        assert session.exec(select(MagicLink)).one().used_at is None


def test_links_per_hour_are_limited(client: TestClient, web_world: WebWorld, smtp_sink: SmtpSink) -> None:
    for _ in range(5):
        client.post("/connexion/lien", data={"email": "awa@example.org", "csrf_token": csrf_of(client)})
    assert len(smtp_sink.to("awa@example.org")) == 3


def test_a_partner_may_set_a_password(client: TestClient, web_world: WebWorld, db_url: str, web_app: FastAPI) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    token = csrf_of(client, "/compte")
    short = client.post("/compte/mot-de-passe", data={"csrf_token": token, "password": "court", "confirm": "court"})
    assert short.status_code == 400 and "au moins 10" in short.text
    ok = client.post(
        "/compte/mot-de-passe", data={"csrf_token": token, "password": "un-long-secret", "confirm": "un-long-secret"}
    )
    assert ok.status_code == 200 and "Mot de passe enregistré" in ok.text
    with TestClient(web_app, follow_redirects=False) as fresh:
        assert log_in(fresh, email="awa@example.org", password="un-long-secret").status_code == 303
        assert fresh.get(f"/projets/{web_world.slug_b}").status_code == 404


def test_session_expires_when_idle(client: TestClient, web_world: WebWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    log_in(client)
    assert client.get("/tableau-de-bord").status_code == 200
    from store.clock import now

    later = (now() + timedelta(days=3)).isoformat()
    monkeypatch.setenv("COCON_NOW", later)
    assert client.get("/tableau-de-bord").status_code == 303


def test_every_response_carries_the_security_headers(client: TestClient, web_world: WebWorld) -> None:
    for path in ("/connexion", "/static/cocon.css", "/nulle-part"):
        headers = client.get(path).headers
        assert "script-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"


def test_old_attempts_sessions_and_links_are_pruned_at_login(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    from cocon.web.security import open_session, record_attempt

    with session_scope(db_url) as session:
        record_attempt(session, email="x@example.org", ip="1.2.3.4", succeeded=False)
        create_magic_link(session, person_id=web_world.partner_a, lifetime=timedelta(days=-30))
        open_session(session, person_id=web_world.partner_a, account_id=None, via="magic-link")
        for row in session.exec(select(LoginAttempt)):
            row.at = row.at - timedelta(days=30)
            session.add(row)
        for row in session.exec(select(WebSession)):
            row.expires_at = row.expires_at - timedelta(days=30)
            session.add(row)
    assert log_in(client).status_code == 303
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(MagicLink)).one() == 0
        assert [a.succeeded for a in session.exec(select(LoginAttempt))] == [True]
        assert session.exec(select(func.count()).select_from(WebSession)).one() == 1


def test_a_requested_login_link_leaves_even_in_quiet_hours(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.people import get_person

    with session_scope(db_url) as session:
        awa = get_person(session, web_world.partner_a)
        awa.quiet_hours = "21:00-08:00"
        session.add(awa)
    monkeypatch.setenv("COCON_NOW", "2027-03-01T23:30")
    client.post("/connexion/lien", data={"email": "awa@example.org", "csrf_token": csrf_of(client)})
    assert len(smtp_sink.to("awa@example.org")) == 1


def test_erasing_a_person_removes_their_web_access(session) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from store.models import Account, AccountKind, MagicLink, WebSession
    from store.people import erase_person
    from tests.factories import make_project

    project = make_project(session)
    from store.people import members

    person = next(p for p, m in members(session, project) if m.role == "patient-partenaire")
    assert person.id is not None
    session.add(Account(person_id=person.id, email="awa@example.org", kind=AccountKind.PARTNER))
    session.commit()
    erase_person(session, person.id, actor="test")
    session.commit()
    for table in (Account, WebSession, MagicLink):
        assert session.exec(select(table).where(table.person_id == person.id)).first() is None
