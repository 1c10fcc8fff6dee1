"""The outbox: notifications are rows first, sent later, confirmed, retried, never lost.

Who calls what::

    enqueue(session, …)            one standalone message (subject and bodies already rendered),
                                   sent from ``not_before`` (default: now)
    enqueue_items(session, items)  digest items from the reminder planner (bulk, idempotent)
    dispatch()                     claim → check → render digests → send (Apprise) → confirm

Delivery guarantee: at least once. A row is *claimed* (state ``sending``, ``claimed_by`` =
host:pid:token) in a small batch, sent, then confirmed ``sent`` in one transaction. While a batch
is being sent the next one is claimed and prepared, but it is sent only once the previous one is
confirmed. If the process dies, the next ``dispatch`` on the same host sees that the claiming
process is gone (or, elsewhere, that the claim is older than :data:`LEASE`) and sends those rows
again. So at most one batch — :data:`BATCH_SIZE` rows, fewer messages once digests are grouped —
can be delivered twice after a crash, and only the part of it that had reached the SMTP server.
"""

import hashlib
import json
import os
import socket
import uuid
from base64 import b64decode, b64encode
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, insert, update
from sqlmodel import Session, col, select

from notifications.planner import DigestItem
from store.audit import record
from store.clock import now, today
from store.db import get_engine, session_scope
from store.models import Occasion, OutboxMessage, OutboxState, Person, Project
from store.people import members
from store.projects import template_of

#: Rows claimed at once. Also the bound on duplicates after a crash (see module docstring).
BATCH_SIZE = 16
#: A claim older than this is considered abandoned even when its process cannot be checked.
LEASE = timedelta(minutes=15)
#: Occasion of the alert sent to the coordinator when a message is dead (never alerted about).
DEAD_ALERT = Occasion.OUTBOX_DEAD

#: What each occasion is, in words, for the outbox as the CLI and the web app show it.
OCCASION_LABELS: dict[str, dict[Occasion, str]] = {
    "fr": {
        Occasion.BEFORE: "rappel avant échéance",
        Occasion.OVERDUE: "relance",
        Occasion.ESCALATION: "alerte à la coordination",
        Occasion.TEAM_ESCALATION: "alerte à l'équipe",
        Occasion.INVITATION: "invitation",
        Occasion.NOTES_FOLLOW_UP: "notes du point d'étape",
        Occasion.CHARTER_UNSIGNED: "charte à signer",
        Occasion.CHARTER_LINK: "lien de signature de la charte",
        Occasion.PHASE_CHANGE: "changement de phase",
        Occasion.OUTBOX_DEAD: "message non envoyé",
        Occasion.CHECKPOINT_MINUTES: "compte rendu du point d'étape",
        Occasion.FEEDBACK_INVITATION: "invitation au questionnaire",
        Occasion.FEEDBACK_REMINDER: "rappel du questionnaire",
        Occasion.INDICATORS_REQUEST: "indicateurs à renseigner",
        Occasion.THANKS: "remerciements",
        Occasion.LOGIN_LINK: "lien de connexion",
    },
    "en": {
        Occasion.BEFORE: "reminder before due date",
        Occasion.OVERDUE: "overdue reminder",
        Occasion.ESCALATION: "alert to the coordination",
        Occasion.TEAM_ESCALATION: "alert to the team",
        Occasion.INVITATION: "invitation",
        Occasion.NOTES_FOLLOW_UP: "checkpoint notes",
        Occasion.CHARTER_UNSIGNED: "charter to sign",
        Occasion.CHARTER_LINK: "charter signing link",
        Occasion.PHASE_CHANGE: "phase change",
        Occasion.OUTBOX_DEAD: "message not sent",
        Occasion.CHECKPOINT_MINUTES: "checkpoint minutes",
        Occasion.FEEDBACK_INVITATION: "questionnaire invitation",
        Occasion.FEEDBACK_REMINDER: "questionnaire reminder",
        Occasion.INDICATORS_REQUEST: "indicators to record",
        Occasion.THANKS: "thanks",
        Occasion.LOGIN_LINK: "login link",
    },
}


