"""The signed copy of the charter: the version that was signed, followed by the signatures
collected so far (names, day and manner — never contact details), as a PDF.

It is what a signer receives after signing (:mod:`notifications.charter_confirmation`). The text
of the version is left as it is, so its printed SHA-256 still matches the signatures.
"""

from dataclasses import dataclass

from sqlmodel import Session

from charters.rendering import VersionStamp, render_html, render_pdf
from charters.signing import SignerState, charter_status
from charters.versions import refresh_version
from locales import gettext
from planning.calendar import long_date, long_datetime
from store.clock import PARIS, today
from store.models import CharterVersion, Project


@dataclass(frozen=True)
class SignedCopy:
    filename: str
    pdf: bytes
    version: CharterVersion
    signed: int
    required: int
    signatories: tuple[str, ...]


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _manner(method: str, lang: str) -> str:
    """How a signature was given: ``par lien``, ``sur papier``."""
    return gettext("charter.collected.link", lang) if method == "link" else gettext("charter.collected.paper", lang)


def signatures_section(rows: list[tuple[str, str, str]], *, signed: int, required: int, lang: str) -> str:
    """The Markdown section listing the signatures: ``rows`` are (name, when, manner)."""
    count = gettext(
        "charter.collected.count", lang,
        signed=gettext("charter.collected.signed", lang, n=signed, count=signed),
        expected=gettext("charter.collected.expected", lang, n=required, count=required),
    )
    lines = ["## " + gettext("charter.collected.title", lang, day=long_date(today(), lang)), "", count, ""]
    lines.append(gettext("charter.collected.head", lang))
    lines += [f"| {_cell(name)} | {_cell(when)} | {_cell(manner)} |" for name, when, manner in rows]
    return "\n".join(lines) + "\n"


def signed_copy(session: Session, project: Project, *, actor: str) -> SignedCopy:
    """The current version of the charter with every signature of it collected so far, as a PDF."""
    version = refresh_version(session, project, actor=actor).version
    status = charter_status(session, project, actor=actor)
    lang = "en" if version.language == "en" else "fr"
    done = sorted(
        (s for s in status.signers if s.state == SignerState.SIGNED and s.signed_at is not None),
        key=lambda s: s.signed_at,  # type: ignore[arg-type, return-value]
    )
    rows = [
        (s.name, long_datetime(s.signed_at.astimezone(PARIS), lang), _manner(s.method.value, lang) if s.method else "")  # type: ignore[union-attr]
        for s in done
    ]
    required = sum(1 for s in status.signers if s.required)
    text = version.text.rstrip() + "\n\n" + signatures_section(rows, signed=len(done), required=required, lang=lang)
    page = render_html(text, lang=lang, title=project.name, stamp=VersionStamp.of(version))
    return SignedCopy(
        filename=gettext("charter.signed_copy.filename", lang, slug=project.slug, number=version.number),
        pdf=render_pdf(page),
        version=version,
        signed=len(done),
        required=required,
        signatories=tuple(s.name for s in done),
    )
