"""Erasing a person from every text the store keeps (right to erasure).

Names and contact details are replaced wherever they were written: stored charter versions,
outbox messages, proposals, contributions, gatherings, restitutions, indicator notes and plan
history. A charter version keeps its original SHA-256 (its signatures are bound to it); the
redaction and the redacted text's hash are recorded in the audit log, which
``cocon charter verify`` reads. :func:`reclaim_space` then rewrites the SQLite file so the old
bytes survive in no free page and no write-ahead log.
"""

import hashlib
import re
from collections.abc import Sequence

from sqlmodel import Session, SQLModel, col, select

from locales.stored import written
from store import audit
from store.db import get_engine
from store.models import (
    CharterVersion,
    Contribution,
    Gathering,
    IndicatorChange,
    IndicatorValue,
    Membership,
    OutboxMessage,
    OutboxState,
    PlanChange,
    PlanStep,
    Proposal,
    Restitution,
)

#: Free texts that may quote a person, per table.
_TEXT_COLUMNS: dict[type[SQLModel], tuple[str, ...]] = {
    OutboxMessage: ("subject", "text", "html"),
    Proposal: ("text", "outcome"),
    Contribution: ("description", "receipt_ref"),
    Gathering: ("notes",),
    Restitution: ("presented", "discussion"),
    IndicatorValue: ("note",),
    IndicatorChange: ("reason",),
    PlanChange: ("reason",),
    PlanStep: ("note",),
}


def pattern_for(values: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern matching any of the values as written, also with Markdown escapes (``\\[``) and
    with its spaces folded or broken across lines."""
    parts = []
    for value in sorted({v.strip() for v in values if v and v.strip()}, key=len, reverse=True):
        pieces = []
        for char in value:
            if char.isspace():
                pieces.append(r"\s+")
            elif char.isalnum():
                pieces.append(re.escape(char))
            else:
                pieces.append(r"\\?" + re.escape(char))
        parts.append("".join(pieces))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def redact_texts(session: Session, *, person_id: int, values: Sequence[str], replacement: str, actor: str) -> int:
    """Replace ``values`` (name, email, phone…) by ``replacement`` in every stored text of the
    person's projects; returns how many rows changed."""
    found = pattern_for(values)
    if found is None:
        return 0
    project_ids = list(set(session.exec(select(Membership.project_id).where(Membership.person_id == person_id))))
    changed = 0
    for version in session.exec(select(CharterVersion).where(col(CharterVersion.project_id).in_(project_ids))):
        redacted = found.sub(replacement, version.text)
        if redacted != version.text:
            version.text = redacted
            session.add(version)
            audit.record(
                session,
                actor=actor,
                action="charter.redacted",
                project_id=version.project_id,
                version=version.number,
                language=version.language,
                sha256=hashlib.sha256(redacted.encode("utf-8")).hexdigest(),
                reason=written("stored.erasure.reason"),
            )
            changed += 1
    for table, columns in _TEXT_COLUMNS.items():
        project_column = table.__table__.c.project_id  # type: ignore[attr-defined]
        for row in session.exec(select(table).where(project_column.in_(project_ids))):
            touched = False
            for column in columns:
                text = getattr(row, column)
                if text and found.search(text):
                    setattr(row, column, found.sub(replacement, text))
                    touched = True
            if touched:
                session.add(row)
                changed += 1
    # Messages to the erased person themselves go entirely, whatever they said.
    for message in session.exec(select(OutboxMessage).where(OutboxMessage.person_id == person_id)):
        message.subject = message.text = message.html = None
        message.attachments = None
        if message.state != OutboxState.SENT:
            message.state = OutboxState.CANCELLED
        session.add(message)
    session.flush()
    return changed


def reclaim_space(url: str | None = None) -> None:
    """On SQLite, rewrite the file (VACUUM) and empty the write-ahead log, so that erased bytes
    remain nowhere on disk. Other databases reclaim space themselves."""
    engine = get_engine(url)
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
