"""Labels of enumerations, read from the catalogue: ``label.<enum>.<value>``.

A label function per enumeration lives next to it (``store.phases.phase_label``,
``evaluation.proposals.status_label`` …) and calls :func:`label`. :class:`LabelTable` gives the
older ``LABELS[lang][member]`` reading of the same catalogue entries to callers that still index
a table (one home for each word: the catalogue).
"""

from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from typing import Generic, TypeVar

from locales.catalogue import LANGUAGES, gettext, lang_of

E = TypeVar("E", bound=Enum)


def label(family: str, value: Enum | str, lang: str = "fr") -> str:
    """The label of ``value`` in ``family`` (``label("phase", ProjectPhase.AVANT, "en")`` → ``Before``)."""
    raw = value.value if isinstance(value, Enum) else value
    return gettext(f"label.{family}.{raw}", lang)


class LabelTable(Mapping[str, Mapping[E, str]], Generic[E]):
    """``TABLE["fr"][member]``: every member of ``members`` labelled in each language."""

    def __init__(self, family: str, members: Iterable[E]) -> None:
        self.family = family
        self.members = tuple(members)

    def __getitem__(self, lang: str) -> Mapping[E, str]:
        return {m: label(self.family, m, lang_of(lang)) for m in self.members}

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)
