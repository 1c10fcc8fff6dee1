"""The outbox queue: notifications are rows first, sent later, confirmed, retried, never lost.

Who calls what::

    enqueue(session, …)            one standalone message (subject and bodies already rendered),
                                   sent from ``not_before`` (default: now)
    enqueue_items(session, items)  digest items from the reminder planner (bulk, idempotent)
    cancel_waiting(session, …)     what a message reminds of is done: it will not leave
    list_messages / dead_messages / retry_messages   what the CLI and the web app show and replay
    recover_abandoned / claim      for :mod:`notifications.dispatch`, which sends what is due

A row's states are :class:`store.models.OutboxState`: ``pending`` → ``sending`` (claimed) →
``sent``, or ``failed`` (tried again later), ``dead`` (given up) or ``cancelled``. This module
knows rows only: it imports nothing that renders or sends.
"""

import hashlib
import os
import socket
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from notifications.attachments import Attachment, pack_attachments
from notifications.planner import DigestItem
from store.audit import record
from store.clock import now
from store.models import Occasion, OutboxMessage, OutboxState, Project

#: A claim older than this is considered abandoned even when its process cannot be checked.
LEASE = timedelta(minutes=15)


def idempotency_key(project_id: int, about: str, occasion: str, recipient: str, due_on: date) -> str:
    """What the message is about, for whom and for which day — never two rows for the same."""
    raw = f"{project_id}\x1f{about}\x1f{occasion}\x1f{recipient}\x1f{due_on.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert rows, skipping those whose idempotency key exists (also under concurrent writers).

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` executed for all rows at once
    (SQLAlchemy batches it into multi-row statements): the ids returned count what was new, on
    SQLite and PostgreSQL alike (a bulk statement's ``rowcount`` is not reliable on PostgreSQL)."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect in {"sqlite", "postgresql"}:
        from sqlalchemy.dialects import postgresql, sqlite

        dialect_insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        table: Any = OutboxMessage.__table__  # type: ignore[attr-defined]  # Core, not the ORM's bulk path: 3× less work per row
        statement = (
            dialect_insert(table)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.id)
        )
        return len(session.connection().execute(statement, rows).all())
    inserted = 0
    for row in rows:
        try:
            with session.begin_nested():
                session.execute(insert(OutboxMessage).values(**row))
            inserted += 1
        except IntegrityError:  # the idempotency key is already there
            continue
    return inserted


def enqueue(
    session: Session,
    *,
    project_id: int,
    person_id: int | None,
    occasion: Occasion,
    about: str,
    due_on: date,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    channel_url: str | None = None,
    not_before: datetime | None = None,
    immediate: bool = False,
) -> OutboxMessage | None:
    """Queue one rendered message; ``None`` when the same message is already queued (or sent).

    ``not_before`` (UTC-aware) is the first moment the message may be sent (default, or a moment
    already past: now). It is not part of the idempotency key: a message already queued keeps its own.
    ``immediate`` marks a message its recipient asked for (a login link): it leaves at once, even in
    their quiet hours — recorded on the row, so any process that sends it knows.
    """
    if person_id is None and channel_url is None:
        raise ValueError("a message needs a person or a channel URL")
    if not_before is not None and not_before.utcoffset() is None:
        raise ValueError("not_before must be timezone-aware")
    moment = now()
    recipient = (
        f"person:{person_id}"
        if person_id is not None
        else "channel:" + hashlib.sha256((channel_url or "").encode()).hexdigest()[:16]
    )
    key = idempotency_key(project_id, about, occasion, recipient, due_on)
    row = {
        "idempotency_key": key,
        "project_id": project_id,
        "person_id": person_id,
        "occasion": occasion,
        "about": about,
        "due_on": due_on,
        "digest": False,
        "facts": {"immediate": True} if immediate else {},
        "channel_url": channel_url,
        "subject": subject,
        "text": text,
        "html": html,
        "attachments": pack_attachments(attachments),
        "state": OutboxState.PENDING,
        "attempts": 0,
        "next_attempt_at": moment if not_before is None else max(moment, not_before.astimezone(UTC)),
        "created_at": moment,
    }
    if not _insert_ignoring_duplicates(session, [row]):
        return None
    return session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()


def enqueue_items(session: Session, items: Iterable[DigestItem]) -> int:
    """Queue planned digest items in bulk; returns how many were new."""
    moment = now()
    rows = [
        {
            "idempotency_key": idempotency_key(
                item.project_id, item.about, item.occasion, f"person:{item.person_id}", item.due_on
            ),
            "project_id": item.project_id,
            "person_id": item.person_id,
            "occasion": item.occasion,
            "about": item.about,
            "due_on": item.due_on,
            "digest": True,
            "facts": item.facts,
            "state": OutboxState.PENDING,
            "attempts": 0,
            "next_attempt_at": moment,
            "created_at": moment,
        }
        for item in items
    ]
    return _insert_ignoring_duplicates(session, rows)


# --- reading and replaying -------------------------------------------------------------------


def list_messages(
    session: Session, project: Project, *, states: Iterable[OutboxState] | None = None
) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.project_id == project.id)
    if states is not None:
        query = query.where(col(OutboxMessage.state).in_(list(states)))
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def dead_messages(session: Session, project: Project) -> list[OutboxMessage]:
    """Messages given up after every attempt (shown by ``cocon project show``)."""
    return list_messages(session, project, states=[OutboxState.DEAD])


def retry_messages(session: Session, project: Project, *, actor: str) -> int:
    """Put the project's dead and failed messages back in the queue, due now."""
    rows = list_messages(session, project, states=[OutboxState.DEAD, OutboxState.FAILED])
    for row in rows:
        row.state = OutboxState.PENDING
        row.attempts = 0
        row.next_attempt_at = now()
        row.last_error = None
        session.add(row)
    if rows:
        record(session, actor=actor, action="outbox.retry", project_id=project.id, count=len(rows))
    return len(rows)


def forget_content(row: OutboxMessage) -> None:
    """Forget what a message said and where it went (once sent or cancelled: privacy)."""
    row.subject = None
    row.text = None
    row.html = None
    row.attachments = None
    row.channel_url = None
    row.facts = {key: value for key, value in row.facts.items() if key != "delivered"}


def cancel_waiting(session: Session, *, about: str, occasions: Iterable[str], reason: str) -> int:
    """Cancel the messages about ``about`` still waiting to be sent (what they remind of is done):
    the data changes when the fact does, so no process needs a check of its own at send time."""
    waiting = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.about == about,
            col(OutboxMessage.occasion).in_(list(occasions)),
            col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.FAILED]),
        )
    ).all()
    for row in waiting:
        row.state = OutboxState.CANCELLED
        row.last_error = reason
        forget_content(row)
        session.add(row)
    return len(waiting)



# --- claiming --------------------------------------------------------------------------------


def _process_alive(claimed_by: str) -> bool | None:
    """Whether the claiming process still runs: ``None`` when it ran on another host."""
    host, _, rest = claimed_by.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned(session: Session) -> int:
    """Rows left ``sending`` by a process that died (or whose lease expired) go back to pending."""
    moment = now()
    stale = session.exec(select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENDING)).all()
    recovered = 0
    for row in stale:
        alive = _process_alive(row.claimed_by or "")
        expired = row.claimed_at is None or row.claimed_at < moment - LEASE
        if alive is False or (alive is None and expired) or (alive and expired):
            row.state = OutboxState.PENDING
            row.next_attempt_at = moment
            row.claimed_by = None
            session.add(row)
            recovered += 1
    return recovered


def shard_of(shard: tuple[int, int]) -> ColumnElement[bool]:
    """Rows of one of ``n`` dispatch shards: by recipient (a person's digest stays whole), else by project."""
    k, n = shard
    return func.coalesce(col(OutboxMessage.person_id), col(OutboxMessage.project_id)) % n == k


def claim(session: Session, token: str, size: int, shard: tuple[int, int] | None = None) -> list[int]:
    """Atomically mark a batch ``sending``; a person's digest items are always claimed together."""
    moment = now()
    due = and_(
        col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.FAILED]),
        col(OutboxMessage.next_attempt_at) <= moment,
    )
    if shard is not None:
        due = and_(due, shard_of(shard))
    # no ORDER BY: sorting every due row for each small batch costs O(queue); order does not matter,
    # every due row is taken before dispatch stops.
    picked = session.exec(
        select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.digest).where(due).limit(size)
    ).all()
    if not picked:
        return []
    ids = {int(row[0]) for row in picked if row[0] is not None}
    people = sorted({row[1] for row in picked if row[2] and row[1] is not None})
    if people:
        ids |= {
            int(i)
            for i in session.exec(
                select(OutboxMessage.id).where(
                    col(OutboxMessage.person_id).in_(people), col(OutboxMessage.digest).is_(True), due
                )
            )
            if i is not None
        }
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(sorted(ids)), due)
        .values(
            state=OutboxState.SENDING,
            claimed_by=token,
            claimed_at=moment,
            attempts=OutboxMessage.attempts + 1,  # type: ignore[operator]
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    claimed = session.exec(
        select(OutboxMessage.id).where(
            col(OutboxMessage.id).in_(sorted(ids)),
            OutboxMessage.claimed_by == token,
            OutboxMessage.state == OutboxState.SENDING,
        )
    ).all()
    return [int(i) for i in claimed if i is not None]


def mark_sent(session: Session, ids: Sequence[int]) -> None:
    """Confirm rows sent, in one statement; what was said and where it went is forgotten."""
    if not ids:
        return
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(list(ids)))
        .values(
            state=OutboxState.SENT,
            sent_at=now(),
            claimed_by=None,
            last_error=None,
            subject=None,
            text=None,
            html=None,
            attachments=None,
            channel_url=None,
        )
        .execution_options(synchronize_session=False)
    )
