"""Emails the web app sends (login links), through the notifications outbox.

The message goes into the outbox in the request's transaction; :func:`dispatch_soon` then asks
the outbox to send after the response, so a slow SMTP server never holds a page. The outbox
clears the body (and so the link) once the message is sent.
"""

import logging

from fastapi import BackgroundTasks
from sqlmodel import Session

from cocon.web import i18n
from notifications.dispatch import dispatch
from notifications.queue import enqueue
from store.clock import today
from store.models import Occasion, Person

log = logging.getLogger(__name__)


def send_login_link(session: Session, *, person: Person, project_id: int, link_id: int, url: str, lang: str) -> None:
    """Queue the email carrying a login link (``link_id`` makes each link its own message)."""
    text = i18n.translate("mail_login_text", lang, name=person.name, url=url)
    enqueue(
        session,
        project_id=project_id,
        person_id=person.id,
        occasion=Occasion.LOGIN_LINK,
        about=f"login-link:{link_id}",
        due_on=today(),
        subject=i18n.translate("mail_login_subject", lang),
        text=text,
        immediate=True,  # asked for by the person: it leaves at once, even during quiet hours
    )


def dispatch_now(database_url: str | None) -> None:
    """Send queued messages; a failure is left to the outbox's retries (logged without details)."""
    try:
        dispatch(url=database_url)
    except Exception as error:  # the outbox retries later; the page has already been answered
        log.error("dispatch after a web request failed (%s)", type(error).__name__)


def dispatch_soon(background: BackgroundTasks, database_url: str | None) -> None:
    """Send queued messages once the response has gone out (the request's session has committed)."""
    background.add_task(dispatch_now, database_url)


def send_signing_link(
    session: Session, *, person: Person, project_id: int, project_name: str, url: str, lang: str, link_ref: str
) -> None:
    """Queue the email inviting a partner to read and sign the charter."""
    enqueue(
        session,
        project_id=project_id,
        person_id=person.id,
        occasion=Occasion.CHARTER_LINK,
        about=f"charter-link:{link_ref}",
        due_on=today(),
        subject=i18n.translate("mail_sign_subject", lang, project=project_name),
        text=i18n.translate("mail_sign_text", lang, name=person.name, project=project_name, url=url),
    )
