"""Errors a person sees come from the catalogue, in their language (issue 13).

Every ``CoconError`` carries a catalogue key and values; ``str(error)`` is the French sentence,
``error.message("en")`` the English one. The faces write it in the viewer's language: the web
from the page's language, the command line from ``COCON_LANG``.
"""

import ast
import html
import pickle
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import Result

import locales
from planning.planner import PlanDoesNotFit, PlanError
from project_templates.exceptions import CoconError, TemplateError
from project_templates.loader import parse_template
from project_templates.phrases import WrongValue
from store.exceptions import DatabaseUnavailable, PhaseGateClosed, StepNotFound
from store.phases import advance_phase
from store.plans import get_step, move_step
from store.projects import get_project
from tests.fixtures_web import WebWorld, csrf_of, log_in

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("project_templates", "planning", "store", "charters", "notifications", "evaluation", "accounts", "flows", "cocon")
PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")
#: Constructors whose arguments carry a message: the CoconError tree plus these carriers.
CARRIERS = {"Phrase", "WrongValue", "TemplateProblem", "_TooBig"}
#: Helpers of the old way (a sentence written in the code, in one or two languages).
SENTENCE_MAKERS = {"say", "_say", "translate", "gettext"}


def _sources() -> Iterator[tuple[Path, ast.AST]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _error_classes(trees: list[tuple[Path, ast.AST]]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
    found = {"CoconError"}
    grown = True
    while grown:
        before = len(found)
        found |= {name for name, parents in bases.items() if parents & found}
        grown = len(found) > before
    return found


def _placeholders(key: str) -> set[str]:
    french = locales.catalogue.translations("fr")
    texts = [french.ngettext(key, key, 1), french.ngettext(key, key, 5)] if locales.is_plural(key) else [french.gettext(key)]
    names = {name for text in texts for name in PLACEHOLDER.findall(text.replace("{{", "").replace("}}", ""))}
    return names | ({"n"} if locales.is_plural(key) else set())


def _problems() -> list[str]:
    trees = list(_sources())
    constructors = _error_classes(trees) | CARRIERS
    problems: list[str] = []
    for path, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in constructors:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno} {name}"
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr | ast.IfExp | ast.BinOp):
                    problems.append(f"{where}: a sentence written in the code")
                elif isinstance(arg, ast.Call) and getattr(arg.func, "id", getattr(arg.func, "attr", "")) in SENTENCE_MAKERS:
                    problems.append(f"{where}: a sentence made by {ast.unparse(arg.func)}()")
                elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    text = arg.value
                    if locales.has(text):
                        given = {kw.arg for kw in node.keywords if kw.arg is not None}
                        spread = any(kw.arg is None for kw in node.keywords)
                        wanted = _placeholders(text)
                        data = {"reason"} if name == "DatabaseUnavailable" else set()  # not in the sentence
                        if not spread and given - data != wanted:
                            problems.append(f"{where}: {text} wants {sorted(wanted)}, given {sorted(given)}")
                    elif re.search(r"\s", text) or "error." in text:
                        problems.append(f"{where}: {text[:60]!r} is not a catalogue key")
    return problems


def test_no_error_is_raised_with_a_sentence_written_in_the_code() -> None:
    problems = _problems()
    assert not problems, "\n".join(problems)


def test_the_scan_sees_a_plain_sentence(tmp_path: Path) -> None:
    # The scan is not blind: the shapes it refuses are the ones the code used before.
    sample = ast.parse(
        'raise InvalidInput(f"Étape inconnue « {key} ».")\n'
        'raise InvalidInput(say("Langue : fr ou en.", "Language: fr or en."))\n'
        'raise InvalidInput("Indiquez le nom de la personne (--name).")\n'
    )
    calls = [n for n in ast.walk(sample) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "InvalidInput"]
    shapes = [type(c.args[0]).__name__ for c in calls]
    assert shapes == ["JoinedStr", "Call", "Constant"]
    assert _placeholders("error.store.step_not_found") == {"step", "project", "steps"}
    assert _placeholders("error.store.move_shifts_finished") == {"steps", "n"}


