"""Errors a coordinator may see. Each message is one French sentence saying what to do.

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

from project_templates.exceptions import CoconError

__all__ = [
    "CoconError",
    "InvalidInput",
    "NotFound",
    "PersonNotFound",
    "PhaseGateClosed",
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
    def __init__(self, message: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(message)


class InvalidInput(CoconError):
    pass


class DatabaseUnavailable(CoconError):
    """The database is missing, replaced, locked, read-only or damaged; ``reason`` names which."""

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)