def occasion_label(occasion: str, lang: str = "fr") -> str:
    """The occasion in words (``feedback-reminder`` → « rappel du questionnaire »); unknown ones as they are."""
    try:
        known = Occasion(occasion)
    except ValueError:
        return occasion
    return OCCASION_LABELS["en" if lang == "en" else "fr"][known]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: ``base``, 2×base, 4×base… capped; dead after ``max_attempts``."""

    max_attempts: int = 6
    base: timedelta = timedelta(minutes=2)
    cap: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        return min(self.cap, self.base * (2 ** max(0, attempts - 1)))


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime: str


@dataclass
class DispatchReport:
    sent: int = 0
    messages: int = 0
    failed: int = 0
    dead: int = 0
    cancelled: int = 0
    deferred: int = 0
    recovered: int = 0
    claimed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def idempotency_key(project_id: int, about: str, occasion: str, recipient: str, due_on: date) -> str:
    """What the message is about, for whom and for which day — never two rows for the same."""
    raw = f"{project_id}\x1f{about}\x1f{occasion}\x1f{recipient}\x1f{due_on.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def pack_attachments(attachments: Sequence[Attachment]) -> bytes | None:
    if not attachments:
        return None
    return json.dumps(
        [{"filename": a.filename, "mime": a.mime, "content": b64encode(a.content).decode()} for a in attachments]
    ).encode()


def unpack_attachments(data: bytes | None) -> list[Attachment]:
    if not data:
        return []
    return [Attachment(a["filename"], b64decode(a["content"]), a["mime"]) for a in json.loads(data)]


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
        except Exception:
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


def _claim(session: Session, token: str, size: int, shard: tuple[int, int] | None = None) -> list[int]:
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


# --- dispatching -----------------------------------------------------------------------------


def dispatch(
    *,
    url: str | None = None,
    limit: int | None = None,
    postman: Any = None,
    policy: RetryPolicy = DEFAULT_RETRY,
    batch_size: int = BATCH_SIZE,
    shard: tuple[int, int] | None = None,
) -> DispatchReport:
    """Send what is due: claim a batch, re-check it, render digests, send, confirm; repeat.

    ``url`` is the database URL (Cocon's by default); ``postman`` the delivery seam
    (:class:`notifications.delivery.Postman` by default); ``limit`` caps the rows handled;
    ``shard=(k, n)`` sends only the rows of shard ``k`` of ``n`` (:func:`shard_of`), so that ``n``
    processes share the queue without waiting on each other's claims.
    """
    from notifications.delivery import Postman
    from notifications.envelopes import prepare_batch

    postman = postman or Postman.from_settings()
    engine: Engine = get_engine(url)
    report = DispatchReport()
    token_base = f"{socket.gethostname()}:{os.getpid()}"
    with session_scope(url) as session:
        report.recovered = recover_abandoned(session)
    handled = 0
    # Two stages: while one batch is being sent (in a worker thread), the next is claimed and
    # prepared. A batch is sent only after the previous one is confirmed, so at most one batch
    # is ever sent-but-unconfirmed: the duplicate bound stays BATCH_SIZE.
    in_flight: tuple[Any, Future[list[Any]]] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cocon-outbox") as sender:
        while True:
            batch = None
            if limit is None or handled < limit:
                token = f"{token_base}:{uuid.uuid4().hex[:12]}"
                size = batch_size if limit is None else min(batch_size, limit - handled)
                with Session(engine, expire_on_commit=False) as session:
                    ids = _claim(session, token, size, shard)
                if ids:
                    handled += len(ids)
                    report.claimed += len(ids)
                    with session_scope(url) as session:
                        rows = list(session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))))
                        batch = prepare_batch(session, rows, moment=now())
                        report.cancelled += len(batch.cancelled)
                        report.deferred += len(batch.deferred)
                        for row, reason in batch.broken:  # a bug must not block the rest of the queue
                            record_failure(session, row, reason, [], policy, report)
            confirmed = in_flight is not None
            if in_flight is not None:
                envelopes, future = in_flight
                with session_scope(url) as session:
                    _confirm(session, envelopes, future.result(), policy, report)
                in_flight = None
            if batch is None:
                if confirmed:
                    continue  # confirming may have queued alerts: one more look
                break
            if batch.envelopes:
                in_flight = (batch.envelopes, sender.submit(postman.deliver, batch.envelopes))
    return report


def _confirm(
    session: Session, envelopes: Sequence[Any], results: Sequence[Any], policy: RetryPolicy, report: DispatchReport
) -> None:
    moment = now()
    sent_ids = [i for envelope, result in zip(envelopes, results, strict=True) if result.ok for i in envelope.row_ids]
    if sent_ids:
        # one statement for every confirmed row; what was said and where it went is forgotten
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(sent_ids))
            .values(
                state=OutboxState.SENT,
                sent_at=moment,
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
        report.messages += sum(1 for result in results if result.ok)
        report.sent += len(sent_ids)
    for envelope, result in zip(envelopes, results, strict=True):
        if result.ok:
            continue
        rows = list(session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(envelope.row_ids))))
        for row in rows:
            record_failure(session, row, result.error or "échec d'envoi", result.delivered, policy, report)


def record_failure(
    session: Session,
    row: OutboxMessage,
    error: str,
    delivered: Sequence[str],
    policy: RetryPolicy,
    report: DispatchReport,
) -> None:
    """A failed attempt: try again after the back-off, or give up (dead) and alert the coordination."""
    row.facts = {**row.facts, "delivered": sorted(set(row.facts.get("delivered", [])) | set(delivered))}
    row.last_error = error[:300]
    row.claimed_by = None
    if row.attempts >= policy.max_attempts:
        row.state = OutboxState.DEAD
        report.dead += 1
        session.add(row)
        _alert_dead(session, row)
    else:
        row.state = OutboxState.FAILED
        row.next_attempt_at = now() + policy.delay(row.attempts)
        report.failed += 1
        session.add(row)


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


def _alert_dead(session: Session, row: OutboxMessage) -> None:
    """Tell the project's coordinators (and its team channel) that a message could not be sent."""
    if row.occasion == DEAD_ALERT:
        return
    from notifications.messages import DeadMessageContext, render_message

    project = session.get(Project, row.project_id)
    if project is None:
        return
    recipient = session.get(Person, row.person_id) if row.person_id is not None else None
    coordinators = coordinator_people(session, project)
    targets: list[tuple[int | None, str | None, str]] = [(p.id, None, p.language) for p in coordinators]
    if project.team_channel:
        targets.append((None, project.team_channel, project.language))
    for person_id, channel, lang in targets:
        context = DeadMessageContext(
            project_name=project.name,
            recipient_name=recipient.name if recipient else None,
            occasion=row.occasion,
            attempts=row.attempts,
            day=row.due_on,
        )
        message = render_message("outbox-dead", context, lang)
        enqueue(
            session,
            project_id=project.id or 0,
            person_id=person_id,
            occasion=DEAD_ALERT,
            about=f"outbox:{row.id}",
            due_on=today(),
            subject=message.subject,
            text=message.text,
            html=message.html,
            channel_url=channel,
        )


def coordinator_people(session: Session, project: Project) -> list[Person]:
    """Current members of the project's coordinator roles (each person once)."""
    roles = set(template_of(session, project).coordinator_roles())
    found: dict[int | None, Person] = {}
    for person, membership in members(session, project):
        if membership.role in roles:
            found.setdefault(person.id, person)
    return list(found.values())
