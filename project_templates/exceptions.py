"""Errors a coordinator may see, rooted on the lowest floor so every package can derive from it.

    CoconError             base of every error shown to a user as one French sentence
    ├── TemplateError      a template file is not valid (carries every problem found)
    └── TemplateNotFound   no built-in template or file by that name

The other floors add their branches under :class:`CoconError`: ``planning.planner.PlanError``,
``store.clock.ClockError``, ``store.exceptions`` (not found, transitions, gates, input), and each
service's ``exceptions.py``. The faces catch ``CoconError`` alone.
"""

from dataclasses import dataclass


class CoconError(Exception):
    """Base of every error shown to a user as one sentence."""


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class TemplateError(CoconError):
    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateNotFound(CoconError):
    pass
