"""The command line's help texts come from the catalogue: every command's description, its line in
the « Commandes : » list and every option's help, French by default and English with
``COCON_LANG=en``, under a key derived from the command path (``cli.help.project.new.start``)."""

import inspect
import re
from collections.abc import Callable, Iterator

import pytest
import typer
from click.testing import Result
from typer import _click

import locales
from cocon.cli.language import help_key
from cocon.cli.main import app
from store.wording import NNBSP

Cli = Callable[..., Result]
EN = {"COCON_LANG": "en"}

#: Texts whose French may read like the English (none today: a new one needs a reason here).
SAME_IN_BOTH: frozenset[str] = frozenset()


def _code_texts() -> Iterator[tuple[str, str]]:
    """(catalogue key, English help written in the code) of every visible command, option and argument."""

    def walk(command: _click.Command, path: list[str]) -> Iterator[tuple[str, str]]:
        if command.hidden:
            return
        yield help_key(path), inspect.cleandoc(command.help or "")
        for param in command.params:
            if not getattr(param, "hidden", False):
                yield help_key(path, param.name), getattr(param, "help", None) or ""
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def _flat(text: str) -> str:
    """Words only: the terminal wraps lines, and French help is typeset with narrow no-break spaces."""
    return " ".join(text.split())


def test_every_command_and_option_help_is_in_both_catalogues_and_translated() -> None:
    texts = dict(_code_texts())
    assert len(texts) > 300
    missing = sorted(key for key in texts if not locales.has(key))
    assert not missing, f"help texts with no catalogue entry (add them with French and English): {missing}"
    assert all(texts.values()), f"commands or options with no help: {[key for key, text in texts.items() if not text]}"
    for key, english in texts.items():
        assert locales.gettext(key, "en") == english, f"{key}: the English catalogue says something else than the code"
    untranslated = sorted(key for key in texts if locales.gettext(key, "fr") == locales.gettext(key, "en"))
    assert set(untranslated) <= SAME_IN_BOTH, f"help texts left in English in the French catalogue: {untranslated}"


def test_no_help_key_is_left_that_no_command_uses() -> None:
    used = {key for key, _text in _code_texts()}
    catalogue = locales.keys("fr") | locales.keys("en")
    stale = sorted(key for key in catalogue if key.startswith("cli.help.") and key not in used)
    assert not stale, f"help entries of commands or options that no longer exist: {stale}"


def test_french_help_follows_the_house_style() -> None:
    for key, _english in _code_texts():
        french = locales.gettext(key, "fr")
        assert "Example:" not in french and "e.g." not in french, f"{key}: {french!r}"
        for example in [line for line in french.splitlines() if line.startswith("Exemple")]:
            assert example.startswith("Exemple : cocon ") or example.startswith("Exemple : COCON_") or "| cocon " in example, example
        assert "\"" not in french.split("Exemple")[0], f"{key}: « » quotes in French, not \" (outside the examples)"


def test_project_new_help_is_french_by_default(cli: Cli) -> None:
    result = cli("project", "new", "--help")
    assert result.exit_code == 0, result.output
    flat = _flat(result.output)
    for key in ("cli.help.project.new", "cli.help.project.new.start", "cli.help.project.new.alsace_moselle",
                "cli.help.project.new.template"):
        assert _flat(locales.gettext(key, "fr").partition("\n\nExemple")[0]) in flat, key
    assert "Créer un projet à partir d'un modèle" in result.output
    assert f"Date de début (par défaut{NNBSP}: aujourd'hui)." in result.output  # typeset, and never wrapped before « : »
    assert f"modèle{NNBSP};" in result.output
    assert "--template <texte>" in result.output and "<str>" not in result.output  # typer's type names too
    for english in ("Create a project", "Start date", "Template id", "Good Friday", "Example:"):
        assert english not in result.output, english


def test_project_new_help_is_english_with_cocon_lang_en(cli: Cli) -> None:
    result = cli("project", "new", "--help", env=EN)
    assert result.exit_code == 0, result.output
    flat = _flat(result.output)
    for key in ("cli.help.project.new", "cli.help.project.new.start", "cli.help.project.new.alsace_moselle"):
        assert _flat(locales.gettext(key, "en")) in flat, key
    assert "Start date (default: today)." in result.output and NNBSP not in result.output
    assert "--template <str>" in result.output
    for french in ("Créer", "Date de début", "Exemple", "fériés"):
        assert french not in result.output, french


def test_arguments_and_nested_commands_speak_the_users_language(cli: Cli) -> None:
    french = _flat(cli("charter", "render", "--help").output)
    assert "Identifiant court du projet, par exemple accueil-msp." in french  # an argument's help
    assert "Project short id" not in french
    english = _flat(cli("charter", "render", "--help", env=EN).output)
    assert "Project short id, e.g. accueil-msp." in english and "Identifiant court" not in english


def test_type_names_of_repeated_options_are_french(cli: Cli) -> None:
    assert "--state <liste[pending|sending|sent|failed|dead|cancelled]>" in cli("outbox", "list", "--help").output
    assert "FILE... <liste[chemin]>" in cli("templates", "check", "--help").output
    assert "--state <list[pending|" in cli("outbox", "list", "--help", env=EN).output


def test_the_command_lists_give_french_short_help(cli: Cli) -> None:
    top = cli("--help")
    assert top.exit_code == 0, top.output
    rows = [re.split(" {2,}", line.strip(), maxsplit=1) for line in top.output.split("Commandes")[1].splitlines()[1:]]
    lines = {row[0]: row[1] for row in rows if len(row) == 2}
    assert lines["project"] == "Créer, lister et suivre les projets."
    assert lines["templates"] == f"Modèles de projet{NNBSP}: la méthode, décrite en YAML."
    assert lines["demo"].startswith("Créer un projet de démonstration")
    group = cli("charter")  # a group typed alone: its help, and its commands' short help
    assert "Générer la charte à partir du projet" in group.output and "Render the charter" not in group.output
    english = cli("--help", env=EN).output
    assert "Create, list and follow projects." in english and "Créer" not in english


@pytest.mark.parametrize("path", [["plan", "move"], ["contribution", "add"], ["person", "update"], ["serve"]])
def test_every_option_of_a_command_shows_its_french_help(cli: Cli, path: list[str]) -> None:
    output = _flat(cli(*path, "--help").output)
    keys = [key for key, _text in _code_texts() if key.startswith(help_key(path) + ".") and key.count(".") == len(path) + 2]
    assert keys
    for key in keys:
        assert _flat(locales.gettext(key, "fr")) in output, key
        assert _flat(locales.gettext(key, "en")) not in output, key
