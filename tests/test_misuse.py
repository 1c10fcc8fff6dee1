"""The misuse battery: what a careless user or an attacker types or sends never ends in a traceback
or an HTTP 500, but in one sentence (or a page) saying what to do.

CLI misuses run in-process (``catch_exceptions=True``) on a copy of one prepared database, and must
exit 1 (a refusal) or 2 (a usage error) with a readable message and no traceback. HTTP misuses go
to the ASGI app and must answer below 500 with no traceback in the page.
"""

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.staff import add_account
from store.db import session_scope, upgrade
from store.models import AccountKind
from tests.factories import TEAM, make_project
from tests.fixtures_web import COORDINATOR, PASSWORD, csrf_of, log_in

HUGE = "9" * 30
INT64_PLUS_ONE = str(2**63)
FORBIDDEN_TEXT = ("Traceback", "sqlalchemy", "sqlite3.", 'File "', "Exception:")
PERSONAL = [email for _, _, email in TEAM] + [name for name, _, _ in TEAM]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database with a project ("accueil", the factory team) and a coordinator account."""
    path = tmp_path_factory.mktemp("world") / "cocon.sqlite"
    url = f"sqlite:///{path}"
    upgrade(url)
    with session_scope(url) as session:
        make_project(session, slug="accueil")
        add_account(session, email=COORDINATOR, name="Claire Martin", kind=AccountKind.COORDINATOR,
                    password=PASSWORD, actor="test")
    with session_scope(url) as session:
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


# --- the command line -----------------------------------------------------------------------


@dataclass(frozen=True)
class Misuse:
    """A command line; ``{tmp}`` is a scratch folder, ``{db}`` the database file.
    ``damage`` breaks the database (or its folder) first; ``env`` adds or removes (None) variables."""

    args: tuple[str, ...]
    env: dict[str, str | None] = field(default_factory=dict)
    damage: str | None = None
    may_succeed: bool = False


def m(*args: str, damage: str | None = None, **env: str | None) -> Misuse:
    return Misuse(args, env, damage)


def tolerated(*args: str) -> Misuse:
    """Odd but harmless input that Cocon may accept as it is (exit 0) or refuse; never a traceback."""
    return Misuse(args, may_succeed=True)


CLI_MISUSES: dict[str, Misuse] = {
    # unknown slugs, ids, steps, tokens
    "project-show-unknown": m("project", "show", "inexistant"),
    "plan-show-unknown": m("plan", "show", "inexistant"),
    "plan-move-unknown-step": m("plan", "move", "accueil", "inexistante", "--to", "2027-03-01"),
    "step-done-unknown": m("step", "done", "accueil", "inexistante"),
    "step-start-unknown-project": m("step", "start", "nulle-part", "charte"),
    "phase-advance-unknown": m("phase", "advance", "inexistant"),
    "person-list-unknown": m("person", "list", "inexistant"),
    "person-export-unknown": m("person", "export", "424242"),
    "person-erase-unknown": m("person", "erase", "424242", "--yes"),
    "person-export-not-a-number": m("person", "export", "abc"),
    "charter-status-unknown": m("charter", "status", "inexistant"),
    "charter-sign-unknown-person": m("charter", "sign", "accueil", "--person", "personne@nulle.part"),
    "charter-link-unknown-person": m("charter", "link", "accueil", "--person", "424242"),
    "checkpoint-show-unknown": m("checkpoint", "show", "accueil", "inexistant"),
    "contribution-add-unknown-person": m("contribution", "add", "accueil", "-p", "x@y.z", "--hours", "1"),
    "contribution-reimburse-unknown": m("contribution", "reimburse", "accueil", "424242"),
    "proposal-decide-unknown": m("proposal", "decide", "accueil", "424242", "--status", "retenue"),
    "indicator-record-unknown-code": m("indicator", "record", "accueil", "inexistant", "3"),
    "feedback-answer-bad-token": m("feedback", "answer", "jeton-invalide"),
    "outbox-list-unknown": m("outbox", "list", "inexistant"),
    "evaluate-unknown": m("evaluate", "inexistant"),
    "certificate-unknown-person": m("certificate", "accueil", "-p", "424242"),
    "templates-show-unknown": m("templates", "show", "inexistant"),
    "templates-check-missing-file": m("templates", "check", "{tmp}/absent.yaml"),
    "project-new-unknown-template": m("project", "new", "--template", "inexistant", "--name", "X", "--structure", "S",
                                      "--end", "2027-06-30"),
    # huge ids and amounts
    "person-export-huge-id": m("person", "export", HUGE),
    "person-export-int64": m("person", "export", INT64_PLUS_ONE),
    "person-erase-huge-id": m("person", "erase", HUGE, "--yes"),
    "contribution-reimburse-huge-id": m("contribution", "reimburse", "accueil", HUGE),
    "proposal-decide-huge-id": m("proposal", "decide", "accueil", INT64_PLUS_ONE, "--status", "retenue"),
    "charter-sign-huge-version": m("charter", "sign", "accueil", "--person", "awa@example.org", "--version", HUGE),
    "charter-diff-huge-versions": m("charter", "diff", "accueil", "--from", HUGE, "--to", INT64_PLUS_ONE),
    "charter-link-huge-person": m("charter", "link", "accueil", "--person", HUGE),
    "certificate-huge-person": m("certificate", "accueil", "-p", HUGE),
    "contribution-huge-amount": m("contribution", "add", "accueil", "-p", "awa@example.org", "--amount", HUGE),
    "contribution-amount-1e400": m("contribution", "add", "accueil", "-p", "awa@example.org", "--amount", "1e400"),
    "contribution-amount-nan": m("contribution", "add", "accueil", "-p", "awa@example.org", "--amount", "nan"),
    "contribution-amount-negative": m("contribution", "add", "accueil", "-p", "awa@example.org", "--amount", "-12"),
    "contribution-amount-text": m("contribution", "add", "accueil", "-p", "awa@example.org", "--amount", "douze"),
    # NaN, inf and impossible hours or values
    "contribution-hours-nan": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "nan"),
    "contribution-hours-inf": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "inf"),
    "contribution-hours-negative": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "-3"),
    "contribution-hours-1e308": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "1e308"),
    "contribution-hours-text": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "deux"),
    "indicator-record-nan": m("indicator", "record", "accueil", "satisfaction-participants", "nan"),
    "indicator-record-inf": m("indicator", "record", "accueil", "satisfaction-participants", "inf"),
    "indicator-record-text": m("indicator", "record", "accueil", "satisfaction-participants", "beaucoup"),
    "indicator-choose-target-nan": m("indicator", "choose", "accueil", "satisfaction-participants", "--target", "nan"),
    "indicator-choose-target-inf": m("indicator", "choose", "accueil", "satisfaction-participants", "--minimum", "-inf"),
    # bad dates
    "project-new-impossible-date": m("project", "new", "--template", "partenariat-msp", "--name", "X", "--structure",
                                     "S", "--end", "2027-02-30"),
    "project-new-word-date": m("project", "new", "--template", "partenariat-msp", "--name", "X", "--structure", "S",
                               "--end", "demain"),
    "project-new-end-before-start": m("project", "new", "--template", "partenariat-msp", "--name", "X", "--structure",
                                      "S", "--start", "2027-06-01", "--end", "2027-01-01"),
    "project-new-year-99999": m("project", "new", "--template", "partenariat-msp", "--name", "X", "--structure", "S",
                                "--end", "99999-01-01"),
    "project-new-year-1": tolerated("project", "new", "--template", "partenariat-msp", "--name", "X", "--structure", "S",
                            "--start", "0001-01-01", "--end", "0001-06-01"),
    "project-new-year-9999": tolerated("project", "new", "--template", "partenariat-msp", "--name", "X", "--structure", "S",
                               "--start", "9999-06-01", "--end", "9999-12-31"),
    "plan-move-bad-date": m("plan", "move", "accueil", "charte", "--to", "0000-00-00"),
    "plan-move-word-date": m("plan", "move", "accueil", "charte", "--to", "lundi"),
    "plan-move-far-future": tolerated("plan", "move", "accueil", "charte", "--to", "9999-12-31"),
    "contribution-bad-date": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "1", "--date",
                               "2027-13-01"),
    "checkpoint-record-bad-date": m("checkpoint", "record", "accueil", "point-etape-1", "--date", "hier"),
    "proposal-add-bad-date": m("proposal", "add", "accueil", "--text", "Idée", "--date", "32/01/2027"),
    "person-add-bad-unavailable": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                                    "--unavailable", "2027-02-31"),
    "now-garbage": m("project", "show", "accueil", COCON_NOW="pas une date"),
    # bad enum values
    "plan-show-bad-format": m("plan", "show", "accueil", "--format", "xml"),
    "charter-render-bad-format": m("charter", "render", "accueil", "--format", "doc"),
    "charter-render-bad-lang": m("charter", "render", "accueil", "--lang", "de"),
    "charter-sign-bad-method": m("charter", "sign", "accueil", "--person", "awa@example.org", "--method", "fax"),
    "contribution-bad-kind": m("contribution", "add", "accueil", "-p", "awa@example.org", "--hours", "1", "--kind",
                               "sieste"),
    "proposal-decide-bad-status": m("proposal", "decide", "accueil", "1", "--status", "peut-etre"),
    "person-add-bad-role": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "astronaute"),
    "person-add-bad-lang": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                             "--lang", "de"),
    "person-add-bad-quiet-hours": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                                    "--quiet-hours", "25:00-26:00"),
    "person-add-bad-availability": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                                     "--availability", "dimanche-nuit"),
    "person-add-bad-email": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                              "--email", "pas-une-adresse"),
    "indicator-choose-bad-unit": m("indicator", "choose", "accueil", "nouveau-code", "--unit", "kg", "--name", "N",
                                   "--definition", "D"),
    "indicator-choose-bad-direction": m("indicator", "choose", "accueil", "satisfaction-participants",
                                        "--direction", "sideways"),
    "outbox-list-bad-state": m("outbox", "list", "accueil", "--state", "volatilise"),
    "user-add-bad-kind": m("user", "add", "--email", "x@example.org", "--name", "X", "--kind", "roi"),
    "checkpoint-record-bad-status": m("checkpoint", "record", "accueil", "point-etape-1", "--status", "x=y"),
    "lang-unknown": m("project", "show", "inexistant", COCON_LANG="klingon"),
    # oversized fields
    "person-add-huge-name": tolerated("person", "add", "accueil", "--name", "N" * 200_000, "--role", "professionnel"),
    "proposal-add-huge-text": tolerated("proposal", "add", "accueil", "--text", "T" * 2_000_000),
    "project-new-huge-name": tolerated("project", "new", "--template", "partenariat-msp", "--name", "P" * 100_000,
                               "--structure", "S", "--end", "2027-06-30"),
    "plan-move-huge-reason": tolerated("plan", "move", "accueil", "charte", "--to", "2027-03-01", "--reason", "R" * 2_000_000),
    "person-add-empty-name": m("person", "add", "accueil", "--name", "", "--role", "professionnel"),
    "person-add-newline-name": tolerated("person", "add", "accueil", "--name", "Léa\nBlanc\r\n", "--role", "professionnel"),
    "project-new-nul-name": tolerated("project", "new", "--template", "partenariat-msp", "--name", "A\x00B", "--structure",
                              "S", "--end", "2027-06-30"),
    # files and folders
    "plan-ics-missing-folder": m("plan", "show", "accueil", "--format", "ics", "-o", "{tmp}/absent/plan.ics"),
    "plan-ics-folder-as-file": m("plan", "show", "accueil", "--format", "ics", "-o", "{tmp}"),
    "plan-ics-unwritable": m("plan", "show", "accueil", "--format", "ics", "-o", "/proc/cocon-plan.ics"),
    "charter-render-missing-folder": m("charter", "render", "accueil", "--format", "html", "-o", "{tmp}/a/b/c.html"),
    "charter-render-folder-as-file": m("charter", "render", "accueil", "--format", "html", "-o", "{tmp}"),
    "charter-render-unwritable": m("charter", "render", "accueil", "--format", "html", "-o", "/proc/cocon.html"),
    "person-export-missing-folder": m("person", "export", "1", "-o", "{tmp}/absent/awa.json"),
    "person-export-folder-as-file": m("person", "export", "1", "-o", "{tmp}"),
    "evaluate-unwritable": m("evaluate", "accueil", "-o", "/proc/cocon-report.html"),
    "certificate-folder-as-file": m("certificate", "accueil", "-p", "awa@example.org", "-o", "{tmp}"),
    "feedback-answer-missing-file": m("feedback", "answer", "jeton", "--answers", "{tmp}/absent.json"),
    "feedback-answer-folder": m("feedback", "answer", "jeton", "--answers", "{tmp}"),
    "templates-check-folder": m("templates", "check", "{tmp}"),
    "templates-check-garbage": m("templates", "check", "{db}"),
    "project-new-template-is-folder": m("project", "new", "--template", "{tmp}", "--name", "X", "--structure", "S",
                                        "--end", "2027-06-30"),
    # the environment
    "home-is-a-file": m("project", "list", COCON_HOME="{db}", COCON_DATABASE_URL=None),
    "home-under-a-file": m("project", "list", COCON_HOME="{db}/sous-dossier", COCON_DATABASE_URL=None),
    "home-unwritable": m("project", "list", COCON_HOME="/proc/cocon-home", COCON_DATABASE_URL=None),
    "database-url-garbage": m("project", "list", COCON_DATABASE_URL="n'importe quoi"),
    "database-url-unknown-driver": m("project", "list", COCON_DATABASE_URL="oracle+nope://x/y"),
    "database-url-missing-folder": m("project", "list", COCON_DATABASE_URL="sqlite:///{tmp}/absent/dossier/c.sqlite"),
    "database-url-is-folder": m("project", "list", COCON_DATABASE_URL="sqlite:///{tmp}"),
    "web-port-99999": m("web", "--port", "99999"),
    "web-port-negative": m("web", "--port", "-1"),
    "web-port-text": m("web", "--port", "huit-mille"),
    "web-bad-host": m("web", "--host", "999.999.999.999", "--port", "0"),
    # damaged databases
    "db-upgrade-garbage": m("db", "upgrade", damage="garbage"),
    "db-status-garbage": m("db", "status", damage="garbage"),
    "project-list-garbage": m("project", "list", damage="garbage"),
    "project-list-truncated": m("project", "list", damage="truncated"),
    "person-add-truncated": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                              damage="truncated"),
    "project-list-empty-file-marked": m("project", "list", damage="deleted"),
    "person-add-readonly": m("person", "add", "accueil", "--name", "Léa Blanc", "--role", "professionnel",
                             "--email", "lea.blanc@example.org", damage="readonly"),
    "step-done-readonly": m("step", "done", "accueil", "cartographie", damage="readonly"),
    "person-erase-readonly": m("person", "erase", "4", "--yes", damage="readonly"),
    "charter-sign-readonly": m("charter", "sign", "accueil", "--person", "awa@example.org", damage="readonly"),
    # usage errors
    "unknown-command": m("projet", "liste"),
    "unknown-option": m("project", "list", "--tout"),
    "missing-argument": m("plan", "move", "accueil"),
    "missing-required-option": m("project", "new", "--name", "X"),
}


def _immutable(path: Path, on: bool) -> bool:
    """Make a file read-only even for root (chattr), or by mode for other users; False if impossible."""
    if os.geteuid() != 0:
        path.chmod(0o444 if on else 0o644)
        return True
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def damaged_db(world: Path, tmp_path: Path) -> Iterator[Callable[[str | None], Path]]:
    made: list[Path] = []

    def make(damage: str | None) -> Path:
        path = tmp_path / "cocon.sqlite"
        shutil.copyfile(world, path)
        if damage == "garbage":
            path.write_bytes(b"Ceci n'est pas une base de donnees.\n" * 200)
        elif damage == "truncated":
            path.write_bytes(world.read_bytes()[:5000])
        elif damage == "deleted":
            (tmp_path / "cocon.sqlite.installed").write_text("x")
            path.unlink()
        elif damage == "readonly":
            if not _immutable(path, True):
                pytest.skip("no way to make a file read-only here")
            made.append(path)
        return path

    yield make
    for path in made:
        _immutable(path, False)


@pytest.mark.parametrize("name", sorted(CLI_MISUSES))
def test_cli_misuse_gives_one_sentence(name: str, tmp_path: Path, damaged_db: Callable[[str | None], Path],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from cocon.cli.main import app

    misuse = CLI_MISUSES[name]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    db = damaged_db(misuse.damage)

    def fill(text: str) -> str:
        return text.replace("{tmp}", str(scratch)).replace("{db}", str(db))

    env: dict[str, str | None] = {
        "COCON_DATABASE_URL": f"sqlite:///{db}", "COCON_HOME": str(tmp_path / "home"), "COCON_ACTOR": "test",
        "COCON_NOW": None, "COCON_LANG": None,
    }
    env.update({key: fill(value) if value is not None else None for key, value in misuse.env.items()})
    result = CliRunner().invoke(app, [fill(arg) for arg in misuse.args], env=env, catch_exceptions=True)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {output[-500:]}"
    )
    assert result.exit_code in ((0, 1, 2) if misuse.may_succeed else (1, 2)), f"exit {result.exit_code}: {output[-500:]}"
    for text in FORBIDDEN_TEXT:
        assert text not in output, output[-800:]
    assert output.strip(), "refused without a word"
    if misuse.damage == "readonly":
        assert not any(value in output for value in [*PERSONAL, "Léa Blanc", "lea.blanc@example.org"]), output


def test_battery_is_large_enough() -> None:
    assert len(CLI_MISUSES) + len(HTTP_MISUSES) >= 120


# --- the web app ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    data: dict[str, str | list[str]] | None = None
    logged_in: bool = True
    csrf: str | None = "good"
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None


def get(path: str, **kw: object) -> Request:
    return Request("GET", path, **kw)  # type: ignore[arg-type]


def post(path: str, data: dict[str, str | list[str]] | None = None, **kw: object) -> Request:
    return Request("POST", path, data or {}, **kw)  # type: ignore[arg-type]


HTTP_MISUSES: dict[str, Request] = {
    "unknown-page": get("/nulle-part"),
    "unknown-project": get("/projets/inexistant"),
    "unknown-project-charter": get("/projets/inexistant/charte"),
    "unknown-project-pdf": get("/projets/inexistant/charte.pdf"),
    "unknown-project-evaluation": get("/projets/inexistant/evaluation"),
    "report-before-apres": get("/projets/accueil/evaluation/rapport.html"),
    "report-pdf-before-apres": get("/projets/accueil/evaluation/rapport.pdf"),
    "huge-path": get("/projets/" + "x" * 20_000),
    "path-traversal-static": get("/static/../../../../etc/passwd"),
    "path-traversal-encoded": get("/static/%2e%2e/%2e%2e/etc/passwd"),
    "random-signing-link": get("/charte/signer/" + "A" * 43),
    "random-signing-pdf": get("/charte/signer/" + "B" * 43 + "/pdf", logged_in=False),
    "random-login-link": get("/lien/" + "C" * 43, logged_in=False),
    "random-questionnaire": get("/questionnaire/" + "D" * 43, logged_in=False),
    "huge-token": get("/questionnaire/" + "E" * 50_000, logged_in=False),
    "anonymous-dashboard": get("/tableau-de-bord", logged_in=False),
    "anonymous-project": get("/projets/accueil", logged_in=False),
    "garbage-session-cookie": get("/tableau-de-bord", logged_in=False, cookies={"cocon_session": "x" * 5000}),
    "next-huge": get("/connexion?next=" + "/" * 10_000, logged_in=False),
    "next-external": get("/connexion?next=https://evil.example/", logged_in=False),
    "new-project-unknown-template": get("/projets/nouveau?modele=inexistant"),
    "dashboard-bad-query": get("/tableau-de-bord?jour=pas-une-date&page=-1"),
    "weird-accept-language": get("/", headers={"Accept-Language": "xx-YY;q=abc," * 200}),
    "put-home": Request("PUT", "/"),
    "delete-project": Request("DELETE", "/projets/accueil"),
    "patch-login": Request("PATCH", "/connexion", logged_in=False),
    "post-dashboard": post("/tableau-de-bord"),
    "post-charter-pdf": post("/projets/accueil/charte.pdf"),
    "options-login": Request("OPTIONS", "/connexion", logged_in=False),
    # CSRF
    "login-without-csrf": post("/connexion", {"email": COORDINATOR, "password": PASSWORD}, logged_in=False, csrf=None),
    "login-bad-csrf": post("/connexion", {"email": COORDINATOR, "password": PASSWORD}, logged_in=False, csrf="0" * 64),
    "add-person-bad-csrf": post("/projets/accueil/personnes", {"name": "Léa", "role": "professionnel"}, csrf="abc"),
    "move-step-no-csrf": post("/projets/accueil/etapes/deplacer", {"step": "charte", "to": "2027-03-01"}, csrf=None),
    "logout-bad-csrf": post("/deconnexion", csrf="f" * 64),
    # huge ids
    "charter-link-huge-id": post(f"/projets/accueil/charte/lien/{HUGE}"),
    "charter-link-int64": post(f"/projets/accueil/charte/lien/{INT64_PLUS_ONE}"),
    "charter-paper-huge-id": post(f"/projets/accueil/charte/papier/{HUGE}"),
    "charter-paper-negative-id": post("/projets/accueil/charte/papier/-5"),
    "charter-paper-text-id": post("/projets/accueil/charte/papier/awa"),
    "person-link-huge-id": post(f"/projets/accueil/personnes/{HUGE}/lien"),
    "person-link-unknown-id": post("/projets/accueil/personnes/424242/lien"),
    "checkpoint-huge-attendee": post("/projets/accueil/points-etape", {"step": "point-etape-1", "held_on": "2027-03-01",
                                                                      "attendees": [HUGE]}),
    "checkpoint-text-attendee": post("/projets/accueil/points-etape", {"step": "point-etape-1", "held_on": "2027-03-01",
                                                                      "attendees": ["awa"]}),
    # forms: missing, wrong or oversized fields
    "login-missing-fields": post("/connexion", {}, logged_in=False),
    "login-huge-email": post("/connexion", {"email": "a" * 1_000_000 + "@x.fr", "password": "x"}, logged_in=False),
    "login-link-huge-email": post("/connexion/lien", {"email": "b" * 500_000}, logged_in=False),
    "add-person-missing": post("/projets/accueil/personnes", {}),
    "add-person-bad-role": post("/projets/accueil/personnes", {"name": "Léa Blanc", "role": "astronaute"}),
    "add-person-bad-email": post("/projets/accueil/personnes", {"name": "Léa Blanc", "role": "professionnel",
                                                                "email": "pas-une-adresse"}),
    "add-person-bad-lang": post("/projets/accueil/personnes", {"name": "Léa Blanc", "role": "professionnel",
                                                               "language": "de"}),
    "add-person-bad-quiet": post("/projets/accueil/personnes", {"name": "Léa Blanc", "role": "professionnel",
                                                                "quiet_hours": "99:99-xx"}),
    "add-person-bad-availability": post("/projets/accueil/personnes", {"name": "Léa Blanc", "role": "professionnel",
                                                                       "availability": ["jamais"]}),
    "add-person-huge-name": post("/projets/accueil/personnes", {"name": "N" * 200_000, "role": "professionnel"}),
    "add-person-unknown-project": post("/projets/inexistant/personnes", {"name": "Léa Blanc", "role": "professionnel"}),
    "move-step-bad-date": post("/projets/accueil/etapes/deplacer", {"step": "charte", "to": "2027-02-30"}),
    "move-step-far-date": post("/projets/accueil/etapes/deplacer", {"step": "charte", "to": "9999-12-31"}),
    "move-step-unknown": post("/projets/accueil/etapes/deplacer", {"step": "inexistante", "to": "2027-03-01"}),
    "move-step-missing": post("/projets/accueil/etapes/deplacer", {}),
    "done-step-unknown": post("/projets/accueil/etapes/terminer", {"step": "inexistante"}),
    "done-step-missing": post("/projets/accueil/etapes/terminer", {}),
    "advance-phase-gate": post("/projets/accueil/phase"),
    "checkpoint-bad-date": post("/projets/accueil/points-etape", {"step": "point-etape-1", "held_on": "hier"}),
    "checkpoint-unknown-step": post("/projets/accueil/points-etape", {"step": "inexistant", "held_on": "2027-03-01"}),
    "indicator-nan": post("/projets/accueil/indicateurs", {"code": "satisfaction-participants", "value": "nan"}),
    "indicator-inf": post("/projets/accueil/indicateurs", {"code": "satisfaction-participants", "value": "inf"}),
    "indicator-text": post("/projets/accueil/indicateurs", {"code": "satisfaction-participants", "value": "beaucoup"}),
    "indicator-unknown": post("/projets/accueil/indicateurs", {"code": "inexistant", "value": "3"}),
    "new-project-missing": post("/projets/nouveau", {}),
    "new-project-bad-dates": post("/projets/nouveau", {"template": "partenariat-msp", "name": "X", "structure": "S",
                                                       "start": "2027-06-01", "end": "2027-01-01"}),
    "new-project-year-10000": post("/projets/nouveau", {"template": "partenariat-msp", "name": "X", "structure": "S",
                                                        "start": "9999-12-01", "end": "10000-01-01"}),
    "new-project-template-path": post("/projets/nouveau", {"template": "../../etc/passwd", "name": "X",
                                                              "structure": "S", "end": "2027-06-30"}),
    "password-too-short": post("/compte/mot-de-passe", {"password": "a"}),
    "language-unknown": post("/langue", {"lang": "klingon"}),
    "sign-charter-anonymous": post("/projets/accueil/charte/signer", logged_in=False),
    "random-signing-post": post("/charte/signer/" + "F" * 43, logged_in=False),
    "random-login-link-post": post("/lien/" + "G" * 43, logged_in=False),
    "random-questionnaire-post": post("/questionnaire/" + "H" * 43, {"q1": "x" * 100_000}, logged_in=False),
    # bodies that are not forms
    "json-body": Request("POST", "/projets/accueil/personnes", None, content=b'{"name": "L\xc3\xa9a"}',
                         headers={"Content-Type": "application/json"}),
    "garbage-multipart": Request("POST", "/connexion", None, logged_in=False, content=b"--x\r\ngarbage",
                                 headers={"Content-Type": "multipart/form-data; boundary=x"}),
    "bad-urlencoded": Request("POST", "/connexion", None, logged_in=False, content=b"%%%&&&===\xff\xfe",
                              headers={"Content-Type": "application/x-www-form-urlencoded"}),
}


@pytest.fixture(scope="module")
def web(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[bool, TestClient]]:
    from cocon.web.app import create_app

    path = tmp_path_factory.mktemp("web") / "cocon.sqlite"
    shutil.copyfile(world, path)
    saved = {key: os.environ.get(key) for key in ("COCON_HOME", "COCON_DATABASE_URL")}
    os.environ["COCON_HOME"] = str(path.parent / "home")
    os.environ["COCON_DATABASE_URL"] = f"sqlite:///{path}"
    app = create_app(f"sqlite:///{path}", base_url="http://testserver")
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as anonymous, \
            TestClient(app, follow_redirects=False, raise_server_exceptions=False) as coordinator:
        assert log_in(coordinator).status_code == 303
        yield {False: anonymous, True: coordinator}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.mark.parametrize("name", sorted(HTTP_MISUSES))
def test_http_misuse_gives_a_page(name: str, web: dict[bool, TestClient]) -> None:
    request = HTTP_MISUSES[name]
    client = web[request.logged_in]
    data = request.data
    if data is not None and request.csrf is not None:
        page = "/compte" if request.logged_in else "/connexion"
        data = {**data, "csrf_token": csrf_of(client, page) if request.csrf == "good" else request.csrf}
    response = client.request(
        request.method, request.path, data=data, content=request.content, headers=request.headers,
        cookies=request.cookies or None,
    )
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    for text in FORBIDDEN_TEXT:
        assert text not in response.text, response.text[:800]
