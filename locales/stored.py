"""Words Cocon writes into the store itself, put into words when they are read.

A cancelled message's reason, a date moved because most participants are away, an indicator
changed after the method was locked: Cocon writes these, and a French sentence stored in a column
would stay French in the English interface and the English report. Such a column keeps a
*written fact* instead — a catalogue key and its values — and :func:`spoken` says it in the
reader's language. Text a person typed (a coordinator's reason for moving a step) is stored as
typed and :func:`spoken` gives it back unchanged; so does a row written before this existed.

The stored form is ``§<key>`` or ``§<key> <JSON object of values>``; a value may itself be a
written fact (``{"§": key, ...values}``), which is spoken first, a number (``{"#": 2.5}``, written
« 2,5 » in French), or a list of them, spoken and joined by « ; ».
"""

import json
from typing import Any

from babel.numbers import format_decimal

from locales.catalogue import MissingMessage, gettext, has, lang_of

_BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

_MARK = "§"


def written(key: str, **values: Any) -> str:
    """The stored form of the catalogue message ``key`` with ``values`` (checked to exist now)."""
    if not has(key):
        raise MissingMessage(key)
    return f"{_MARK}{key} {json.dumps(values, ensure_ascii=False, sort_keys=True)}" if values else f"{_MARK}{key}"


def fact(key: str, **values: Any) -> dict[str, Any]:
    """A written fact nested in another's values (``written("…", fields=[fact("…", …)])``)."""
    if not has(key):
        raise MissingMessage(key)
    return {_MARK: key, **values}


def amount(value: float | None) -> dict[str, Any]:
    """A number nested in a written fact, put in the reader's form when spoken (``None``: « — »)."""
    return {"#": value}


def spoken(value: str | None, lang: str = "fr") -> str:
    """``value`` in ``lang``: a written fact put into words, anything else as it was stored."""
    if not value or not value.startswith(_MARK):
        return value or ""
    key, _, rest = value[1:].partition(" ")
    if not has(key):
        return value
    try:
        values = json.loads(rest) if rest else {}
    except ValueError:
        return value
    if not isinstance(values, dict):
        return value
    return _say(key, values, lang_of(lang))


def _say(key: str, values: dict[str, Any], lang: str) -> str:
    return gettext(key, lang, **{name: _spoken_value(v, lang) for name, v in values.items()})


def _spoken_value(value: Any, lang: str) -> Any:
    if isinstance(value, str) and value.startswith(_MARK):
        return spoken(value, lang)
    if isinstance(value, dict) and isinstance(value.get(_MARK), str) and has(value[_MARK]):
        return _say(value[_MARK], {k: v for k, v in value.items() if k != _MARK}, lang)
    if isinstance(value, dict) and set(value) == {"#"}:
        if value["#"] is None:
            return "—"
        text = format_decimal(value["#"], format="#,##0.###", locale=_BABEL_LOCALES[lang])
        return text.replace("\u00a0", "\u202f")
    if isinstance(value, list):
        separator = " ; " if lang == "fr" else "; "
        return separator.join(str(_spoken_value(v, lang)) for v in value)
    return value
