"""Load and check template files, reporting every problem as ``FILE:LINE: field.path: message``.

YAML is composed into nodes first so that each value keeps the line it was written on; a
pydantic error's location (``phases.avant.steps.2.due``) is then mapped back to that line.

A template file may come from anyone, so checking one is bounded: its size
(:data:`MAX_TEMPLATE_BYTES`), the number of values once aliases are expanded
(:data:`MAX_NODES`, which stops "billion laughs" files), their nesting (:data:`MAX_DEPTH`) and the
number of steps (:data:`MAX_STEPS`). Anything beyond is a :class:`TemplateError`, like any other
problem, found before the schema is applied.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.constructor import SafeConstructor

from project_templates.exceptions import TemplateError, TemplateNotFound, TemplateProblem
from project_templates.phases import PHASE_ORDER, ProjectPhase
from project_templates.phrases import Phrase, WrongValue
from project_templates.schema import (
    GATHERING_KINDS,
    IndicatorDefinition,
    ProjectTemplate,
    StepKind,
)

BUILTIN_DIR = Path(__file__).parent / "builtin"
CATALOGUE_FILE = Path(__file__).parent / "indicators.yaml"

Loc = tuple[str | int, ...]

#: Largest template file accepted (the built-in ones are about 10 KB).
MAX_TEMPLATE_BYTES = 64 * 1024
#: Most values in a template once YAML aliases are expanded (the built-in ones have about 300).
MAX_NODES = 5_000
#: Deepest nesting of lists and mappings (the built-in ones go 7 deep).
MAX_DEPTH = 40
#: Most steps in a template, all phases together (the built-in ones have about 20).
MAX_STEPS = 200

#: The C parser when PyYAML was built with libyaml: about ten times faster on large files.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LoadedTemplate:
    """A valid template with the exact text it came from."""

    template: ProjectTemplate
    source: str
    text: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# --- YAML with line numbers -----------------------------------------------------------------


class _TooBig(Exception):
    """A template beyond one of the limits; ``message`` says which."""

    def __init__(self, line: int, field: str | Phrase, message: Phrase) -> None:
        self.line, self.field, self.message = line, field, message


class _Builder:
    """Turns composed YAML nodes into Python values, noting each value's line, within the limits."""

    def __init__(self) -> None:
        self.lines: dict[Loc, int] = {}
        self.count = 0
        self.open: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def value(self, node: yaml.Node, loc: Loc) -> Any:
        line = node.start_mark.line + 1
        self.lines[loc] = line
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(line, _dotted(loc), Phrase("error.templates.too_many_values", limit=MAX_NODES))
        if len(loc) > MAX_DEPTH:
            raise _TooBig(line, _dotted(loc), Phrase("error.templates.too_deep", limit=MAX_DEPTH))
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self.scalar(node)
        if id(node) in self.open:
            raise _TooBig(line, _dotted(loc), Phrase("error.templates.alias_loop"))
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(item, (*loc, i)) for i, item in enumerate(node.value)]
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                key_line = key_node.start_mark.line + 1
                if not isinstance(key, str | int):
                    raise _TooBig(key_line, _dotted(loc), Phrase("error.templates.key_not_word"))
                child = (*loc, key)
                if key in result:
                    raise _DuplicateKey(child, key_line)
                result[key] = self.value(value_node, child)
                self.lines[child] = key_line
            return result
        finally:
            self.open.discard(id(node))

    def scalar(self, node: yaml.Node) -> Any:
        build = self.constructor.yaml_constructors.get(node.tag, SafeConstructor.construct_undefined)
        return build(self.constructor, node)


class _DuplicateKey(Exception):
    def __init__(self, loc: Loc, line: int) -> None:
        self.loc, self.line = loc, line


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


ROOT_FIELD = Phrase("error.templates.field_root")
YAML_FIELD = Phrase("error.templates.field_yaml")
FILE_FIELD = Phrase("error.templates.field_file")


def _dotted(loc: Iterable[str | int]) -> str | Phrase:
    return ".".join(str(part) for part in loc) or ROOT_FIELD


