"""After a signature (through a link or logged in): an email to the signer with the signed copy
of the charter attached, which lists the signatures collected so far.

Its words are the catalogue's ``mail.charter_signed.*``. Queued in the outbox in the signing request's transaction and marked immediate (the person just
asked for it by signing); it carries the pause link and ``List-Unsubscribe`` like every email.
"""

from sqlmodel import Session

import locales
from charters.signed_copy import signed_copy
from notifications.attachments import Attachment
from notifications.queue import enqueue
from store.clock import today
from store.models import CharterSignature, Occasion, OutboxMessage, Person, Project


def queue_signature_confirmation(
    session: Session, project: Project, person: Person, signature: CharterSignature
) -> OutboxMessage | None:
    """Queue the confirmation of ``signature`` to the signer; ``None`` when they cannot be reached."""
    if not (person.email or person.apprise_url) or project.id is None:
        return None
    copy = signed_copy(session, project, actor=f"person:{person.id}")
    lang = locales.lang_of(person.language)
    values = {
        "project": project.name,
        "name": person.name,
        "number": copy.version.number,
        "signed": copy.signed,
        "required": copy.required,
    }
    return enqueue(
        session,
        project_id=project.id,
        person_id=person.id,
        occasion=Occasion.CHARTER_SIGNED,
        about=f"charter-signature:{signature.id}",
        due_on=today(),
        subject=locales.gettext("mail.charter_signed.subject", lang, project=project.name),
        text=locales.gettext("mail.charter_signed.text", lang, **values),
        attachments=[Attachment(copy.filename, copy.pdf, "application/pdf")],
        immediate=True,
    )
