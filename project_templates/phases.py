"""The phases of a project: one closed set, and the only moves between them.

A template describes the method's three phases (:data:`PHASE_ORDER`: ``avant``, ``pendant``,
``apres``); a project goes through them in that order and is ``clos`` after ``apres``
(:data:`NEXT_PHASE`). The store's ``project.phase`` column, the planner, the gates, the reminders
and the faces all use :class:`ProjectPhase`.
"""

from enum import StrEnum


class ProjectPhase(StrEnum):
    """Where a project is in the method; ``clos`` once everything is done."""

    AVANT = "avant"
    PENDANT = "pendant"
    APRES = "apres"
    CLOS = "clos"


#: The phases a template describes, in order.
PHASE_ORDER: tuple[ProjectPhase, ...] = (ProjectPhase.AVANT, ProjectPhase.PENDANT, ProjectPhase.APRES)

#: The only move a project makes: to the next phase, and from ``apres`` to ``clos``.
NEXT_PHASE: dict[ProjectPhase, ProjectPhase] = {
    ProjectPhase.AVANT: ProjectPhase.PENDANT,
    ProjectPhase.PENDANT: ProjectPhase.APRES,
    ProjectPhase.APRES: ProjectPhase.CLOS,
}
