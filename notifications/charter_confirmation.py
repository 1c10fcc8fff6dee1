"""After a signature (through a link or logged in): an email to the signer with the signed copy
of the charter attached, which lists the signatures collected so far.

Queued in the outbox in the signing request's transaction and marked immediate (the person just
asked for it by signing); it carries the pause link and ``List-Unsubscribe`` like every email.
"""

from sqlmodel import Session

from charters.signed_copy import signed_copy
from notifications.attachments import Attachment
from notifications.queue import enqueue
from store.clock import today
from store.models import CharterSignature, Occasion, OutboxMessage, Person, Project

_TEXT = {
    "fr": (
        "Charte signée : {project}",
        "Bonjour {name},\n\nMerci : votre signature de la charte d'engagement de « {project} » "
        "(version {number}) est enregistrée.\n\nVous trouverez la charte signée en pièce jointe. "
        "Elle liste les signatures recueillies à ce jour : {signed} sur {required} attendues.\n\n"
        "Vous pouvez faire une pause ou arrêter à tout moment : il suffit de le dire.\n",
    ),
    "en": (
        "Charter signed: {project}",
        "Hello {name},\n\nThank you: your signature of the charter of engagement of “{project}” "
        "(version {number}) is recorded.\n\nThe signed charter is attached. It lists the signatures "
        "collected so far: {signed} out of {required} expected.\n\n"
        "You may pause or stop at any time: just say so.\n",
    ),
}


def queue_signature_confirmation(
    session: Session, project: Project, person: Person, signature: CharterSignature
) -> OutboxMessage | None:
    """Queue the confirmation of ``signature`` to the signer; ``None`` when they cannot be reached."""
    if not (person.email or person.apprise_url) or project.id is None:
        return None
    copy = signed_copy(session, project, actor=f"person:{person.id}")
    lang = "en" if person.language == "en" else "fr"
    subject, body = _TEXT[lang]
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
        subject=subject.format(**values),
        text=body.format(**values),
        attachments=[Attachment(copy.filename, copy.pdf, "application/pdf")],
        immediate=True,
    )
