"""Jinja2 environment of the evaluation documents (minutes, report, certificate).

Every template gets a typed pydantic context and ``StrictUndefined``: a missing value is an
error naming it, never an empty string in a document sent to a participant.
"""

from functools import cache
from pathlib import Path

import jinja2
from pydantic import BaseModel

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


def render(name: str, context: BaseModel) -> str:
    """Render ``evaluation/templates/<name>`` with the fields of ``context``."""
    values = dict(context)
    return wording.typeset(environment().get_template(name).render(**values), str(values.get("lang", "fr")))


def pdf_bytes(html: str) -> bytes:
    """A PDF of a standalone HTML page (WeasyPrint; images are data URIs, no network)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()  # type: ignore[no-any-return]
