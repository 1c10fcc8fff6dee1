"""Errors a coordinator may see, rooted on the lowest floor so every package can derive from it.

    CoconError             base of every error shown to a user as one sentence (French first, English available)
    ├── TemplateError      a template file is not valid (carries every problem found)
    └── TemplateNotFound   no built-in template or file by that name

An error carries a catalogue key and its values, not a sentence: ``raise StepNotFound(
"error.store.step_not_found", step=key, project=slug)``. ``error.message(lang)`` writes it in a
language; ``str(error)`` is the French sentence (logs, tests). A value that depends on the language
is given as a :class:`~project_templates.phrases.Phrase` (another key) or as a function of the language
(``due=partial(long_date, day)``); a list is joined with commas. A raise with a plain sentence still
works (it is shown as is, in every language); ``tests/test_error_messages.py`` checks none is left.

The other floors add their branches under :class:`CoconError`: ``planning.planner.PlanError``,
``store.clock.ClockError``, ``store.exceptions`` (not found, transitions, gates, input), and each
service's ``exceptions.py``. The faces catch ``CoconError`` alone and show ``error.message(lang)``.
"""

from dataclasses import dataclass
from typing import Any

from project_templates.phrases import Phrase, localized


class CoconError(Exception):
    """Base of every error shown to a user as one sentence: a catalogue key and its values."""

    def __init__(self, key: str = "", /, **values: Any) -> None:
        self.phrase = Phrase(key, **values)
        super().__init__(self.message("fr"))

    @property
    def key(self) -> str:
        return self.phrase.key

    @property
    def values(self) -> dict[str, Any]:
        return self.phrase.values

    def message(self, lang: str = "fr") -> str:
        """The sentence in ``lang`` (``fr`` or ``en``; anything else is French)."""
        return self.phrase.message(lang)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt as it was (key, values, extra attributes), whatever the subclass's own signature:
        # Prefect may pickle an error raised in a task.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(kind: type[CoconError], args: tuple[Any, ...], state: dict[str, Any]) -> CoconError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    line: int
    field: str | Phrase
    message: str | Phrase

    def text(self, lang: str = "fr") -> str:
        """``FILE:LINE: field: message`` with the message (and a field like ``(racine)``) in ``lang``."""
        return f"{self.file}:{self.line}: {localized(self.field, lang)}: {localized(self.message, lang)}"

    def __str__(self) -> str:
        return self.text("fr")


class TemplateError(CoconError):
    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def message(self, lang: str = "fr") -> str:
        return "\n".join(problem.text(lang) for problem in self.problems)


class TemplateNotFound(CoconError):
    pass
