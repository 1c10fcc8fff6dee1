"""Jinja2 environment of the evaluation documents (minutes, report, certificate).

Every template gets a typed pydantic context and ``StrictUndefined``: a missing value is an
error naming it, never an empty string in a document sent to a participant. Its words come from
the catalogue through ``t(key, **values)``, bound to the document's language: one template
serves French and English. A plural entry takes ``n=``; its text writes the formatted number
as ``{count}`` (``1 234`` in French).
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from pydantic import BaseModel

from locales import gettext
from store import wording

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
    )
    wording.install(env)
    return env


def say(key: str, lang: str, /, **values: Any) -> str:
    """The catalogue's ``key`` in ``lang``; with ``n=``, ``{count}`` is ``n`` written out (``1 234``)."""
    if "n" in values and "count" not in values:
        values["count"] = wording.number(values["n"], lang, decimals=0)
    return gettext(key, lang, **values)


def translator(lang: str, *, html: bool) -> Callable[..., str]:
    """The ``t(key, **values)`` of a template in ``lang``. In HTML the catalogue's text is trusted
    markup and the values are escaped (a name is never read as HTML)."""

    def t(key: str, /, **values: Any) -> str:
        if not html:
            return say(key, lang, **values)
        escaped = {k: escape(v) if isinstance(v, str) else v for k, v in values.items()}
        return Markup(say(key, lang, **escaped))

    return t


def render(name: str, context: BaseModel) -> str:
    """Render ``evaluation/templates/<name>`` with the fields of ``context`` and ``t`` in its language."""
    values = dict(context)
    lang = wording.lang_of(str(values.get("lang", "fr")))
    template = environment().get_template(name)
    text = template.render(**values, t=translator(lang, html=name.endswith(".html.j2")))
    return wording.typeset(text, lang)


def pdf_bytes(html: str) -> bytes:
    """A PDF of a standalone HTML page (WeasyPrint; images are data URIs, no network)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()  # type: ignore[no-any-return]
