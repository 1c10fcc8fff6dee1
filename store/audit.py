"""The audit log: who did what, when. Details never hold bodies, contact details or tokens."""

from typing import Any

from sqlmodel import Session, col, select

from store.models import AuditEvent

_FORBIDDEN_KEYS = frozenset({"email", "phone", "token", "body", "text", "html", "password", "apprise_url"})


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    project_id: int | None = None,
    person_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event to the audit log (flushed with the caller's transaction)."""
    leaked = _FORBIDDEN_KEYS & set(details)
    if leaked:
        raise ValueError(f"audit details must not hold personal data or secrets: {sorted(leaked)}")
    event = AuditEvent(actor=actor, action=action, project_id=project_id, person_id=person_id, details=details)
    session.add(event)
    return event


def events(session: Session, *, project_id: int | None = None, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.id))
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query))
