"""Every command documents itself with an example, and the README names every command group."""

import re
from pathlib import Path

import typer
from typer.main import get_command

from cocon.cli.main import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, object]]:
    root = get_command(app)
    found = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            found.extend((f"{name} {sub_name}", sub_command) for sub_name, sub_command in sub.items())
        else:
            found.append((name, command))
    return found


def test_every_command_has_help_with_an_example() -> None:
    missing = [name for name, command in _commands() if "Example:" not in (command.help or "")]  # type: ignore[attr-defined]
    assert not missing, f"commands without an example in their help: {missing}"


def test_readme_mentions_every_command_group() -> None:
    root = get_command(app)
    groups = sorted(root.commands)  # type: ignore[attr-defined]
    absent = [group for group in groups if f"cocon {group}" not in README]
    assert not absent, f"README does not document: {absent}"


def test_help_runs_for_every_command(cli) -> None:
    for name, _ in _commands():
        result = cli(*name.split(), "--help")  # French by default
        assert result.exit_code == 0, name
        assert "Exemple\u202f: " in result.output, name
        english = cli(*name.split(), "--help", env={"COCON_LANG": "en"})
        assert english.exit_code == 0 and "Example:" in english.output, name


def test_typer_app_is_the_entry_point() -> None:
    assert isinstance(app, typer.Typer)


def test_help_examples_name_the_demo_project_and_its_people() -> None:
    """A coordinator trying an example on `cocon demo` finds the project and the person it names."""
    from cocon.cli.demo import DEMO_PEOPLE

    examples = "\n".join((command.help or "").split("Example:")[-1] for _, command in _commands())  # type: ignore[attr-defined]
    slugs = set(re.findall(r"cocon [a-z]+ [a-z]+ ([a-z]+-[a-z-]+)(?![\w.])", examples))
    assert slugs and slugs <= {"accueil-msp", "partenariat-msp", "boite-a-idees", "ambassadeur-sante"}, slugs
    people = set(re.findall(r"(?:--person|-p|-a) (\S+@\S+)", examples))
    assert people and people <= {email for _, _, email, _, _ in DEMO_PEOPLE}, people
    numbers = re.findall(r"cocon person (?:export|erase) (\d+)", examples)  # `export 5 -o awa.json` is Awa
    assert numbers and {DEMO_PEOPLE[int(n) - 1][0] for n in numbers} == {"Awa Diallo"}, numbers