def _parse(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateError([_too_large(source, size)])
    try:
        node = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateError([TemplateProblem(source, line, YAML_FIELD, Phrase("error.templates.yaml_unreadable", problem=problem))]) from None
    except RecursionError:
        raise TemplateError([TemplateProblem(source, 1, YAML_FIELD, Phrase("error.templates.too_deep", limit=MAX_DEPTH))]) from None
    if node is None:
        raise TemplateError([TemplateProblem(source, 1, ROOT_FIELD, Phrase("error.templates.empty_file"))])
    builder = _Builder()
    try:
        data = builder.value(node, ())
    except _DuplicateKey as dup:
        raise TemplateError(
            [TemplateProblem(source, dup.line, _dotted(dup.loc), Phrase("error.templates.duplicate_key"))]
        ) from None
    except _TooBig as big:
        raise TemplateError([TemplateProblem(source, big.line, big.field, big.message)]) from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # A scalar the YAML tag cannot build (a date like 2026-13-45, an unknown !tag).
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateError([TemplateProblem(source, line, YAML_FIELD, Phrase("error.templates.value_unreadable", problem=problem))]) from None
    _check_step_count(data, builder.lines, source)
    return data, builder.lines


def _too_large(source: str, size: int) -> TemplateProblem:
    return TemplateProblem(
        source, 1, FILE_FIELD,
        Phrase("error.templates.file_too_large", size=size // 1024, limit=MAX_TEMPLATE_BYTES // 1024),
    )


def _check_step_count(data: Any, lines: dict[Loc, int], source: str) -> None:
    phases = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(phases, dict):
        return
    total = sum(len(p["steps"]) for p in phases.values() if isinstance(p, dict) and isinstance(p.get("steps"), list))
    if total > MAX_STEPS:
        raise TemplateError([TemplateProblem(
            source, _line_for(("phases",), lines), "phases",
            Phrase("error.templates.too_many_steps", total=total, limit=MAX_STEPS),
        )])


# --- the catalogue of indicators ------------------------------------------------------------


@cache
def indicator_catalogue() -> dict[str, IndicatorDefinition]:
    """The default indicators for partnership projects, by code."""
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    entries = [IndicatorDefinition.model_validate(item) for item in data["indicators"]]
    return {entry.code: entry for entry in entries}


# --- cross-reference checks ------------------------------------------------------------------


def semantic_problems(template: ProjectTemplate) -> list[tuple[Loc, Phrase]]:
    """Every cross-reference problem of a schema-valid template, with its location."""
    problems: list[tuple[Loc, Phrase]] = []
    roles = set(template.roles)
    phase_of: dict[str, ProjectPhase] = {}
    loc_of: dict[str, Loc] = {}
    recurring = {step.id for _, step in template.steps() if step.rule.recurring}

    for phase_name, phase in template.phases.by_name().items():
        for index, step in enumerate(phase.steps):
            loc: Loc = ("phases", phase_name.value, "steps", index)
            if step.id in phase_of:
                problems.append(((*loc, "id"), Phrase("error.templates.step_twice", step=step.id)))
                continue
            phase_of[step.id] = phase_name
            loc_of[step.id] = loc

    for phase_name, phase in template.phases.by_name().items():
        for index, step in enumerate(phase.steps):
            loc = ("phases", phase_name.value, "steps", index)
            if step.owner not in roles:
                problems.append(((*loc, "owner"), _unknown_role(step.owner, roles)))
            for i, role in enumerate(step.participants):
                if role not in roles and role != "tous":
                    problems.append(((*loc, "participants", i), _unknown_role(role, roles)))
            for i, dep in enumerate(step.after):
                if dep not in phase_of:
                    problems.append(((*loc, "after", i), Phrase("error.templates.unknown_step", step=dep)))
            rule = step.rule
            if rule.anchor == "after" and rule.step not in phase_of:
                problems.append(((*loc, "due"), Phrase("error.templates.unknown_rule_step", step=rule.step)))
            if rule.recurring:
                if step.kind != StepKind.CHECKPOINT:
                    problems.append(((*loc, "due"), Phrase("error.templates.only_checkpoints_repeat")))
                if phase_name != ProjectPhase.PENDANT:
                    problems.append(((*loc, "due"), Phrase("error.templates.repeat_in_pendant")))
                if step.after:
                    problems.append(((*loc, "after"), Phrase("error.templates.repeat_no_dependency")))
            if phase_name != ProjectPhase.APRES and rule.anchor == "end" and rule.sign > 0 and rule.offset and rule.offset.amount > 0:
                problems.append(((*loc, "due"), Phrase("error.templates.after_end", phase=phase_name.value)))
            if rule.anchor == "start" and rule.sign < 0 and rule.offset and rule.offset.amount > 0:
                problems.append(((*loc, "due"), Phrase("error.templates.before_start")))
            if step.gathering is not None and step.kind not in GATHERING_KINDS:
                problems.append(((*loc, "gathering"), Phrase("error.templates.gathering_kinds")))
            if step.reminders and step.reminders.escalate_to and step.reminders.escalate_to not in roles:
                problems.append(((*loc, "reminders", "escalate_to"), _unknown_role(step.reminders.escalate_to, set())))
            for dep in step.dependencies:
                dep_phase = phase_of.get(dep)
                if dep_phase is None:
                    continue
                if PHASE_ORDER.index(dep_phase) > PHASE_ORDER.index(phase_name):
                    problems.append(((*loc, "after"), Phrase("error.templates.later_dependency", step=step.id, phase=phase_name.value, dependency=dep, dependency_phase=dep_phase.value)))
                if dep in recurring:
                    problems.append(((*loc, "after"), Phrase("error.templates.depends_on_repeated", step=dep)))

    problems.extend(_cycle_problems(template, loc_of))

    for name, policy in [("default", template.reminders.default), *[(k.value, p) for k, p in template.reminders.by_kind.items()]]:
        if policy.escalate_to and policy.escalate_to not in roles:
            problems.append((("reminders", name, "escalate_to"), _unknown_role(policy.escalate_to, set())))

    catalogue = indicator_catalogue()
    seen_codes: set[str] = set()
    for i, choice in enumerate(template.indicators):
        if choice.code in seen_codes:
            problems.append((("indicators", i, "code"), Phrase("error.templates.indicator_twice", code=choice.code)))
        seen_codes.add(choice.code)
        if choice.code not in catalogue and (choice.name is None or choice.definition is None or choice.unit is None):
            problems.append((("indicators", i, "code"), Phrase("error.templates.indicator_not_in_catalogue", code=choice.code)))

    has_charter = any(step.kind == StepKind.CHARTER for _, step in template.steps())
    if has_charter and not any(role.signer for role in template.roles.values()):
        problems.append((("roles",), Phrase("error.templates.charter_without_signer")))
    if not template.coordinator_roles():
        problems.append((("roles",), Phrase("error.templates.no_coordinator")))
    return problems


def _unknown_role(role: str, roles: set[str]) -> Phrase:
    if roles:
        return Phrase("error.templates.unknown_role_known", role=role, roles=sorted(roles))
    return Phrase("error.templates.unknown_role", role=role)


def _cycle_problems(template: ProjectTemplate, loc_of: dict[str, Loc]) -> list[tuple[Loc, Phrase]]:
    graph = {step.id: [d for d in step.dependencies if d in loc_of] for _, step in template.steps()}
    state: dict[str, int] = {}
    found: list[tuple[Loc, Phrase]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep):], dep] if dep in path else [node, dep]
                found.append(((*loc_of[node], "after"), Phrase("error.templates.dependency_loop", cycle=" → ".join(cycle))))
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    return found


