"""Messages: the project's outbox as ``cocon outbox list`` shows it — when, to whom, why, in what
state — and "send again" for failed and abandoned messages (``cocon outbox retry``). Never a
message's text or a contact detail: only the recipient's name.
"""

from collections import Counter

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from cocon.web.access import managed_project
from cocon.web.mail import dispatch_soon
from cocon.web.pages import DB, LoggedIn, redirect, settings_of
from cocon.web.project_frame import project_page
from notifications.queue import list_messages, retry_messages
from store.models import OutboxState
from store.people import members

router = APIRouter()

#: How many messages the page lists, newest first.
SHOWN = 200
#: The states "send again" applies to.
RETRIED = (OutboxState.FAILED, OutboxState.DEAD)


@router.get("/projets/{slug}/messages")
def messages_page(request: Request, session: DB, viewer: LoggedIn, slug: str) -> Response:
    project = managed_project(session, viewer, slug)
    rows = list_messages(session, project)
    counts = Counter(row.state for row in rows)
    names = {person.id: person.name for person, _ in members(session, project)}
    return project_page(
        request, session, viewer, project, "project_messages.html", section="outbox",
        messages=list(reversed(rows))[:SHOWN], total=len(rows), shown=SHOWN,
        counts=[(state, counts[state]) for state in OutboxState if counts[state]],
        to_retry=sum(counts[state] for state in RETRIED), names=names,
    )


@router.post("/projets/{slug}/messages/relancer")
def retry_action(request: Request, session: DB, viewer: LoggedIn, background: BackgroundTasks, slug: str) -> Response:
    """Queue the failed and abandoned messages again, due now, and send what may leave."""
    project = managed_project(session, viewer, slug)
    count = retry_messages(session, project, actor=viewer.actor)
    if count:
        dispatch_soon(background, settings_of(request).database_url)
    return redirect(request, f"/projets/{slug}/messages?ok={'retried' if count else 'retried_none'}&n={count}")
