"""How long checking hostile or large template files takes (CPU seconds and peak memory).

    .venv/bin/python bench/templates.py
"""

import contextlib
import time
import tracemalloc
from collections.abc import Callable

from project_templates import TemplateError, parse_template
from project_templates.loader import MAX_STEPS, builtin_paths

BASE = builtin_paths()[0].read_text(encoding="utf-8")


def with_steps(count: int, *, aliased: bool = False) -> str:
    if aliased:
        extra = "      - &x {id: x, kind: task, title: T, owner: coordination, due: start + 2w}\n" + "      - *x\n" * (count - 1)
    else:
        extra = "".join(f"      - {{id: t{i}, kind: task, title: T, owner: coordination, due: start + 2w}}\n"
                        for i in range(count))
    return BASE.replace("  pendant:\n    steps:\n", "  pendant:\n    steps:\n" + extra, 1)


def laughs(levels: int = 9) -> str:
    lines = ['a: &a ["ha","ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    for i in range(1, levels):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 10) + "]")
    return "\n".join(lines) + "\n"


CASES: dict[str, Callable[[], str]] = {
    "built-in template": lambda: BASE,
    f"{MAX_STEPS - 30} steps (accepted)": lambda: with_steps(MAX_STEPS - 30),
    "10,000 steps written out": lambda: with_steps(10_000),
    "10,000 steps by alias": lambda: with_steps(10_000, aliased=True),
    "billion laughs": laughs,
    "64 KiB of list items": lambda: "tags: [" + ",".join(["x"] * 32_000) + "]\n",
}


def main() -> None:
    for name, make in CASES.items():
        text = make()
        started = time.process_time()
        try:
            parse_template(text, "bench.yaml")
            outcome = "valid"
        except TemplateError as exc:
            outcome = str(exc.problems[0].message)[:60]
        spent = time.process_time() - started
        tracemalloc.start()
        with contextlib.suppress(TemplateError):
            parse_template(text, "bench.yaml")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:<28} {len(text) / 1024:>8.0f} KiB  {spent * 1000:>7.1f} ms CPU  {peak / 1e6:>6.1f} MB  {outcome}")


if __name__ == "__main__":
    main()
