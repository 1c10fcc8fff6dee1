"""The web interface's words: French (the default) or English, from the gettext catalogues.

Pages call ``t(key, **values)`` (see ``pages.render``); this module is the web's door to
:mod:`locales`, where every string lives. A plural entry takes its form from ``n``.
"""

from typing import Any

import locales


def has(key: str) -> bool:
    return locales.has(key)


def translate(key: str, lang: str = "fr", **values: Any) -> str:
    """The string ``key`` in ``lang`` (French unless ``en``), formatted with ``values``."""
    return locales.gettext(key, lang, **values)
