"""How Cocon writes numbers, money, dates, plurals and structure names in what it sends or prints.

Every message and document (emails, minutes, reports, certificates) formats through this one
module, with Babel's locale data: ``1 234,56 €``, ``100 %``, ``2,5 h``, ``mardi 1er décembre
2026``, ``2 propositions adoptées``. French follows ``docs/house-style.md``: a narrow no-break
space (U+202F) before ``; : ! ?``, inside « guillemets », before ``%``, ``€`` and ``h``, and as
the thousands separator.

A later gettext migration plugs in here: :func:`plural` already takes Babel's plural rule of the
language, and :func:`typeset` is the last step every French text goes through.
"""

import re
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Literal

from babel import Locale
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal

from locales.stored import spoken
from planning import calendar

if TYPE_CHECKING:
    from jinja2 import Environment

Lang = Literal["fr", "en"]

NNBSP = "\u202f"  # narrow no-break space: "100 %", "1 234,56 €", "Bonjour :"
NBSP = "\u00a0"

_LOCALES: dict[Lang, str] = {"fr": "fr_FR", "en": "en_GB"}


def lang_of(value: str | None) -> Lang:
    """``en`` for any English tag, French otherwise (French first)."""
    return "en" if (value or "").lower().startswith("en") else "fr"


@cache
def _locale(lang: Lang) -> Locale:
    return Locale.parse(_LOCALES[lang])


def _narrow(text: str) -> str:
    return text.replace(NBSP, NNBSP)


# --- numbers ----------------------------------------------------------------------------------


def number(value: float, lang: str = "fr", *, decimals: int = 1) -> str:
    """``1 234,5`` / ``1,234.5``: at most ``decimals`` digits after the separator."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return _narrow(format_decimal(value, format=pattern, locale=_locale(lang_of(lang))))


def signed_number(value: float, lang: str = "fr", *, decimals: int = 1) -> str:
    """``+2,5`` / ``−1`` (an evolution)."""
    text = number(abs(value), lang, decimals=decimals)
    return ("+" if value >= 0 else "−") + text


def hours(value: float, lang: str = "fr") -> str:
    """``2,5 h`` (narrow no-break space in French) or ``2.5 h``."""
    return number(value, lang) + (NNBSP if lang_of(lang) == "fr" else " ") + "h"


def money(cents: int, lang: str = "fr") -> str:
    """``1 234,56 €`` or ``€1,234.56``."""
    return _narrow(format_currency(cents / 100, "EUR", locale=_locale(lang_of(lang))))


def percent(ratio: float, lang: str = "fr") -> str:
    """``100 %`` from ``1.0`` (narrow no-break space in French), ``100%`` in English."""
    value = number(round(100 * ratio), lang, decimals=0)
    return value + (NNBSP + "%" if lang_of(lang) == "fr" else "%")


def parse_number(text: str) -> float:
    """A number typed by a person: ``2,5``, ``2.5``, ``1 234,5``; :class:`ValueError` otherwise."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text.strip())
    if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", cleaned):
        raise ValueError(text)
    try:
        return float(parse_decimal(cleaned.replace(",", "."), locale="en_GB"))
    except NumberFormatError:
        raise ValueError(text) from None


# --- dates --------------------------------------------------------------------------------------


def long_date(day: date, lang: str = "fr") -> str:
    """``mardi 1er décembre 2026`` / ``Tuesday 1 December 2026``."""
    return calendar.long_date(day, lang_of(lang))


def long_datetime(moment: datetime, lang: str = "fr") -> str:
    """``mardi 24 novembre 2026 à 18 h 30`` (the moment's own time zone)."""
    if lang_of(lang) == "en":
        return f"{long_date(moment.date(), 'en')} at {moment:%H:%M}"
    minutes = f"{NNBSP}{moment:%M}" if moment.minute else ""
    return f"{long_date(moment.date())} à {moment.hour}{NNBSP}h{minutes}"


# --- plurals ----------------------------------------------------------------------------------


def plural(count: float, one: str, other: str, lang: str = "fr") -> str:
    """The form of a word for ``count`` by the language's plural rule (French: 0 and 1 are singular)."""
    return one if _locale(lang_of(lang)).plural_form(abs(count)) == "one" else other


def counted(count: int, one: str, other: str, lang: str = "fr") -> str:
    """``1 rencontre``, ``3 rencontres``, ``0 proposition``."""
    return f"{number(count, lang, decimals=0)} {plural(count, one, other, lang)}"


# --- structure names ------------------------------------------------------------------------

Gender = Literal["f", "m", "pl"]

