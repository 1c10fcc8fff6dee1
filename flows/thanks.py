"""Flow ``thanks``: one personal thank-you per participant, with the report, then sent.

Two tasks per run whatever the number of people: compose and queue every message (the report
PDF is built once and attached to each), then dispatch the outbox. Running it twice is
harmless: the outbox refuses a second identical message.
"""

from typing import Any

from prefect import flow, task

from evaluation.thanks import send_thanks
from notifications.dispatch import dispatch
from store.db import session_scope
from store.projects import get_project

ACTOR = "cocon:thanks"


@task(name="queue-thanks")
def queue_thanks_task(
    slug: str, url: str | None = None, dry_run: bool = False, attach_report: bool = True
) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        project = get_project(session, slug)
        previews = send_thanks(session, project, actor=ACTOR, attach_report=attach_report, dry_run=dry_run)
        return [
            {
                "person_id": p.person_id,
                "subject": p.message.subject,
                "attachments": list(p.attachments),
                "queued": p.queued,
            }
            for p in previews
        ]


@task(name="send-thanks")
def dispatch_task(url: str | None = None) -> dict[str, int]:
    return dispatch(url=url).as_dict()


@flow(name="thanks", log_prints=False)
def thanks(slug: str, url: str | None = None, dry_run: bool = False, send: bool = True) -> dict[str, Any]:
    """Thank every participant of one project, naming what they gave and what became of it."""
    queued = queue_thanks_task(slug, url, dry_run)
    sent = dispatch_task(url) if send and not dry_run else None
    return {"messages": queued, "dispatch": sent}
