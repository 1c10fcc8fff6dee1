"""All tables of Cocon. Each domain keeps its tables in its own module here."""

from store.models.charters import CharterSignature, CharterVersion, SignatureMethod, SigningToken
from store.models.spine import (
    STEP_TRANSITIONS,
    AuditEvent,
    Membership,
    Person,
    PlanChange,
    PlanStep,
    Project,
    ProjectPhase,
    StepStatus,
    TemplateRecord,
)

__all__ = [
    "STEP_TRANSITIONS",
    "AuditEvent",
    "CharterSignature",
    "CharterVersion",
    "Membership",
    "Person",
    "PlanChange",
    "PlanStep",
    "Project",
    "ProjectPhase",
    "SignatureMethod",
    "SigningToken",
    "StepStatus",
    "TemplateRecord",
]
