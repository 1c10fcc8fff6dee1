"""Errors a coordinator may see. Each message is one sentence saying what to do (catalogue keys ``error.store.*``).

    CoconError                   (defined on the lowest floor, ``project_templates.exceptions``)
    ├── NotFound
    │   ├── ProjectNotFound
    │   ├── StepNotFound
    │   └── PersonNotFound
    ├── TransitionNotAllowed     a step or project cannot make that move from its state
    ├── PhaseGateClosed          leaving a phase needs things not done yet (``.missing``)
    ├── InvalidInput             a value given by the user cannot be used
    └── DatabaseUnavailable      the database cannot be used as it is (``.reason``): nothing was saved
"""

from typing import Any

from project_templates.exceptions import CoconError
from project_templates.phrases import Phrase

__all__ = [
    "CoconError",
    "InvalidInput",
    "NotFound",
    "PersonNotFound",
    "PhaseGateClosed",
    "Phrase",
    "ProjectNotFound",
    "StepNotFound",
    "TransitionNotAllowed",
]


class NotFound(CoconError):
    pass


class ProjectNotFound(NotFound):
    pass


class StepNotFound(NotFound):
    pass


class PersonNotFound(NotFound):
    pass


class TransitionNotAllowed(CoconError):
    pass


class PhaseGateClosed(CoconError):
    def __init__(self, key: str, /, missing: list[str], **values: Any) -> None:
        self.missing = missing
        super().__init__(key, **values)


class InvalidInput(CoconError):
    pass


class DatabaseUnavailable(CoconError):
    """The database is missing, replaced, locked, read-only or damaged; ``reason`` names which."""

    def __init__(self, key: str, /, reason: str, **values: Any) -> None:
        self.reason = reason
        super().__init__(key, **values)
