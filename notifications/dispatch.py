"""The dispatch loop: claim → envelopes → delivery → confirm, with retries and dead letters.

Delivery guarantee: at least once. A row is *claimed* (state ``sending``, ``claimed_by`` =
host:pid:token) in a small batch (:func:`notifications.queue.claim`), turned into envelopes
(:mod:`notifications.envelopes`), sent (:mod:`notifications.delivery`), then confirmed ``sent`` in
one transaction. While a batch is being sent the next one is claimed and prepared, but it is sent
only once the previous one is confirmed. If the process dies, the next ``dispatch`` on the same host
sees that the claiming process is gone (or, elsewhere, that the claim is older than
:data:`notifications.queue.LEASE`) and sends those rows again. So at most one batch —
:data:`BATCH_SIZE` rows, fewer messages once digests are grouped — can be delivered twice after a
crash, and only the part of it that had reached the SMTP server.

Imports go one way: ``queue`` ← ``delivery`` ← ``envelopes`` ← ``dispatch``.
"""

import os
import socket
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifications.dead_letters import alert_dead
from notifications.delivery import DeliveryResult, Envelope, Postman
from notifications.envelopes import Batch, prepare_batch
from notifications.queue import claim, mark_sent, recover_abandoned
from store.clock import now
from store.db import get_engine, session_scope
from store.models import OutboxMessage, OutboxState

#: Rows claimed at once. Also the bound on duplicates after a crash (see module docstring).
BATCH_SIZE = 16


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: ``base``, 2×base, 4×base… capped; dead after ``max_attempts``."""

    max_attempts: int = 6
    base: timedelta = timedelta(minutes=2)
    cap: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        return min(self.cap, self.base * (2 ** max(0, attempts - 1)))


DEFAULT_RETRY = RetryPolicy()


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


class Sender(Protocol):
    """What sends envelopes: :class:`notifications.delivery.Postman`, or a test's own."""

    def deliver(self, envelopes: Sequence[Envelope]) -> list[DeliveryResult]: ...


InFlight = tuple[list[Envelope], "Future[list[DeliveryResult]]"]


def dispatch(
    *,
    url: str | None = None,
    limit: int | None = None,
    postman: Sender | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
    batch_size: int = BATCH_SIZE,
    shard: tuple[int, int] | None = None,
) -> DispatchReport:
    """Send what is due: claim a batch, re-check it, render digests, send, confirm; repeat.

    ``url`` is the database URL (Cocon's by default); ``postman`` the delivery seam
    (:class:`notifications.delivery.Postman` by default); ``limit`` caps the rows handled;
    ``shard=(k, n)`` sends only the rows of shard ``k`` of ``n`` (:func:`notifications.queue.shard_of`),
    so that ``n`` processes share the queue without waiting on each other's claims.
    """
    sender = postman or Postman.from_settings()
    engine: Engine = get_engine(url)
    report = DispatchReport()
    token_base = f"{socket.gethostname()}:{os.getpid()}"
    with session_scope(url) as session:
        report.recovered = recover_abandoned(session)
    # Two stages: while one batch is being sent (in a worker thread), the next is claimed and
    # prepared. A batch is sent only after the previous one is confirmed, so at most one batch
    # is ever sent-but-unconfirmed: the duplicate bound stays BATCH_SIZE.
    in_flight: InFlight | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cocon-outbox") as worker:
        while True:
            batch = None
            if limit is None or report.claimed < limit:
                size = batch_size if limit is None else min(batch_size, limit - report.claimed)
                token = f"{token_base}:{uuid.uuid4().hex[:12]}"
                batch = _claim_and_prepare(engine, url, token, size, shard, policy, report)
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
                in_flight = (batch.envelopes, worker.submit(sender.deliver, batch.envelopes))
    return report


def _claim_and_prepare(
    engine: Engine,
    url: str | None,
    token: str,
    size: int,
    shard: tuple[int, int] | None,
    policy: RetryPolicy,
    report: DispatchReport,
) -> Batch | None:
    """Claim the next batch and turn it into envelopes; ``None`` when nothing is due."""
    with Session(engine, expire_on_commit=False) as session:
        ids = claim(session, token, size, shard)
    if not ids:
        return None
    report.claimed += len(ids)
    with session_scope(url) as session:
        rows = list(session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))))
        batch = prepare_batch(session, rows, moment=now())
        report.cancelled += len(batch.cancelled)
        report.deferred += len(batch.deferred)
        for row, reason in batch.broken:  # a bug must not block the rest of the queue
            record_failure(session, row, reason, [], policy, report)
    return batch


def _confirm(
    session: Session,
    envelopes: Sequence[Envelope],
    results: Sequence[DeliveryResult],
    policy: RetryPolicy,
    report: DispatchReport,
) -> None:
    sent_ids = [i for envelope, result in zip(envelopes, results, strict=True) if result.ok for i in envelope.row_ids]
    if sent_ids:
        mark_sent(session, sent_ids)
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
        alert_dead(session, row)
    else:
        row.state = OutboxState.FAILED
        row.next_attempt_at = now() + policy.delay(row.attempts)
        report.failed += 1
        session.add(row)
