"""What a person reads, kept as a catalogue key and its values until it is read in a language.

A :class:`Phrase` is written out by ``message(lang)``; a value of a phrase that depends on the
language is another phrase, a function of the language (``partial(long_date, day)``, or the helpers
:func:`in_language`, :func:`from_table`, :func:`sentence`), or a list (joined with commas).
Errors (``exceptions.py``) carry one; a validator's :class:`WrongValue` carries one too, so a
template problem found by pydantic can be written in either language.
"""

from collections.abc import Callable, Mapping
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
    if isinstance(value, Phrase) or callable(getattr(value, "message", None)):  # a phrase, an error
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
