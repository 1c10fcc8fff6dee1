"""Errors about templates.

    TemplateError          a template file is not valid (carries every problem found)
    TemplateNotFound       no built-in template or file by that name
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class TemplateError(Exception):
    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateNotFound(Exception):
    pass
