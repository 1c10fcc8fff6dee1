"""Phase gates on schedule: projects whose gate is open move on, and their members are told.

The notice itself is planned by :mod:`notifications.planner` from ``Project.phase_changed_at``
(occasion ``phase-change``), so a phase moved by hand (``cocon phase advance``) is announced
the same way as one moved here.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from store.models import Project, ProjectPhase
from store.phases import advance_phase, gate_problems


@dataclass
class PhaseReport:
    advanced: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, old, new)
    waiting: dict[str, list[str]] = field(default_factory=dict)  # slug -> what is missing

    def as_dict(self) -> dict[str, object]:
        return {
            "advanced": [{"project": s, "from": a, "to": b} for s, a, b in self.advanced],
            "waiting": self.waiting,
        }


def advance_ready(session: Session, *, actor: str) -> PhaseReport:
    """Advance every open project whose phase gate is open; list what the others miss."""
    report = PhaseReport()
    projects = session.exec(select(Project).where(Project.phase != ProjectPhase.CLOS).order_by(col(Project.id)))
    for project in projects:
        missing = gate_problems(session, project)
        if missing:
            report.waiting[project.slug] = missing
            continue
        old = project.phase.value
        new = advance_phase(session, project, actor=actor)
        report.advanced.append((project.slug, old, new.value))
    return report
