"""Errors a coordinator may see, rooted on the lowest floor so every package can derive from it.

    CoconError             base of every error shown to a user as one sentence (French first, English available)
    ├── TemplateError      a template file is not valid (carries every problem found)
    └── TemplateNotFound   no built-in template or file by that name

An error carries a catalogue key and its values, not a sentence: ``raise StepNotFound(
"error.store.step_not_found", step=key, project=slug)``. ``error.message(lang)`` writes it in a
language; ``str(error)`` is the French sentence (logs, tests). A value that depends on the language
is given as a :class:`Phrase` (another key) or as a function of the language
(``due=partial(long_date, day)``); a list is joined with commas. A raise with a plain sentence still
works (it is shown as is, in every language); ``tests/test_error_messages.py`` checks none is left.

The other floors add their branches under :class:`CoconError`: ``planning.planner.PlanError``,
``store.clock.ClockError``, ``store.exceptions`` (not found, transitions, gates, input), and each
service's ``exceptions.py``. The faces catch ``CoconError`` alone and show ``error.message(lang)``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import locales


class Phrase:
    """A catalogue key with its values, written in a language only when it is read."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key = key
        self.values = values

    def message(self, lang: str = "fr") -> str:
        lang = locales.lang_of(lang)
        if not locales.has(self.key):  # a plain sentence (or nothing): shown as given
            return self.key
        return locales.gettext(self.key, lang, **{name: localized(value, lang) for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.message("fr")

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.values!r})"

    def _identity(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.key, tuple(sorted((name, repr(value)) for name, value in self.values.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


def localized(value: Any, lang: str) -> Any:
    """A value of a message in ``lang``: a phrase or a function of the language is written out,
    a list becomes ``a, b, c``; numbers stay numbers (the catalogue may format them, ``n`` picks
    the plural form)."""
    if isinstance(value, Phrase | CoconError):
        return value.message(lang)
    if isinstance(value, list | tuple):
        return ", ".join(str(localized(item, lang)) for item in value)
    if callable(value):
        return value(lang)
    return value


def in_language(texts: Mapping[str, str]) -> Callable[[str], str]:
    """A value some other code already wrote in each language (``{"fr": …, "en": …}``)."""
    return partial(_written, dict(texts))


def from_table(table: Mapping[str, Mapping[Any, str]], item: Any) -> Callable[[str], str]:
    """A label read in the reader's language from a ``{lang: {item: label}}`` table."""
    return partial(_labelled, table, item)


def sentence(value: "Phrase | ValueError | str") -> Callable[[str], str]:
    """A fragment (``heure invalide « 25:00 » : …``) written with a capital, to open a sentence."""
    return partial(_capitalized, value)


def _capitalized(value: "Phrase | ValueError | str", lang: str) -> str:
    text = value.phrase.message(lang) if isinstance(value, WrongValue) else localized(value, lang)
    return f"{str(text)[:1].upper()}{str(text)[1:]}"


def _written(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang, texts["fr"])


def _labelled(table: Mapping[str, Mapping[Any, str]], item: Any, lang: str) -> str:
    return (table.get(lang) or table["fr"])[item]


class WrongValue(ValueError):
    """A value refused by a validator (a template field, a gathering's time), as a catalogue key and
    its values: pydantic keeps it in its error, so the problem can be written in either language."""

    def __init__(self, key: str, /, **values: Any) -> None:
        self.phrase = Phrase(key, **values)
        super().__init__(self.phrase.message("fr"))

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore_value, (self.phrase,)


def _restore_value(phrase: Phrase) -> "WrongValue":
    return WrongValue(phrase.key, **phrase.values)


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