# --- public entry points ---------------------------------------------------------------------


def parse_template(text: str, source: str) -> ProjectTemplate:
    """Validate template text; raise :class:`TemplateError` listing every problem."""
    data, lines = _parse(text, source)
    try:
        template = ProjectTemplate.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
            message = _message(error)
            problems.append(TemplateProblem(source, _line_for(loc, lines), _dotted(loc), message))
        raise TemplateError(_unique(problems)) from None
    semantic = semantic_problems(template)
    if semantic:
        raise TemplateError(
            [TemplateProblem(source, _line_for(loc, lines), _dotted(loc), message) for loc, message in semantic]
        )
    return template


def _message(error: Any) -> str | Phrase:
    kind = error["type"]
    if kind == "extra_forbidden":
        return Phrase("error.templates.unknown_key")
    if kind in ("model_type", "dict_type"):
        return Phrase("error.templates.mapping_expected")
    if kind == "missing":
        return Phrase("error.templates.missing_field")
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return Phrase("error.templates.unknown_value", value=str(error.get("input")), expected=expected)
    if kind == "string_pattern_mismatch":
        return Phrase("error.templates.invalid_id", value=str(error.get("input")))
    context = error.get("ctx", {})
    wrong = context.get("error")
    if isinstance(wrong, WrongValue):
        return wrong.phrase
    if kind in _LIMITS:
        bound, key = _LIMITS[kind]
        return Phrase(key, limit=str(context.get(bound, "")))
    if kind in _KINDS:
        return Phrase(_KINDS[kind])
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


