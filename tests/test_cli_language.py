"""The command line speaks the user's language from the catalogue: its own sentences, typer's usage
errors and help pages (French by default, English with ``COCON_LANG=en``), real plurals instead of
"(s)", and French decimal commas in every number typed."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlmodel import Session

from cocon.cli.language import LocalCommand, LocalGroup
from cocon.cli.main import app
from store.models import Project

Cli = Callable[..., Result]
EN = {"COCON_LANG": "en"}

#: Words and marks of Cocon's own French sentences, that English output must never hold.
FRENCH = re.compile(
    r"«|»|\s:\s|n°|\b(Erreur|Utilisation|Aide|Commandes|obligatoire|enregistrée?s?|préparée?s?|étapes?|"
    r"Aucun|aucune|Projet|Rappels|envoyés|sur|pour|avec|sans|une|est)\b"
)


def _english(result: Result) -> str:
    found = FRENCH.findall(result.output)
    assert not found, f"French in English output: {found!r}\n{result.output}"
    return result.output


def test_usage_errors_are_french_by_default(cli: Cli) -> None:
    missing = cli("project", "new")
    assert missing.exit_code == 2
    assert "Utilisation : root project new [OPTIONS]" in missing.output
    assert "Aide : « root project new --help »." in missing.output
    assert "Erreur : il manque l'option « --template »." in missing.output
    unknown = cli("project", "list", "--nope")
    assert unknown.exit_code == 2 and "Erreur : l'option « --nope » n'existe pas. (options possibles : --phase)" in unknown.output
    not_integer = cli("charter", "diff", "accueil", "--from", "abc")
    assert not_integer.exit_code == 2
    assert "Erreur : valeur impossible pour « --from » : il faut un nombre entier." in not_integer.output
    no_value = cli("contribution", "add", "accueil", "--person")
    assert no_value.exit_code == 2 and "l'option « --person » attend une valeur." in no_value.output
    assert "la commande « nope » n'existe pas." in cli("nope").output
    assert "il manque l'argument « P »." in cli("contribution", "add").output
    assert "argument en trop : b." in cli("project", "list", "b").output
    for result in (missing, unknown, not_integer, no_value):
        assert not re.search(r"Usage:|Error:|Missing|Invalid value|No such|Try \"", result.output), result.output


def test_usage_errors_are_english_with_cocon_lang_en(cli: Cli) -> None:
    missing = cli("project", "new", env=EN)
    assert missing.exit_code == 2
    assert "Usage: root project new [OPTIONS]" in _english(missing)
    assert 'Try "root project new --help" for help.' in missing.output
    assert 'Error: Missing option "--template".' in missing.output
    unknown = cli("project", "list", "--nope", env=EN)
    assert 'Error: No such option: "--nope". (Possible options: --phase)' in _english(unknown)
    not_integer = cli("charter", "diff", "accueil", "--from", "abc", env=EN)
    assert 'Error: Invalid value for "--from": a whole number is needed.' in _english(not_integer)
    assert "Got unexpected extra arguments: b c." in _english(cli("project", "list", "b", "c", env=EN))
    assert 'No such command: "nope".' in _english(cli("nope", env=EN))


def test_help_pages_speak_the_users_language(cli: Cli) -> None:
    french = cli("project", "new", "--help")
    assert french.exit_code == 0
    for words in ("Utilisation : root project new [OPTIONS]", "Options :", "[obligatoire]", "Afficher cette aide et quitter."):
        assert words in french.output, words
    assert "Show this message" not in french.output and "[required]" not in french.output
    english = cli("project", "new", "--help", env=EN)
    for words in ("Usage: root project new [OPTIONS]", "Options:", "[required]", "Show this message and exit."):
        assert words in english.output, words
    group = cli("charter")  # a group typed alone shows its help
    assert group.exit_code == 2 and "Commandes :" in group.output and "Afficher cette aide et quitter." in group.output
    assert "Utilisation : root charter [OPTIONS] COMMANDE [ARGUMENTS]..." in group.output
    english_group = cli("charter", env=EN).output
    assert "Commands:" in english_group and "Usage: root charter [OPTIONS] COMMAND [ARGS]..." in english_group


def _tree(typer_app, path: str = "cocon"):  # type: ignore[no-untyped-def]
    yield path, typer_app.info.cls
    for command in typer_app.registered_commands:
        yield f"{path} {command.name or command.callback.__name__}", command.cls
    for group in typer_app.registered_groups:
        yield from _tree(group.typer_instance, f"{path} {group.name}")


def test_every_command_of_the_tree_speaks_the_users_language() -> None:
    found = list(_tree(app))
    assert len(found) > 60
    for path, cls in found:
        assert isinstance(cls, type) and issubclass(cls, LocalCommand | LocalGroup), path


def test_counts_are_real_plurals(cli: Cli, session: Session, eval_running: Project, eval_clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slug = eval_running.slug
    outputs = []
    created = cli("project", "new", "--template", "boite-a-idees", "--name", "Idées", "--structure", "MSP",
                  "--start", "2027-01-04", "--end", "2027-05-28")
    assert re.search(r"\(\d+ étapes, du lundi 4 janvier 2027 au vendredi 28 mai 2027\)", created.output), created.output
    ics = cli("plan", "show", slug, "--format", "ics", "--output", str(tmp_path / "plan.ics"))
    assert re.search(r"\(\d+ événements\)", ics.output), ics.output
    eval_clock("2027-03-22T18:00")
    minutes = cli("checkpoint", "record", slug, "point-etape-1", "--date", "2027-03-22", "-a", "claire@example.org")
    assert "enregistré ; 5 envois préparés." in minutes.output, minutes.output
    held = cli("checkpoint", "record", slug, "point-etape-2", "--date", "2027-03-22", "-a", "1", "--no-send")
    outputs += [created, ics, minutes, held, cli("contribution", "list", slug), cli("outbox", "retry", slug),
                cli("remind", "--dry-run"), cli("templates", "validate", "project_templates/templates/boite-a-idees.yaml")]
    assert re.fullmatch(r"(0|1) notification remise en file d'attente\.|\d+ notifications remises en file d'attente\.",
                        outputs[5].output.strip()), outputs[5].output
    for result in outputs:
        assert "(s)" not in result.output and "(e)" not in result.output and "·" not in result.output, result.output


@pytest.mark.parametrize("hours", ["2,5", "2.5", " 2,5 "])
def test_hours_accept_a_french_decimal_comma(cli: Cli, eval_running: Project, hours: str) -> None:
    added = cli("contribution", "add", eval_running.slug, "-p", "awa@example.org", "--date", "2027-03-22",
                "--hours", hours, "--amount", "1 234,50", "--json")
    assert added.exit_code == 0, added.output
    listed = json.loads(cli("contribution", "list", eval_running.slug, "--json").output)
    assert [(row["hours"], row["amount_cents"]) for row in listed["entries"]] == [(2.5, 123450)]


def test_a_number_that_is_not_one_gets_one_sentence_in_each_language(cli: Cli, eval_running: Project) -> None:
    french = cli("contribution", "add", eval_running.slug, "-p", "awa@example.org", "--hours", "deux")
    assert french.exit_code == 1
    assert french.output.strip() == "« deux » n'est pas un nombre : écrivez par exemple 2,5 ou 2.5."
    english = cli("contribution", "add", eval_running.slug, "-p", "awa@example.org", "--hours", "two", env=EN)
    assert english.exit_code == 1 and english.output.strip() == '"two" is not a number: write for example 2.5 or 2,5.'


def test_english_output_holds_no_french(cli: Cli, eval_running: Project, eval_clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slug = eval_running.slug
    eval_clock("2027-03-22T18:00")
    spoken = [
        cli("project", "list", env=EN),
        cli("project", "show", slug, env=EN),
        cli("plan", "show", slug, env=EN),
        cli("contribution", "add", slug, "-p", "awa@example.org", "--date", "2027-03-22", "--hours", "2,5",
            "--amount", "12,40", env=EN),
        cli("contribution", "list", slug, env=EN),
        cli("proposal", "add", slug, "-p", "awa@example.org", "--text", "Bigger signs", env=EN),
        cli("checkpoint", "record", slug, "point-etape-1", "--date", "2027-03-22", "-a", "1", env=EN),
        cli("plan", "show", slug, "--format", "ics", "--output", str(tmp_path / "plan.ics"), env=EN),
        cli("outbox", "retry", slug, env=EN),
        cli("remind", "--dry-run", env=EN),
        cli("templates", "validate", "project_templates/templates/boite-a-idees.yaml", env=EN),
        cli("charter", "diff", slug, env=EN),
        cli("calendar", "revoke", slug, env=EN),
        cli("db", "upgrade", env=EN),
    ]
    for result in spoken:
        _english(result)
    assert "Total: 2.5\u202fh" in spoken[4].output or "Total: 2.5 h" in spoken[4].output, spoken[4].output
    assert "message queued" in spoken[6].output or "messages queued" in spoken[6].output, spoken[6].output


def test_every_availability_word_has_a_label_in_each_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from cocon.cli.projects import slot_label
    from store.people import AVAILABILITY

    for slot in set(AVAILABILITY.values()):
        monkeypatch.setenv("COCON_LANG", "fr")
        assert slot_label(slot) == slot.replace("apres-midi", "après-midi")
        monkeypatch.setenv("COCON_LANG", "en")
        assert slot_label(slot) in {"mornings", "afternoons", "evenings", "weekdays", "weekends"}, slot


def test_person_list_in_english_names_moments_in_english(cli: Cli, eval_project: Project) -> None:
    slug = eval_project.slug
    added = cli("person", "add", slug, "--name", "Léa Petit", "--role", "patient-partenaire", "--email", "lea@example.org",
                "--availability", "soir", "--availability", "après-midi")
    assert added.exit_code == 0, added.output
    assert "Léa Petit rejoint le projet" in added.output
    french = cli("person", "list", slug)
    assert "soir, après-midi" in french.output or "après-midi, soir" in french.output, french.output
    listed = cli("person", "list", slug, env=EN)
    assert listed.exit_code == 0, listed.output
    assert "n°" not in listed.output and "evenings" in listed.output and "afternoons" in listed.output
    assert not re.search(r"\b(matin|soir|après-midi|apres-midi|semaine)\b", listed.output), listed.output


def test_input_ending_at_a_question_aborts_in_the_users_language(cli: Cli, session: Session, eval_running: Project) -> None:
    from evaluation.feedback import invite_participants
    from evaluation.questionnaire import responses

    created = invite_participants(session, eval_running, actor="claire")
    session.commit()
    french = cli("feedback", "answer", created[0].token, input="5\n")
    assert french.exit_code == 1 and "Abandon : rien n'a été enregistré." in french.output, french.output
    english = cli("feedback", "answer", created[1].token, input="5\n", env=EN)
    assert english.exit_code == 1 and "\nAborted: nothing was saved." in english.output  # the questions stay in her language
    assert responses(session, eval_running) == []
