"""The floors hold and no module takes part in an import cycle (docs/ARCHITECTURE.md).

``lint-imports`` (run by .ci/run) checks the contracts in pyproject.toml between packages and
between the siblings of each package; this test looks at single modules, parents included (a
package's ``__init__`` that imports its own modules lazily is a cycle too).
"""

import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
from sqlmodel import Session

from tests.factories import make_project

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("locales", "project_templates", "planning", "store", "charters", "notifications", "accounts", "evaluation", "flows", "cocon")

def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle_and_only_cycles() -> None:
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": [], "c": ["b"]}) == []


def test_no_module_is_part_of_an_import_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    assert cycles(edges) == []


def test_no_contract_ignores_an_import() -> None:
    """Every contract holds as written: no edge is let through, and the cycle check covers every package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert [c["id"] for c in config["contracts"] if c.get("ignore_imports")] == []
    contract = next(c for c in config["contracts"] if c["id"] == "no-cycles")
    assert set(contract["ancestors"]) == set(PACKAGES) == set(config["root_packages"])


def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_no_package_hands_out_its_modules_lazily() -> None:
    """A module-level ``__getattr__`` importing on demand hides a cycle from the import graph."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "def __getattr__(" in path.read_text(encoding="utf-8").replace("    def __getattr__(", "")
    ]
    assert offenders == []


def test_every_error_a_coordinator_sees_is_a_cocon_error() -> None:
    """One root on the lowest floor: the faces catch ``CoconError`` alone."""
    import importlib
    import inspect

    from project_templates.exceptions import CoconError

    modules = [path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
               for package in PACKAGES for path in (ROOT / package).rglob("exceptions.py")]
    modules += ["planning.planner", "store.clock"]
    errors = [
        cls for name in modules for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == name
    ]
    assert len(errors) >= 20
    assert [cls.__qualname__ for cls in errors if not issubclass(cls, CoconError)] == []


def test_overdue_is_one_rule_in_python_and_in_sql(session: Session) -> None:
    """``is_overdue`` and ``overdue_condition`` agree: open (planned or started) and due before the day."""
    from sqlmodel import select

    from store.models import PlanStep, StepStatus
    from store.plans import is_overdue, overdue_condition, plan_steps

    project = make_project(session)
    steps = plan_steps(session, project)
    on = steps[len(steps) // 2].due
    for step, status in zip(steps, [StepStatus.PLANNED, StepStatus.IN_PROGRESS, StepStatus.DONE, StepStatus.SKIPPED] * 20,
                            strict=False):
        step.status = status
        session.add(step)
    session.flush()
    in_python = {s.key for s in plan_steps(session, project) if is_overdue(s, on)}
    in_sql = set(session.exec(select(PlanStep.key).where(PlanStep.project_id == project.id, overdue_condition(on))))
    assert in_python == in_sql
    assert in_python and all(s.due < on for s in steps if s.key in in_python)
    assert {s.key for s in steps if s.due < on and s.status in (StepStatus.PLANNED, StepStatus.IN_PROGRESS)} == in_python