#: pydantic's checks of a bound, by error type: the bound named in their context, and the catalogue key.
_LIMITS = {
    kind: (bound, f"error.templates.{kind}")
    for kind, bound in [
        ("greater_than_equal", "ge"), ("greater_than", "gt"), ("less_than_equal", "le"), ("less_than", "lt"),
        ("string_too_long", "max_length"), ("string_too_short", "min_length"),
        ("too_long", "max_length"), ("too_short", "min_length"),
    ]
}

#: pydantic's checks of a kind of value, by error type: the catalogue key saying what is expected.
_KINDS = {
    "int_parsing": "error.templates.integer_expected", "int_type": "error.templates.integer_expected",
    "int_from_float": "error.templates.integer_expected",
    "float_parsing": "error.templates.number_expected", "float_type": "error.templates.number_expected",
    "string_type": "error.templates.text_expected",
    "bool_parsing": "error.templates.yes_no_expected", "bool_type": "error.templates.yes_no_expected",
    "list_type": "error.templates.list_expected",
    "date_parsing": "error.templates.date_expected", "date_from_datetime_parsing": "error.templates.date_expected",
    "date_type": "error.templates.date_expected",
}


def _unique(problems: list[TemplateProblem]) -> list[TemplateProblem]:
    seen: set[TemplateProblem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def load_template(path: str | Path) -> LoadedTemplate:
    """Load one template file; raise :class:`TemplateError` naming file, line and field."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateError([_too_large(str(file), size)])
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateNotFound("error.templates.file_not_found", file=str(file)) from None
    except IsADirectoryError:
        raise TemplateNotFound("error.templates.is_folder", file=str(file)) from None
    except PermissionError:
        raise TemplateNotFound("error.templates.unreadable_file", file=str(file)) from None
    except UnicodeDecodeError:
        raise TemplateError([TemplateProblem(str(file), 1, FILE_FIELD, Phrase("error.templates.not_utf8"))]) from None
    return LoadedTemplate(parse_template(text, str(file)), str(file), text)


def builtin_paths() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def builtin_templates() -> list[LoadedTemplate]:
    """The templates shipped with Cocon, sorted by id."""
    return sorted((load_template(path) for path in builtin_paths()), key=lambda t: t.template.id)


def find_template(ref: str) -> LoadedTemplate:
    """A built-in template by id, or a template file by path."""
    for path in builtin_paths():
        if path.stem == ref:
            return load_template(path)
    candidate = Path(ref)
    if candidate.suffix in {".yaml", ".yml"} and candidate.exists():
        return load_template(candidate)
    known = ", ".join(p.stem for p in builtin_paths())
    raise TemplateNotFound("error.templates.unknown_template", ref=ref, known=known)


def json_schema() -> dict[str, Any]:
    """JSON Schema of a template file, for editors that validate YAML as it is typed."""
    schema = ProjectTemplate.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Cocon project template"
    return schema