#: Head words of structure names and their gender in French (acronyms as spoken).
_HEADS: dict[str, Gender] = {
    "msp": "f", "maison": "f", "cpts": "f", "communauté": "f", "esp": "f", "équipe": "f", "cdu": "f",
    "commission": "f", "association": "f", "clinique": "f", "pmi": "f", "mairie": "f", "ars": "f",
    "dac": "m", "dispositif": "m", "centre": "m", "cds": "m", "pôle": "m", "psp": "m", "cabinet": "m",
    "réseau": "m", "ehpad": "m", "ch": "m", "chu": "m", "hôpital": "m", "groupement": "m", "cmp": "m",
    "csapa": "m", "service": "m", "collectif": "m",
}
_VOWEL_SOUND = re.compile(r"^[aeiouyàâéèêîôûh]", re.IGNORECASE)
_ARTICLE = re.compile(r"^(la |le |les |l['’])", re.IGNORECASE)


def _elides(word: str) -> bool:
    # Usage elides before an acronym's vowel ("l'ESP", "l'ARS") but not before its consonant
    # ("la MSP", "la HAS"); before a word, before a vowel or a mute h ("l'hôpital").
    if word.isupper() and len(word) > 1:
        return word[0] in "AEIOU"
    return bool(_VOWEL_SOUND.match(word))


def structure_with_article(name: str, lang: str = "fr") -> str:
    """``la MSP des Tilleuls``, ``l'ESP du Port``, ``le centre de santé`` (the name alone in English)."""
    name = " ".join(name.split())
    if lang_of(lang) == "en" or not name:
        return name
    if _ARTICLE.match(name):
        return name[0].lower() + name[1:]
    head = name.split(" ", 1)[0]
    gender = _HEADS.get(head.lower())
    if gender is None:
        return name
    if _elides(head):
        return f"l'{name}"
    return ("la " if gender == "f" else "le ") + name


def structure_of(name: str, lang: str = "fr") -> str:
    """``de la MSP des Tilleuls``, ``du centre de santé``, ``de l'ESP``, ``d'Ensemble Santé``."""
    if lang_of(lang) == "en":
        return f"of {' '.join(name.split())}"
    with_article = structure_with_article(name, lang)
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if with_article.startswith(article):
            return contracted + with_article[len(article):]
    if with_article.startswith(("la ", "l'")):
        return "de " + with_article
    return ("d'" if _elides(with_article.split(" ", 1)[0]) else "de ") + with_article


def structure_at(name: str, lang: str = "fr") -> str:
    """``à la MSP des Tilleuls``, ``au centre de santé``, ``à l'ESP`` (``at …`` in English)."""
    if lang_of(lang) == "en":
        return f"at {' '.join(name.split())}"
    with_article = structure_with_article(name, lang)
    for article, contracted in (("le ", "au "), ("les ", "aux ")):
        if with_article.startswith(article):
            return contracted + with_article[len(article):]
    return "à " + with_article


def elided(word: str, following: str) -> str:
    """``que Claire`` but ``qu'Awa``, ``de Paul`` but ``d'Émilie``: the word before ``following``."""
    if word.endswith("e") and following[:1] and _elides(following.split(" ", 1)[0]):
        return f"{word[:-1]}'{following}"
    return f"{word} {following}"


def capitalised(text: str) -> str:
    """First letter up: ``La MSP des Tilleuls atteste…``."""
    return text[:1].upper() + text[1:]


# --- typography -----------------------------------------------------------------------------

_BEFORE_PUNCT = re.compile(r"[ \u00a0]+([;:!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0]+")
_UNIT = re.compile(r"(\d)[ \u00a0]+(%|€|h\b)")


def typeset(text: str, lang: str = "fr") -> str:
    """French typography on finished text: narrow no-break spaces before ``; : ! ? »``, after ``«``,
    and between a number and ``%``, ``€`` or ``h``. English text is returned as it is."""
    if lang_of(lang) == "en":
        return text
    text = _BEFORE_PUNCT.sub(NNBSP + r"\1", text)
    text = _AFTER_GUILLEMET.sub("«" + NNBSP, text)
    return _UNIT.sub(r"\1" + NNBSP + r"\2", text)


def install(env: "Environment") -> None:
    """Give a Jinja2 environment the wording filters and globals every message and document uses."""
    env.filters.update(
        long_date=long_date,
        money=money,
        hours=hours,
        number=number,
        with_article=structure_with_article,
        structure_of=structure_of,
        capitalised=capitalised,
        spoken=spoken,
    )
    env.globals.update(counted=counted, plural=plural)
