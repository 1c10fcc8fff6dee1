"""Hostile template files: the loader answers with a TemplateError, quickly and in little memory.

Every input goes through :func:`_check`, which loads it twice: once timed (CPU time of this
process, so that other work on the machine does not make the test flaky) and once under
tracemalloc for its peak memory. Limits: 1 s and 200 MB per file, far above what a template
within the loader's limits needs (a few ms and a few MB), far below an unbounded expansion.
"""

import gc
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from project_templates import ProjectTemplate, TemplateError, load_template, parse_template
from project_templates.loader import MAX_NODES, MAX_STEPS, MAX_TEMPLATE_BYTES, builtin_paths

CPU_SECONDS = 1.0
PEAK_BYTES = 200 * 1024 * 1024
BUILTIN_TEXTS = [path.read_text(encoding="utf-8") for path in builtin_paths()]
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def _load(path: Path) -> ProjectTemplate | None:
    """The template, or None when the loader refused it with a TemplateError (anything else fails the test)."""
    try:
        return load_template(path).template
    except TemplateError as exc:
        assert exc.problems, "a TemplateError without any problem"
        return None


def _check(path: Path) -> ProjectTemplate | None:
    # What the suite's process already holds is frozen out of the garbage collector's passes, so the
    # CPU measured is the loader's own, not that of walking hundreds of earlier tests' objects.
    gc.freeze()
    try:
        started = time.process_time()
        result = _load(path)
        spent = time.process_time() - started
    finally:
        gc.unfreeze()
    assert spent < CPU_SECONDS, f"{path.name}: {spent:.2f} s of CPU"
    tracemalloc.start()
    try:
        _load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{path.name}: {peak / 1e6:.0f} MB"
    return result


def _write(tmp_path: Path, content: str | bytes, name: str = "modele.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return path


# --- hand-made hostile files ------------------------------------------------------------------


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["ha","ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    for i in range(1, levels):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _many_steps(count: int, *, aliased: bool) -> str:
    """A valid built-in template with ``count`` more task steps in ``pendant``."""
    base = BUILTIN_TEXTS[0]
    if aliased:
        first = "      - &extra {id: extra, kind: task, title: T, owner: coordination, due: start + 2w}\n"
        extra = first + "      - *extra\n" * (count - 1)
    else:
        extra = "".join(
            f"      - {{id: t{i}, kind: task, title: T, owner: coordination, due: start + 2w}}\n" for i in range(count)
        )
    head, marker, tail = base.partition("  pendant:\n    steps:\n")
    assert marker, "the built-in template changed shape"
    return head + marker + extra + tail


HOSTILE = {
    "billion-laughs": _billion_laughs(),
    "self-alias-list": "a: &a [1, *a]\n",
    "self-alias-map": "a: &a {b: *a}\n",
    "deep-nesting": "[" * 20_000 + "]" * 20_000,
    "wide-list": "tags: [" + ",".join(["x"] * 30_000) + "]\n",
    "steps-by-alias": _many_steps(10_000, aliased=True),
    "python-tag": "id: !!python/object/apply:os.system ['true']\n",
    "bad-timestamp": "id: 2026-13-45\n",
    "complex-key": "? [a, b]\n: c\n",
    "merge-key": "base: &b {id: x}\nother: {<<: *b}\n",
    "nul-byte": "id: \x00\n",
    "huge-int": "version: " + "9" * 4000 + "\n",
    "only-comment": "# rien\n",
    "scalar-root": "bonjour\n",
    "list-root": "- 1\n- 2\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_with_a_template_error(tmp_path: Path, name: str) -> None:
    assert _check(_write(tmp_path, HOSTILE[name])) is None


def test_billion_laughs_names_the_alias_limit(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(_write(tmp_path, _billion_laughs()))
    assert f"plus de {MAX_NODES} valeurs" in str(caught.value)


def test_ten_thousand_steps_are_refused_within_a_second(tmp_path: Path) -> None:
    for aliased in (False, True):
        path = _write(tmp_path, _many_steps(10_000, aliased=aliased), f"steps-{aliased}.yaml")
        started = time.process_time()
        with pytest.raises(TemplateError) as caught:
            load_template(path)
        assert time.process_time() - started < CPU_SECONDS
        message = str(caught.value)
        assert "fichier trop gros" in message or f"au plus {MAX_STEPS}" in message or "valeurs" in message, message


def test_largest_accepted_template_checks_within_a_second(tmp_path: Path) -> None:
    path = _write(tmp_path, _many_steps(MAX_STEPS - 30, aliased=False))
    assert path.stat().st_size < MAX_TEMPLATE_BYTES
    template = _check(path)
    assert template is not None and len(template.steps()) > MAX_STEPS - 30


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = _write(tmp_path, "# " + "x" * (MAX_TEMPLATE_BYTES + 10) + "\n")
    with pytest.raises(TemplateError, match="fichier trop gros"):
        load_template(path)


def test_zero_recurrence_is_refused_and_project_new_ends(tmp_path: Path, cli: Callable[..., Result]) -> None:
    text = BUILTIN_TEXTS[0]
    assert "due: every 6w" in text
    broken = _write(tmp_path, text.replace("due: every 6w", "due: every 0w"))
    with pytest.raises(TemplateError, match="période d'au moins 1"):
        load_template(broken)
    result = cli("project", "new", "--name", "Zéro", "--template", str(broken), "--structure", "MSP des Tilleuls",
                 "--start", "2027-01-04", "--end", "2027-06-30")
    assert result.exit_code == 1, result.output
    assert "période d'au moins 1" in result.output


# --- fuzzing ----------------------------------------------------------------------------------


@FUZZ
@given(content=st.binary(max_size=4096))
def test_random_bytes(tmp_path: Path, content: bytes) -> None:
    _check(_write(tmp_path, content))


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
    st.sampled_from(["every 0w", "every 4w", "start + 2w", "end - 90d", "after x + 1d", "tous", "coordination"]),
)
_keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["id", "version", "title", "description", "roles", "phases", "avant", "pendant", "apres",
                     "steps", "kind", "owner", "due", "after", "participants", "reminders", "indicators", "charter"]),
)
_trees = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(_keys, inner, max_size=6), max_leaves=60
)


@FUZZ
@given(tree=_trees)
def test_random_yaml_trees(tmp_path: Path, tree: object) -> None:
    _check(_write(tmp_path, yaml.safe_dump(tree, allow_unicode=True)))


_mutation = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "insert", "replace-char", "indent", "truncate"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    st.text(max_size=30),
)


@FUZZ
@given(which=st.integers(min_value=0, max_value=len(BUILTIN_TEXTS) - 1), mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_builtin_templates(tmp_path: Path, which: int, mutations: list[tuple[str, int, int, str]]) -> None:
    lines = BUILTIN_TEXTS[which].splitlines(keepends=True)
    for kind, a, b, text in mutations:
        if not lines:
            break
        i, j = a % len(lines), b % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(j, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            lines.insert(i, text + "\n")
        elif kind == "replace-char" and lines[i]:
            k = b % len(lines[i])
            lines[i] = lines[i][:k] + (text[:1] or " ") + lines[i][k + 1:]
        elif kind == "indent":
            lines[i] = "  " + lines[i]
        elif kind == "truncate":
            lines = lines[: max(i, 1)]
    result = _check(_write(tmp_path, "".join(lines)))
    if result is not None:
        assert parse_template("".join(lines), "x.yaml") == result
