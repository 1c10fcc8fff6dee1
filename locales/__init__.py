"""Every string a person reads, in one gettext catalogue per language, managed with Babel.

The catalogues are ``locales/<lang>/LC_MESSAGES/cocon.po`` (French first, English available). Their
message ids are stable keys (``nav_dashboard``, ``cli.project_created``, ``mail.digest.subject``),
not source sentences: both languages are translations, edited side by side, and a key survives a
rewording. Values are ``str.format`` templates (``{name}``); plural entries carry Babel's plural
rule of each language (French: 0 and 1 are singular).

Reading them::

    from locales import gettext, ngettext
    gettext("nav_dashboard", "fr")                         # "Tableau de bord"
    ngettext("signing_links_sent", 3, "fr")                # "3 liens de signature envoyés."

``locales/catalogue.py`` loads them (compiled ``.mo`` files, built at install, or straight from
the ``.po`` files in a checkout); ``python -m locales.compile`` compiles them; ``locales/babel.cfg``
tells ``pybabel extract`` where the keys are used. The tests check that both catalogues hold the
same keys with the same placeholders, that every key used in the code exists, and that the French
follows ``docs/house-style.md``.
"""

from locales.catalogue import Lang, MissingMessage, gettext, has, is_plural, keys, lang_of, ngettext

__all__ = ["Lang", "MissingMessage", "gettext", "has", "is_plural", "keys", "lang_of", "ngettext"]