def test_an_error_is_french_by_default_and_english_on_demand() -> None:
    error = StepNotFound("error.store.step_not_found", step="atelier", project="accueil", steps=["a", "b"])
    assert str(error) == "Aucune étape « atelier » dans le projet « accueil ». Étapes : a, b."
    assert error.message("en") == 'No step "atelier" in project "accueil". Steps: a, b.'
    assert error.message("de") == str(error)  # any other language: French first
    legacy = CoconError("Une phrase écrite à l'ancienne.")  # still shown while a branch migrates
    assert str(legacy) == legacy.message("en") == "Une phrase écrite à l'ancienne."


def test_values_that_depend_on_the_language_are_written_in_it() -> None:
    error = PlanError("error.planning.not_working_day", day=_day_text(date(2027, 2, 6)), next=_day_text(date(2027, 2, 8)))
    assert str(error) == "Le samedi 6 février 2027 n'est pas un jour ouvré ; choisissez par exemple le lundi 8 février 2027."
    assert error.message("en") == "Saturday 6 February 2027 is not a working day; choose for example Monday 8 February 2027."


def _day_text(day: date) -> Callable[[str], str]:
    from functools import partial

    from planning.calendar import long_date

    return partial(long_date, day)


def test_errors_keep_their_key_values_and_data_through_pickle() -> None:
    # Prefect may pickle an error raised in a task: it must come back whole, in both languages.
    fits = PlanDoesNotFit("atelier", date(2027, 3, 1), "error.planning.after_end", step="atelier",
                          due=_day_text(date(2027, 3, 1)), end=_day_text(date(2027, 2, 26)))
    gate = PhaseGateClosed("error.store.phase_gate_closed", ["x"], phase="pendant", what="x")
    database = DatabaseUnavailable("error.store.db_gone", reason="gone", path="/tmp/c.sqlite")
    for error in (fits, gate, database):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and back.message("en") == error.message("en")
    assert pickle.loads(pickle.dumps(fits)).needed == date(2027, 3, 1)
    assert pickle.loads(pickle.dumps(database)).reason == "gone"
    wrong = pickle.loads(pickle.dumps(WrongValue("error.templates.time_format", value="25:00")))
    assert wrong.phrase.message("en") == 'invalid time "25:00": write for example 18:00 or 9:30'


def test_a_template_error_writes_each_problem_in_the_language_asked() -> None:
    text = "id: t\nname: T\nversion: 1\nroles: {}\nphases:\n  avant:\n    steps:\n      - id: a\n        title: A\n        kind: meeting\n        owner: nobody\n        due: start + 1x\n"
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "mon-modele.yaml")
    french, english = str(caught.value).splitlines(), caught.value.message("en").splitlines()
    assert len(french) == len(english) >= 1
    for fr, en in zip(french, english, strict=True):
        assert fr.split(": ")[0] == en.split(": ")[0] and fr.split(": ")[0].startswith("mon-modele.yaml:")
    assert any("règle de date invalide" in line for line in french) or any("durée invalide" in line for line in french)
    assert not any("invalide" in line or "inconnu" in line for line in english), english


def test_store_refusals_carry_both_languages(session: Session) -> None:
    from tests.factories import make_project

    project = make_project(session, slug="accueil-errors")
    with pytest.raises(StepNotFound) as unknown:
        get_step(session, project, "nulle-part")
    assert str(unknown.value).startswith("Aucune étape « nulle-part » dans le projet « accueil-errors ».")
    assert unknown.value.message("en").startswith('No step "nulle-part" in project "accueil-errors".')
    with pytest.raises(CoconError) as weekend:
        move_step(session, project, "rencontre", date(2027, 2, 6), reason="salle", actor="test")
    assert "n'est pas un jour ouvré" in str(weekend.value)
    assert "Saturday 6 February 2027 is not a working day" in weekend.value.message("en")
    with pytest.raises(PhaseGateClosed) as gate:
        advance_phase(session, get_project(session, "accueil-errors"), actor="test")
    assert "ne peut pas passer en phase « pendant »" in str(gate.value)
    assert 'cannot move to phase "pendant"' in gate.value.message("en") and "étape" not in gate.value.message("en")


