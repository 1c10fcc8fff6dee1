"""The public address written into links, and what the coordination writes into a project's reports.

The public address is configured once: ``COCON_BASE_URL`` (a deployment's setting) or the
address ``cocon serve`` / ``cocon web`` recorded when it started (``--public-url``, or its own
``--host``/``--port``). An invitation, signing request or login link is never sent without it:
:func:`require_public_url` refuses in one sentence instead.
"""

from urllib.parse import urlsplit

from sqlmodel import Session

from locales import gettext
from store import audit
from store.clock import now
from store.exceptions import InvalidInput, Phrase
from store.models import Project, Publication, SiteSetting
from store.settings import base_url

PUBLIC_URL = "public_url"


class NoPublicAddress(InvalidInput):
    """A message needing a link cannot be sent: Cocon does not know its public address."""


def normalise_url(url: str) -> str:
    """``https://cocon.msp-tilleuls.fr`` without its trailing slash, or :class:`InvalidInput`."""
    value = url.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.hostname in ("0.0.0.0", "::"):
        raise InvalidInput("error.store.public_url_unusable", url=url)
    return value


def public_url(session: Session) -> str | None:
    """Where people open Cocon's pages: ``COCON_BASE_URL``, else the address recorded at start-up."""
    configured = base_url()
    if configured:
        return configured
    row = session.get(SiteSetting, PUBLIC_URL)
    return row.value if row else None


def record_public_url(session: Session, url: str, *, actor: str) -> str:
    """Remember the public address (``cocon serve --public-url …``); returns it normalised."""
    value = normalise_url(url)
    row = session.get(SiteSetting, PUBLIC_URL)
    if row is None or row.value != value:
        row = row or SiteSetting(key=PUBLIC_URL, value=value)
        row.value, row.updated_at = value, now()
        session.add(row)
        audit.record(session, actor=actor, action="site.public_url", url=value)
        session.flush()
    return value


def require_public_url(session: Session, what: str | Phrase) -> str:
    """The public address, or :class:`NoPublicAddress` saying that ``what`` was not sent and why."""
    url = public_url(session)
    if url:
        return url
    raise NoPublicAddress("error.store.no_public_address", what=what)


def publication_of(session: Session, project: Project) -> Publication | None:
    """What the coordination wrote for this project's reports (conclusions, place), if anything."""
    return session.get(Publication, project.id)


def write_publication(
    session: Session,
    project: Project,
    *,
    actor: str,
    conclusions: str | None = None,
    lang: str = "fr",
    place: str | None = None,
) -> Publication:
    """Set the report's conclusions (in ``lang``) and/or the place documents are made at."""
    assert project.id is not None
    row = session.get(Publication, project.id) or Publication(project_id=project.id, written_by=actor)
    if conclusions is not None:
        text = conclusions.strip() or None
        if lang == "en":
            row.conclusions_en = text
        else:
            row.conclusions_fr = text
    if place is not None:
        row.place = " ".join(place.split()) or None
    row.written_by, row.written_at = actor, now()
    session.add(row)
    audit.record(
        session, actor=actor, action="report.notes_written", project_id=project.id,
        conclusions=conclusions is not None, place=place is not None,
    )
    session.flush()
    return row


def remember_serving_address(session: Session, host: str, port: int, *, public: str | None, actor: str) -> str | None:
    """What ``cocon serve``/``cocon web`` record at start: ``public`` when given, else their own
    ``http://host:port`` — unless an address is already recorded or the host is a wildcard."""
    if public:
        return record_public_url(session, public, actor=actor)
    existing = session.get(SiteSetting, PUBLIC_URL)
    if existing is not None or host in ("0.0.0.0", "::", ""):
        return existing.value if existing else None
    return record_public_url(session, f"http://{host}:{port}", actor=actor)


def actor_name(session: Session, actor: str, lang: str = "fr") -> str:
    """How an actor of the audit log appears in a document: a person's name, never ``cli:root``.

    ``person:12`` is that person's name; Cocon's own flows are "Cocon"; anyone else acting from
    the command line is the project's coordination.
    """
    kind, _, ident = actor.partition(":")
    if kind == "person" and ident.isdigit():
        from store.models import Person

        person = session.get(Person, int(ident))
        if person is not None:
            return person.name
    if not ident and " " in kind.strip():  # COCON_ACTOR="Claire Martin": a name given on purpose
        return " ".join(actor.split())
    if kind == "cocon":
        return gettext("actor.cocon", lang)
    return gettext("actor.coordination", lang)
