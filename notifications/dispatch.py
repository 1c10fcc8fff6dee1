"""The dispatch loop: claim → envelopes → delivery → confirm, with retries and dead letters.

Delivery guarantee: at least once. Rows are *claimed* (state ``sending``, ``claimed_by`` =
host:pid:token) :data:`CLAIM_SIZE` at a time, a person's digest items always together
(:func:`notifications.queue.claim`), turned into envelopes with what the whole claim needs read in a
few queries (:mod:`notifications.envelopes`), then sent (:mod:`notifications.delivery`, one SMTP
connection for the whole run) :data:`BATCH_SIZE` messages at a time, each group confirmed ``sent``
in one transaction as soon as the server has accepted it. If the process dies, the next
``dispatch`` on the same host sees that the claiming process is gone (or, elsewhere, that the claim
is older than :data:`notifications.queue.LEASE`) and sends those rows again. So at most one group —
:data:`BATCH_SIZE` messages — can be delivered twice after a crash, and only the part of it that
had reached the SMTP server; the rest of the claim was never sent and is simply sent later.

Imports go one way: ``queue`` ← ``delivery`` ← ``envelopes`` ← ``dispatch``.
"""

import contextlib
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from locales.stored import spoken, written
from notifications.dead_letters import alert_dead
from notifications.delivery import DeliveryResult, Envelope, Postman
from notifications.envelopes import Batch, prepare_batch
from notifications.queue import claim, mark_sent, recover_abandoned
from store.clock import now
from store.db import get_engine, session_scope
from store.models import OutboxMessage, OutboxState

#: Messages sent between two confirmations: the bound on duplicates after a crash (module docstring).
BATCH_SIZE = 16
#: Rows claimed (and prepared) at once: the store is read per claim, not per message.
CLAIM_SIZE = 500


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


def dispatch(
    *,
    url: str | None = None,
    limit: int | None = None,
    postman: Sender | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
    batch_size: int = BATCH_SIZE,
    shard: tuple[int, int] | None = None,
    claim_size: int = CLAIM_SIZE,
) -> DispatchReport:
    """Send what is due: claim rows, re-check them, render digests, send, confirm; repeat.

    ``url`` is the database URL (Cocon's by default); ``postman`` the delivery seam
    (:class:`notifications.delivery.Postman` by default); ``limit`` caps the rows handled;
    ``batch_size`` is the number of messages sent between two confirmations (the duplicate bound);
    ``shard=(k, n)`` sends only the rows of shard ``k`` of ``n`` (:func:`notifications.queue.shard_of`),
    so that ``n`` processes share the queue without waiting on each other's claims.
    """
    sender = postman or Postman.from_settings()
    engine: Engine = get_engine(url)
    report = DispatchReport()
    token_base = f"{socket.gethostname()}:{os.getpid()}"
    with session_scope(url) as session:
        report.recovered = recover_abandoned(session)
    with contextlib.ExitStack() as stack:
        if isinstance(sender, contextlib.AbstractContextManager):
            stack.enter_context(sender)  # one SMTP connection for the whole run
        while limit is None or report.claimed < limit:
            size = claim_size if limit is None else min(claim_size, limit - report.claimed)
            token = f"{token_base}:{uuid.uuid4().hex[:12]}"
            batch = _claim_and_prepare(engine, url, token, size, shard, policy, report)
            if batch is None:
                break
            group = max(1, batch_size)
            for start in range(0, len(batch.envelopes), group):
                envelopes = batch.envelopes[start : start + group]
                results = sender.deliver(envelopes)
                with session_scope(url) as session:
                    _confirm(session, envelopes, results, policy, report)
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
    """Claim the next rows and turn them into envelopes; ``None`` when nothing is due."""
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
            record_failure(session, row, result.error or written("stored.outbox.send_failed"), result.delivered, policy, report)


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
    row.last_error = error if len(error) <= 300 else spoken(error)[:300]  # a long one is kept in words
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