def _move_to_a_saturday(client: TestClient, slug: str) -> str:
    response = client.post(
        f"/projets/{slug}/etapes/deplacer",
        data={"step": "rencontre", "to": "2027-02-06", "reason": "salle prise",
              "csrf_token": csrf_of(client, "/tableau-de-bord")},
    )
    assert response.status_code == 400, response.status_code
    return html.unescape(response.text)


def test_a_refused_move_is_shown_in_the_page_language(client: TestClient, web_world: WebWorld) -> None:
    log_in(client)
    french = _move_to_a_saturday(client, web_world.slug_a)
    assert "n'est pas un jour ouvré" in french and "is not a working day" not in french
    client.cookies.set("cocon_lang", "en")
    english = _move_to_a_saturday(client, web_world.slug_a)
    assert "Saturday 6 February 2027 is not a working day; choose for example Monday 8 February 2027." in english
    assert "jour ouvré" not in english


def test_the_command_line_speaks_cocon_lang(cli: Callable[..., Result], session: Session) -> None:
    from tests.factories import make_project

    make_project(session, slug="accueil-cli")
    session.commit()
    french = cli("plan", "move", "accueil-cli", "rencontre", "--to", "2027-02-06", "--reason", "salle")
    english = cli("plan", "move", "accueil-cli", "rencontre", "--to", "2027-02-06", "--reason", "salle", env={"COCON_LANG": "en"})
    assert french.exit_code == english.exit_code == 1
    assert "n'est pas un jour ouvré" in french.output
    assert "Saturday 6 February 2027 is not a working day" in english.output and "ouvré" not in english.output
    missing = cli("project", "show", "inexistant", env={"COCON_LANG": "en"})
    assert missing.exit_code == 1 and 'No project "inexistant".' in missing.output


def test_keys_chosen_at_run_time_exist_with_the_values_given() -> None:
    # The scan sees literal keys; these are picked from a table, so each member is checked here.
    from accounts.exceptions import LinkRefused
    from accounts.passwords import PASSWORD_LIMITS
    from evaluation.checkpoints import FUTURE_GATHERING
    from project_templates.loader import _KINDS, _LIMITS
    from store.db import _SQLITE_FAULTS

    for _, key in _LIMITS.values():
        assert _placeholders(key) == {"limit"}, key
    for key in _KINDS.values():
        assert _placeholders(key) == set(), key

    for key in [*FUTURE_GATHERING.values(), "error.evaluation.future_gathering"]:
        assert _placeholders(key) == {"day"}, key
    for _, _, key in _SQLITE_FAULTS:
        assert _placeholders(key) <= {"path"}, key
        assert "{" not in DatabaseUnavailable(key, reason="x", path="/srv/c.sqlite").message("en")
    for key in PASSWORD_LIMITS:
        assert _placeholders(key) == {"limit"}, key
    for reason in ("unknown", "used", "expired", "anything"):
        refused = LinkRefused(reason)
        assert refused.reason == reason and "lien de connexion" in str(refused) and "login link" in refused.message("en")


def test_template_problems_are_printed_in_cocon_lang(cli: Callable[..., Result]) -> None:
    broken = str(ROOT / "tests" / "broken_templates" / "bad-date-rule.yaml")
    french = cli("templates", "check", broken)
    english = cli("templates", "check", broken, env={"COCON_LANG": "en"})
    assert french.exit_code == english.exit_code == 1
    assert f"{broken}:35: phases.pendant.steps.1.due: règle de date invalide « avant la fin »" in french.output
    assert f'{broken}:35: phases.pendant.steps.1.due: invalid date rule "avant la fin": write for example' in english.output
    assert "règle" not in english.output
