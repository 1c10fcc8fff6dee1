"""Loading the gettext catalogues and looking a key up in one language."""

import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "en")
DOMAIN = "cocon"
HERE = Path(__file__).resolve().parent


class MissingMessage(KeyError):
    """A key that neither catalogue holds: a programming error, caught by the tests."""


def lang_of(value: str | None) -> Lang:
    """``en`` for any English tag (``en``, ``en-GB``), French otherwise: French first."""
    return "en" if (value or "").lower().startswith("en") else "fr"


def po_path(lang: Lang) -> Path:
    return HERE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: Lang) -> Path:
    return po_path(lang).with_suffix(".mo")


@cache
def translations(lang: Lang) -> _gettext.GNUTranslations:
    """The compiled catalogue of ``lang``: the ``.mo`` built at install when it is current,
    otherwise compiled in memory from the ``.po`` (a checkout, or a ``.po`` edited since)."""
    po, mo = po_path(lang), mo_path(lang)
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    buffer = BytesIO()
    with po.open("rb") as handle:
        write_mo(buffer, read_po(handle, locale=lang, domain=DOMAIN))
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def _index(lang: Lang) -> tuple[frozenset[str], frozenset[str]]:
    """The keys of ``lang``'s catalogue, and those of them that are plural entries."""
    catalog: dict[str | tuple[str, int], str] = translations(lang)._catalog  # type: ignore[attr-defined]
    singular = {key for key in catalog if isinstance(key, str) and key}
    plural = {key[0] for key in catalog if isinstance(key, tuple)}
    return frozenset(singular | plural), frozenset(plural)


def keys(lang: Lang = "fr") -> frozenset[str]:
    """Every key of ``lang``'s catalogue (the tests check both hold the same)."""
    return _index(lang)[0]


def is_plural(key: str) -> bool:
    return key in _index("fr")[1]


def has(key: str) -> bool:
    return key in keys()


def _format(text: str, values: dict[str, Any]) -> str:
    return text.format(**values) if values else text


def gettext(key: str, lang: str = "fr", /, **values: Any) -> str:
    """The message ``key`` in ``lang`` (French unless English), formatted with ``values``.

    A plural entry takes its form from ``values["n"]`` (Babel's plural rule of the language)."""
    if is_plural(key):
        if "n" not in values:
            raise TypeError(f"the message {key!r} is plural: give n=")
        return ngettext(key, values.pop("n"), lang, **values)
    if not has(key):
        raise MissingMessage(key)
    return _format(translations(lang_of(lang)).gettext(key), values)


def ngettext(key: str, n: int, lang: str = "fr", /, **values: Any) -> str:
    """The plural message ``key`` for ``n`` in ``lang``; ``{n}`` is available to the text."""
    if not has(key):
        raise MissingMessage(key)
    text = translations(lang_of(lang)).ngettext(key, key, n)
    return _format(text, {"n": n, **values})
