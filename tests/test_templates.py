"""Templates: the built-in ones are valid; broken ones give FILE:LINE: field: message, exit 1."""

import json
import re
from pathlib import Path

import pytest

from project_templates import builtin_templates, indicator_catalogue, load_template
from project_templates.loader import builtin_paths

BROKEN = sorted((Path(__file__).parent / "broken_templates").glob("*.yaml"))
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>\S+): (?P<message>.+)$")


def _expectation(path: Path) -> tuple[str, str]:
    header = path.read_text(encoding="utf-8").splitlines()[0]
    field, _, fragment = header.removeprefix("# expect: ").partition(": ")
    return field, fragment


def test_builtin_templates_load_and_cover_the_method() -> None:
    templates = {t.template.id: t.template for t in builtin_templates()}
    assert {"partenariat-msp", "boite-a-idees", "ambassadeur-sante"} <= set(templates)
    kinds = {step.kind.value for _, step in templates["partenariat-msp"].steps()}
    assert {"actor-mapping", "meeting", "charter", "indicators", "checkpoint", "conviviality", "evaluation",
            "restitution", "thanks"} <= kinds


@pytest.mark.parametrize("path", builtin_paths(), ids=lambda p: p.stem)
def test_check_builtin_exits_zero(cli, path: Path) -> None:
    result = cli("templates", "check", str(path))
    assert result.exit_code == 0, result.output
    assert "valide" in result.output


def test_at_least_fifteen_kinds_of_broken_templates() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_check_broken_template_reports_file_line_field(cli, path: Path) -> None:
    field, fragment = _expectation(path)
    result = cli("templates", "check", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, "no problem reported"
    parsed = [PROBLEM_LINE.match(line) for line in lines]
    assert all(parsed), lines
    hits = [m for m in parsed if m and m["field"] == field and fragment in m["message"]]
    assert hits, f"expected {field}: …{fragment}… in {lines}"
    hit = hits[0]
    assert hit["file"] == str(path)
    text = path.read_text(encoding="utf-8").splitlines()
    line = int(hit["line"])
    assert 1 <= line <= len(text)
    last_key = next((part for part in reversed(field.split(".")) if not part.isdigit()), None)
    if last_key and last_key not in ("(yaml)", "roles", "title") and "manquant" not in fragment:
        assert last_key in text[line - 1], f"line {line} is {text[line - 1]!r}, expected it to mention {last_key}"


def test_check_reports_every_problem_of_one_file(cli, tmp_path: Path) -> None:
    source = (Path(__file__).parent / "broken_templates" / "unknown-owner-role.yaml").read_text(encoding="utf-8")
    broken = source.replace("after: [action]", "after: [actoin]").replace("participants: [patient-partenaire]", "participants: [x-role]")
    path = tmp_path / "many.yaml"
    path.write_text(broken, encoding="utf-8")
    result = cli("templates", "check", str(path))
    assert result.exit_code == 1
    fields = [PROBLEM_LINE.match(line)["field"] for line in result.output.splitlines() if line]  # type: ignore[index]
    assert {"phases.pendant.steps.1.owner", "phases.apres.steps.0.after.0", "phases.pendant.steps.0.participants.0"} <= set(fields)


def test_check_missing_file_is_one_sentence(cli, tmp_path: Path) -> None:
    result = cli("templates", "check", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 1
    assert "introuvable" in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_a_template_is_one_french_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "liste.yaml"
    path.write_text("- une\n- deux\n", encoding="utf-8")
    result = cli("templates", "check", str(path))
    assert result.exit_code == 1
    assert result.output.strip() == f"{path}:1: (racine): on attend ici des clés et des valeurs (clé: valeur), comme dans les modèles fournis"


def test_templates_list_show_and_schema(cli) -> None:
    listed = json.loads(cli("templates", "list", "--json").output)
    assert {item["id"] for item in listed} >= {"partenariat-msp", "boite-a-idees", "ambassadeur-sante"}
    shown = cli("templates", "show", "partenariat-msp")
    assert shown.exit_code == 0 and "Signer la charte d'engagement" in shown.output
    schema = json.loads(cli("templates", "schema").output)
    assert schema["title"] == "Cocon project template"
    assert "phases" in schema["properties"] and schema["additionalProperties"] is False
    unknown = cli("templates", "show", "inconnu")
    assert unknown.exit_code == 1 and "Modèles disponibles" in unknown.output


def test_catalogue_has_at_least_ten_indicators_and_templates_use_it() -> None:
    catalogue = indicator_catalogue()
    assert len(catalogue) >= 10
    template = load_template(builtin_paths()[0]).template
    for choice in template.indicators:
        assert choice.resolve(catalogue).name.fr


SCHEMA_FILE = Path(__file__).resolve().parent.parent / "project_templates" / "template.schema.json"


def test_the_json_schema_file_is_the_model_s() -> None:
    """Regenerate with `cocon templates schema > project_templates/template.schema.json`."""
    from project_templates.loader import json_schema

    assert SCHEMA_FILE.read_text(encoding="utf-8") == json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def test_editors_find_the_schema_and_it_accepts_the_built_in_templates_only() -> None:
    import jsonschema
    import yaml

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    for path in builtin_paths():
        header = path.read_text(encoding="utf-8").splitlines()[0]
        target = header.removeprefix("# yaml-language-server: $schema=")
        assert target != header and (path.parent / target).resolve() == SCHEMA_FILE, path
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path
    for name in ("unknown-key", "unknown-kind", "bad-id", "missing-title", "version-zero"):
        broken = yaml.safe_load((Path(__file__).parent / "broken_templates" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert list(validator.iter_errors(broken)), name
