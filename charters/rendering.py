"""Charter rendering: a typed context → Markdown → a standalone printable HTML page → PDF.

The Markdown text is what a version hashes, so it is normalised (no trailing spaces, no runs of
blank lines, one final newline): the same data always gives the same bytes. The HTML page and
the PDF add a stamp naming the version and its SHA-256, so a printed copy can be matched to
the stored text. Templates use ``StrictUndefined``: a missing value is an error naming it.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jinja2
from markdown_it import MarkdownIt

from charters.context import CharterContext
from charters.exceptions import CharterRenderError, CharterTemplateMissing
from locales import gettext
from locales.catalogue import LANGUAGES
from planning.calendar import long_date
from store.clock import PARIS
from store.models import CharterVersion

TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "charte-engagement"
#: ``<id>.md.j2`` serves every language (its words come from the catalogue through ``t``);
#: ``<id>.<lang>.md.j2`` serves one language and wins over the former.
_TEMPLATE_FILE = re.compile(r"^(?P<id>[a-z][a-z0-9-]*)(\.(?P<lang>fr|en))?\.md\.j2$")


def _md_cell(value: object) -> str:
    """A value safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def make_environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """A Jinja2 environment for charter templates: strict, Markdown output, ``md_cell`` filter."""
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # the output is Markdown; markdown-it escapes HTML when converting
    )
    env.filters["md_cell"] = _md_cell
    return env


@cache
def environment() -> jinja2.Environment:
    """The environment of the built-in charter templates (``charters/templates``)."""
    return make_environment(jinja2.FileSystemLoader(TEMPLATES_DIR))


def available_templates() -> list[tuple[str, str]]:
    """Every charter template as ``(id, lang)``, e.g. ``("charte-engagement", "fr")``."""
    found = (_TEMPLATE_FILE.match(path.name) for path in TEMPLATES_DIR.iterdir())
    return sorted(
        {(m.group("id"), lang) for m in found if m for lang in ((m.group("lang"),) if m.group("lang") else LANGUAGES)}
    )


def normalise(text: str) -> str:
    """Strip trailing spaces, collapse blank-line runs, end with exactly one newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _translator(lang: str) -> Callable[..., str]:
    """The ``t(key, **values)`` of a charter template: the catalogue's ``charter.*`` words in ``lang``."""

    def t(key: str, /, **values: Any) -> str:
        return gettext(key, lang, **values)

    return t


def render_markdown(
    context: CharterContext, template_id: str = DEFAULT_TEMPLATE, *, env: jinja2.Environment | None = None
) -> str:
    """The charter's Markdown text for ``context`` (in ``context.lang``); ``env`` defaults to the built-in one."""
    names = [f"{template_id}.{context.lang}.md.j2", f"{template_id}.md.j2"]
    try:
        template = (env or environment()).select_template(names)
    except jinja2.TemplateNotFound:
        raise CharterTemplateMissing("error.charters.template_missing", template=template_id, lang=context.lang,
                                     available=[f"{i} ({lang})" for i, lang in available_templates()]) from None
    name = template.name
    try:
        text = template.render(context.model_dump(), t=_translator(context.lang))
    except jinja2.UndefinedError as error:
        raise CharterRenderError("error.charters.render", name=name, problem=error.message) from None
    return normalise(text)


@dataclass(frozen=True)
class VersionStamp:
    """What a printed charter says about the version it shows."""

    number: int
    sha256: str
    created_on: date

    @classmethod
    def of(cls, version: CharterVersion) -> "VersionStamp":
        """The stamp of a stored version (its day of creation in Europe/Paris)."""
        return cls(version.number, version.sha256, version.created_at.astimezone(PARIS).date())


_CSS = """
@page {
  size: A4;
  margin: 2cm 2cm 2.2cm 2cm;
  @bottom-left { content: "%(short)s"; font: 8pt "DejaVu Sans Mono", monospace; color: #555; }
  @bottom-right { content: "%(page)s " counter(page) " / " counter(pages); font: 8pt sans-serif; color: #555; }
}
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45; }
html { color: #1a1a1a; }
body { max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 20pt; margin: 0 0 .3rem; color: #24425e; }
h2 { font-size: 13pt; margin: 1.4rem 0 .4rem; color: #24425e; }
h2 { border-bottom: 1px solid #c9d6e3; padding-bottom: .15rem; }
h3 { font-size: 11pt; margin: 1rem 0 .3rem; }
h2, h3 { break-after: avoid; }
ul { padding-left: 1.3rem; }
li { margin: .15rem 0; }
table { border-collapse: collapse; width: 100%%; margin-top: .6rem; break-inside: auto; }
th, td { border: 1px solid #777; padding: .35rem .5rem; text-align: left; vertical-align: top; }
tbody td { height: 1.6cm; }
th:nth-child(1) { width: 30%%; } th:nth-child(2) { width: 32%%; } th:nth-child(3) { width: 14%%; }
tr { break-inside: avoid; }
footer.stamp { margin-top: 2rem; padding-top: .5rem; border-top: 1px solid #c9d6e3; font-size: 8.5pt; color: #444; }
footer.stamp code { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
@media screen { body { margin: 2rem auto; } }
"""


def _text(value: str) -> str:
    return html.escape(value, quote=False)


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def markdown_to_html(text: str) -> str:
    """The HTML fragment of a Markdown text; raw HTML in the text is escaped, never run."""
    return _markdown().render(text)


def render_html(text: str, *, lang: str, title: str, stamp: VersionStamp) -> str:
    """A standalone printable HTML page (inline CSS, no external resource) for a charter text."""
    version = gettext("charter.page.version", lang, number=stamp.number, day=long_date(stamp.created_on, lang))
    css = _CSS % {"short": f"{version} · {stamp.sha256[:12]}", "page": gettext("charter.page.page", lang)}
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(gettext('charter.page.title', lang))} — {_text(title)}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n<main>\n{markdown_to_html(text)}</main>\n"
        f'<footer class="stamp"><p>{_text(version)}<br>{_text(gettext("charter.page.hash", lang))}<br>'
        f"<code>{stamp.sha256}</code></p></footer>\n</body>\n</html>\n"
    )


PACKAGE_DIR = Path(__file__).parent.resolve()


@cache
def _package_only_fetcher() -> Any:
    """WeasyPrint's fetcher, refusing every address outside this package (no network, no other file).

    The page is built from stored text; should any text still carry a URL (an image, a
    stylesheet), the server must not fetch it. Built on first use: WeasyPrint loads slowly.
    """
    from weasyprint import URLFetcher

    class PackageOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            inside = parsed.scheme == "file" and Path(unquote(parsed.path)).resolve().is_relative_to(PACKAGE_DIR)
            if not inside:
                raise ValueError("Adresse refusée : une charte ne charge rien hors de Cocon.")
            return super().fetch(url, headers)

    return PackageOnlyFetcher(allowed_protocols={"file"}, fail_on_errors=False)


def render_pdf(page: str) -> bytes:
    """The PDF of a standalone HTML page (WeasyPrint), fetching nothing outside this package."""
    from weasyprint import HTML  # imported here: loading pango takes a while and few commands need it

    pdf = HTML(string=page, base_url=PACKAGE_DIR.as_uri() + "/", url_fetcher=_package_only_fetcher()).write_pdf()
    assert pdf is not None
    return pdf
